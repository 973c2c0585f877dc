"""Re-transcription of a closed hearing's recording, and its suggestions (issue 5).

- ``GET  /api/hearings/{id}/retranscription/models``: the models this server offers, and whether
  each is here and can hear the hearing's language.
- ``POST /api/hearings/{id}/retranscription/jobs`` ``{"model": "base"}``: queue a job (201); 409
  when one is already queued or running for the hearing, or there is no finalised recording.
- ``GET  /api/hearings/{id}/retranscription/jobs``: the hearing's jobs with progress, newest first.
- ``POST /api/hearings/{id}/retranscription/jobs/{job}/cancel``
- ``GET  /api/hearings/{id}/retranscription/suggestions[?state=pending]``: each with the segment
  as it is now (text, touched, locked), so the page can show the difference and what applies.
- ``POST /api/hearings/{id}/retranscription/suggestions/{s}/accept`` (409 ``suggestion_stale``
  when the segment changed since the proposal or is locked), ``…/{s}/reject``,
  ``…/suggestions/accept-untouched``.

Everything is for the judge, the clerk and recorders of the hearing's court (parties get 403,
other courts 404); decisions also need the transcript to be editable now
(:func:`~hearing_server.api.transcript_ws.transcript_editable`). State changes are audited.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from asr.errors import ModelError
from asr.models import resolve_model
from hearing_server.access import hearing_for_staff, require_staff_role
from hearing_server.api.transcript_ws import staff_author, transcript_editable
from hearing_server.audit import Actor
from hearing_server.deps import ContextDep, CurrentStaff, SessionDep
from hearing_server.errors import ConflictError
from hearing_server.models import (
    Hearing,
    RetranscriptionJob,
    RetranscriptionState,
    StaffRole,
    StaffUser,
    SuggestionState,
    TranscriptSuggestion,
)
from hearing_server.retranscribe.decisions import (
    accept_all_untouched,
    accept_suggestion,
    reject_suggestion,
)
from hearing_server.retranscribe.jobs import cancel_job, job_for_hearing, start_job
from hearing_server.retranscribe.worker import RetranscriptionWorker
from hearing_server.transcript.fanout import DocumentRooms
from recordings import LocalDirStore

router = APIRouter(prefix="/api/hearings/{hearing_id}/retranscription", tags=["retranscription"])

EDITOR_STAFF = (StaffRole.JUDGE, StaffRole.CLERK, StaffRole.RECORDER)


class ModelOut(BaseModel):
    name: str
    available: bool
    multilingual: bool
    usable: bool
    """Here, and able to hear the hearing's language."""


class JobIn(BaseModel):
    model: str = Field(min_length=1, max_length=200)


class JobOut(BaseModel):
    id: int
    hearing_id: int
    model: str
    language: str
    state: RetranscriptionState
    progress: float
    error: str | None
    requested_by: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class SuggestionOut(BaseModel):
    id: int
    job_id: int
    segment_id: str | None
    speaker_key: str
    start_ms: int
    end_ms: int
    start_utc: str
    current_text: str
    proposed_text: str
    state: SuggestionState
    decided_by: str | None
    decided_at: datetime | None
    segment_text_now: str | None
    """The segment's text now (None: a new segment, or the segment was deleted)."""
    segment_touched: bool
    segment_locked: bool


class DecisionOut(BaseModel):
    id: int
    state: SuggestionState


class AcceptAllOut(BaseModel):
    accepted: int
    stale: int
    skipped: int


def _editor(session: Session, staff: StaffUser, hearing_id: int) -> Hearing:
    require_staff_role(staff, EDITOR_STAFF, "re-transcribe or decide on suggestions")
    return hearing_for_staff(session, staff, hearing_id)


def _editable(hearing: Hearing) -> None:
    if not transcript_editable(hearing):
        raise ConflictError("the transcript cannot be edited now")


def _worker(request: Request) -> RetranscriptionWorker:
    worker = request.app.state.retranscription
    assert isinstance(worker, RetranscriptionWorker)
    return worker


def _rooms(request: Request) -> DocumentRooms:
    rooms = request.app.state.documents
    assert isinstance(rooms, DocumentRooms)
    return rooms


def _job_out(job: RetranscriptionJob) -> JobOut:
    return JobOut.model_validate(job, from_attributes=True)


@router.get("/models")
def models(
    hearing_id: int, session: SessionDep, ctx: ContextDep, staff: CurrentStaff
) -> list[ModelOut]:
    hearing = _editor(session, staff, hearing_id)
    out = []
    for name in ctx.settings.retranscribe_models:
        try:
            spec = resolve_model(name, allow_download=False)
        except ModelError:
            out.append(ModelOut(name=name, available=False, multilingual=False, usable=False))
            continue
        usable = spec.multilingual or hearing.language == "en"
        out.append(
            ModelOut(name=name, available=True, multilingual=spec.multilingual, usable=usable)
        )
    return out


