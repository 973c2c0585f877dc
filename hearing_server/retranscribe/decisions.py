"""Deciding on re-transcription suggestions: accept (the text changes, attributed and audited),
reject, or accept every suggestion whose segment nobody touched.

    await accept_suggestion(session, rooms, hearing=h, suggestion_id=7, author=a, actor=x, now=t)
    reject_suggestion(session, hearing=h, suggestion_id=8, author=a, actor=x, now=t)
    await accept_all_untouched(session, rooms, hearing=h, author=a, actor=x, now=t)

The rule that protects the record: a suggestion is applied only if its segment still reads
exactly as it did when the suggestion was made, and is not locked; otherwise it becomes ``stale``
and nothing changes (:meth:`TranscriptActions.replace_text` checks this under the document's
lock, so an edit arriving at the same moment wins). "Accept all" also leaves out segments a
person edited (``touched``) and new-segment suggestions: those need someone to read them.

No database transaction spans the document change: the document persists through its own
connection (in a worker thread), so the decision is read, the transaction ended, the document
changed, and the decision written in a fresh transaction (holding no lock across the await).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hearing_server.audit import Actor, EntityRef, record
from hearing_server.errors import ConflictError, NotFoundError, StaleSuggestionError
from hearing_server.models import (
    Hearing,
    Participant,
    StaffUser,
    SuggestionState,
    TranscriptSuggestion,
)
from hearing_server.transcript.actions import Author, EditRefusedError, TranscriptActions
from hearing_server.transcript.fanout import DocumentRooms
from hearing_server.transcript.model import SpeakerRef, WordView
from hearing_server.transcript.policy import asr_may_replace
from hearing_server.transcript.ydoc import NewSegment, TranscriptDoc

__all__ = ["AcceptAllResult", "accept_all_untouched", "accept_suggestion", "reject_suggestion"]


@dataclass(frozen=True, slots=True)
class AcceptAllResult:
    accepted: int
    stale: int
    skipped: int
    """Pending suggestions left for a person: touched or locked segments, new segments."""


@dataclass(frozen=True, slots=True)
class _Pending:
    id: int
    segment_id: str | None
    speaker_key: str
    start_ms: int
    end_ms: int
    start_utc: str
    current_text: str
    proposed_text: str
    words: tuple[WordView, ...]


def _snapshot(row: TranscriptSuggestion) -> _Pending:
    words = tuple(
        WordView(str(w[0]), int(w[1]), int(w[2]), float(w[3])) for w in row.words if len(w) == 4
    )
    return _Pending(
        row.id,
        row.segment_id,
        row.speaker_key,
        row.start_ms,
        row.end_ms,
        row.start_utc,
        row.current_text,
        row.proposed_text,
        words,
    )


def _pending(session: Session, hearing_id: int, suggestion_id: int) -> _Pending:
    row = session.get(TranscriptSuggestion, suggestion_id)
    if row is None or row.hearing_id != hearing_id:
        raise NotFoundError(f"suggestion {suggestion_id} not found")
    if row.state is not SuggestionState.PENDING:
        raise ConflictError(f"suggestion {suggestion_id} was already decided ({row.state.value})")
    return _snapshot(row)


def _decide(
    session: Session, suggestion_id: int, state: SuggestionState, author: Author, now: datetime
) -> bool:
    """Record the decision unless someone decided first (False then)."""
    result = session.execute(
        update(TranscriptSuggestion)
        .where(
            TranscriptSuggestion.id == suggestion_id,
            TranscriptSuggestion.state == SuggestionState.PENDING,
        )
        .values(state=state, decided_by=author.key, decided_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    hearing: Hearing,
    details: dict[str, object],
    now: datetime,
) -> None:
    record(
        session,
        actor=actor,
        action=action,
        entity=EntityRef("hearing", hearing.id),
        case_id=hearing.case_id,
        details=details,
        at=now,
    )


def _speaker(session: Session, doc: TranscriptDoc, key: str) -> SpeakerRef:
    """Who a track's key is: as another segment of the transcript says, else the database."""
    for segment in doc.segments():
        if segment.speaker.key == key:
            return segment.speaker
    kind, _, number = key.partition("-")
    if number.isdigit() and kind == "participant":
        participant = session.get(Participant, int(number))
        if participant is not None:
            return SpeakerRef(key, participant.court_role.value, participant.display_name)
    if number.isdigit() and kind == "staff":
        staff = session.get(StaffUser, int(number))
        if staff is not None:
            return SpeakerRef(key, staff.role.value, staff.display_name)
    return SpeakerRef(key, "", key)


