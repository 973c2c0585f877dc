"""What the judge, the clerk and recorders see and may do with re-transcription: who and when,
which models the server offers, the hearing's jobs, and suggestions beside their segment as it
is now.

    hearing = editor_hearing(session, staff, hearing_id)    # 403 for others, 404 other courts
    require_editable(hearing)                               # 409 once frozen (or not closed/open)
    model_choices(("base", "tiny.en"), hearing.language)
    await suggestions_now(session, rooms, hearing_id, state=SuggestionState.PENDING)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from asr.errors import ModelError
from asr.models import resolve_model
from hearing_server.access import hearing_for_staff, require_staff_role
from hearing_server.errors import ConflictError
from hearing_server.models import (
    Hearing,
    RetranscriptionJob,
    StaffRole,
    StaffUser,
    SuggestionState,
    TranscriptSuggestion,
)
from hearing_server.transcript.editors import transcript_editable
from hearing_server.transcript.fanout import DocumentRooms
from hearing_server.transcript.model import SegmentView

__all__ = [
    "EDITOR_STAFF",
    "ModelChoice",
    "editor_hearing",
    "hearing_jobs",
    "model_choices",
    "require_editable",
    "suggestions_now",
]

EDITOR_STAFF = (StaffRole.JUDGE, StaffRole.CLERK, StaffRole.RECORDER)


@dataclass(frozen=True)
class ModelChoice:
    name: str
    available: bool
    multilingual: bool
    usable: bool
    """Here, and able to hear the hearing's language."""


def editor_hearing(session: Session, staff: StaffUser, hearing_id: int) -> Hearing:
    require_staff_role(staff, EDITOR_STAFF, "re-transcribe or decide on suggestions")
    return hearing_for_staff(session, staff, hearing_id)


def require_editable(hearing: Hearing) -> None:
    if not transcript_editable(hearing):
        raise ConflictError("the transcript cannot be edited now")


def model_choices(names: Sequence[str], language: str) -> list[ModelChoice]:
    """The configured models: whether each is here (never downloaded) and can hear ``language``."""
    out = []
    for name in names:
        try:
            spec = resolve_model(name, allow_download=False)
        except ModelError:
            out.append(ModelChoice(name=name, available=False, multilingual=False, usable=False))
            continue
        usable = spec.multilingual or language == "en"
        out.append(
            ModelChoice(name=name, available=True, multilingual=spec.multilingual, usable=usable)
        )
    return out


def hearing_jobs(session: Session, hearing_id: int) -> list[RetranscriptionJob]:
    """The hearing's jobs, newest first."""
    return list(
        session.scalars(
            select(RetranscriptionJob)
            .where(RetranscriptionJob.hearing_id == hearing_id)
            .order_by(RetranscriptionJob.id.desc())
        )
    )


async def suggestions_now(
    session: Session, rooms: DocumentRooms, hearing_id: int, state: SuggestionState | None
) -> list[tuple[TranscriptSuggestion, SegmentView | None]]:
    """Each suggestion (in time order) with its segment as the document has it now (None: a new
    segment, or the segment was deleted)."""
    query = select(TranscriptSuggestion).where(TranscriptSuggestion.hearing_id == hearing_id)
    if state is not None:
        query = query.where(TranscriptSuggestion.state == state)
    rows = session.scalars(query.order_by(TranscriptSuggestion.start_ms, TranscriptSuggestion.id))
    room = await rooms.get(hearing_id)
    assert room.actions is not None
    doc = room.actions.doc
    return [(row, doc.get(row.segment_id) if row.segment_id is not None else None) for row in rows]