@router.post("/jobs", status_code=201)
def start(
    hearing_id: int,
    body: JobIn,
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    staff: CurrentStaff,
) -> JobOut:
    hearing = _editor(session, staff, hearing_id)
    store = request.app.state.recordings
    job = start_job(
        session,
        hearing=hearing,
        staff=staff,
        model=body.model,
        allowed=ctx.settings.retranscribe_models,
        recordings=store if isinstance(store, LocalDirStore) else None,
        now=ctx.clock(),
    )
    _worker(request).wake()
    return _job_out(job)


@router.get("/jobs")
def jobs(hearing_id: int, session: SessionDep, staff: CurrentStaff) -> list[JobOut]:
    _editor(session, staff, hearing_id)
    rows = session.scalars(
        select(RetranscriptionJob)
        .where(RetranscriptionJob.hearing_id == hearing_id)
        .order_by(RetranscriptionJob.id.desc())
    )
    return [_job_out(job) for job in rows]


@router.post("/jobs/{job_id}/cancel")
def cancel(
    hearing_id: int,
    job_id: int,
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    staff: CurrentStaff,
) -> JobOut:
    _editor(session, staff, hearing_id)
    job = job_for_hearing(session, hearing_id, job_id)
    cancel_job(session, job, Actor("staff", staff.id), ctx.clock())
    _worker(request).wake()
    return _job_out(job)


@router.get("/suggestions")
async def suggestions(
    hearing_id: int,
    request: Request,
    session: SessionDep,
    staff: CurrentStaff,
    state: SuggestionState | None = None,
) -> list[SuggestionOut]:
    _editor(session, staff, hearing_id)
    query = select(TranscriptSuggestion).where(TranscriptSuggestion.hearing_id == hearing_id)
    if state is not None:
        query = query.where(TranscriptSuggestion.state == state)
    rows = session.scalars(query.order_by(TranscriptSuggestion.start_ms, TranscriptSuggestion.id))
    room = await _rooms(request).get(hearing_id)
    assert room.actions is not None
    doc = room.actions.doc
    out = []
    for row in rows:
        view = doc.get(row.segment_id) if row.segment_id is not None else None
        out.append(
            SuggestionOut(
                id=row.id,
                job_id=row.job_id,
                segment_id=row.segment_id,
                speaker_key=row.speaker_key,
                start_ms=row.start_ms,
                end_ms=row.end_ms,
                start_utc=row.start_utc,
                current_text=row.current_text,
                proposed_text=row.proposed_text,
                state=row.state,
                decided_by=row.decided_by,
                decided_at=row.decided_at,
                segment_text_now=view.text if view is not None else None,
                segment_touched=view.touched if view is not None else False,
                segment_locked=view.locked if view is not None else False,
            )
        )
    return out


@router.post("/suggestions/accept-untouched")
async def accept_untouched(
    hearing_id: int, request: Request, session: SessionDep, ctx: ContextDep, staff: CurrentStaff
) -> AcceptAllOut:
    hearing = _editor(session, staff, hearing_id)
    _editable(hearing)
    result = await accept_all_untouched(
        session,
        _rooms(request),
        hearing=hearing,
        author=staff_author(staff),
        actor=Actor("staff", staff.id),
        now=ctx.clock(),
    )
    return AcceptAllOut(accepted=result.accepted, stale=result.stale, skipped=result.skipped)


@router.post("/suggestions/{suggestion_id}/accept")
async def accept(
    hearing_id: int,
    suggestion_id: int,
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    staff: CurrentStaff,
) -> DecisionOut:
    hearing = _editor(session, staff, hearing_id)
    _editable(hearing)
    state = await accept_suggestion(
        session,
        _rooms(request),
        hearing=hearing,
        suggestion_id=suggestion_id,
        author=staff_author(staff),
        actor=Actor("staff", staff.id),
        now=ctx.clock(),
    )
    return DecisionOut(id=suggestion_id, state=state)


@router.post("/suggestions/{suggestion_id}/reject")
def reject(
    hearing_id: int,
    suggestion_id: int,
    session: SessionDep,
    ctx: ContextDep,
    staff: CurrentStaff,
) -> DecisionOut:
    hearing = _editor(session, staff, hearing_id)
    _editable(hearing)
    state = reject_suggestion(
        session,
        hearing=hearing,
        suggestion_id=suggestion_id,
        author=staff_author(staff),
        actor=Actor("staff", staff.id),
        now=ctx.clock(),
    )
    return DecisionOut(id=suggestion_id, state=state)