async def _apply(
    session: Session, actions: TranscriptActions, item: _Pending, author: Author
) -> None:
    if item.segment_id is not None:
        await actions.replace_text(author, item.segment_id, item.current_text, item.proposed_text)
        return
    speaker = _speaker(session, actions.doc, item.speaker_key)
    session.rollback()  # _speaker may have read: end that transaction before the write
    segment = NewSegment(
        f"rt-{item.id}",
        speaker,
        item.start_ms,
        item.end_ms,
        item.proposed_text,
        item.words,
        start_utc=item.start_utc,
    )
    await actions.insert_segment(author, segment)


async def accept_suggestion(
    session: Session,
    rooms: DocumentRooms,
    *,
    hearing: Hearing,
    suggestion_id: int,
    author: Author,
    actor: Actor,
    now: datetime,
) -> SuggestionState:
    """Apply one suggestion; :class:`StaleSuggestionError` (and the suggestion is ``stale``) when
    its segment changed, was locked or deleted since the proposal."""
    item = _pending(session, hearing.id, suggestion_id)
    hearing_id = hearing.id
    session.rollback()
    room = await rooms.get(hearing_id)
    assert room.actions is not None
    try:
        await _apply(session, room.actions, item, author)
    except EditRefusedError as exc:
        _decide(session, item.id, SuggestionState.STALE, author, now)
        details: dict[str, object] = {
            "suggestion": item.id,
            "segment": item.segment_id,
            "reason": str(exc),
        }
        _audit(session, actor, "transcript.suggestion_stale", hearing, details, now)
        session.commit()
        raise StaleSuggestionError(f"the suggestion no longer applies: {exc}") from exc
    _decide(session, item.id, SuggestionState.ACCEPTED, author, now)
    details = {"suggestion": item.id, "segment": item.segment_id or f"rt-{item.id}"}
    _audit(session, actor, "transcript.suggestion_accept", hearing, details, now)
    session.commit()
    return SuggestionState.ACCEPTED


def reject_suggestion(
    session: Session,
    *,
    hearing: Hearing,
    suggestion_id: int,
    author: Author,
    actor: Actor,
    now: datetime,
) -> SuggestionState:
    item = _pending(session, hearing.id, suggestion_id)
    if not _decide(session, item.id, SuggestionState.REJECTED, author, now):
        raise ConflictError(f"suggestion {suggestion_id} was already decided")
    details: dict[str, object] = {"suggestion": item.id, "segment": item.segment_id}
    _audit(session, actor, "transcript.suggestion_reject", hearing, details, now)
    session.commit()
    return SuggestionState.REJECTED


async def accept_all_untouched(
    session: Session,
    rooms: DocumentRooms,
    *,
    hearing: Hearing,
    author: Author,
    actor: Actor,
    now: datetime,
) -> AcceptAllResult:
    """Accept every pending suggestion whose segment is neither touched nor locked."""
    rows = session.scalars(
        select(TranscriptSuggestion)
        .where(
            TranscriptSuggestion.hearing_id == hearing.id,
            TranscriptSuggestion.state == SuggestionState.PENDING,
        )
        .order_by(TranscriptSuggestion.id)
    ).all()
    items = [_snapshot(row) for row in rows]
    session.rollback()
    room = await rooms.get(hearing.id)
    actions = room.actions
    assert actions is not None
    accepted: list[int] = []
    stale: list[int] = []
    skipped = 0
    for item in items:
        view = actions.doc.get(item.segment_id) if item.segment_id is not None else None
        if item.segment_id is None or (view is not None and not asr_may_replace(view)):
            skipped += 1
            continue
        try:
            await actions.replace_text(
                author, item.segment_id, item.current_text, item.proposed_text
            )
        except EditRefusedError:
            stale.append(item.id)
        else:
            accepted.append(item.id)
    for ids, state in ((accepted, SuggestionState.ACCEPTED), (stale, SuggestionState.STALE)):
        for suggestion_id in ids:
            _decide(session, suggestion_id, state, author, now)
    details: dict[str, object] = {"accepted": accepted, "stale": stale, "skipped": skipped}
    _audit(session, actor, "transcript.suggestions_accept_all", hearing, details, now)
    session.commit()
    return AcceptAllResult(len(accepted), len(stale), skipped)
