"""A speaker's language and whom an interpreter interprets (the bench, in the room or before)."""

from __future__ import annotations

from fastapi import APIRouter

from hearing_server.api.views import participant_out
from hearing_server.deps import ContextDep, CurrentStaff, SessionDep
from hearing_server.interpreting import do_set_speaker_language
from hearing_server.schemas import ParticipantOut, SpeakerLanguageIn

router = APIRouter(prefix="/api", tags=["interpreting"])


@router.put("/participants/{participant_id}/language")
def set_speaker_language(
    participant_id: int,
    body: SpeakerLanguageIn,
    staff: CurrentStaff,
    session: SessionDep,
    ctx: ContextDep,
) -> ParticipantOut:
    participant = do_set_speaker_language(
        session,
        ctx,
        staff=staff,
        participant_id=participant_id,
        language=body.language,
        interprets_id=body.interprets_participant_id,
    )
    return participant_out(participant)
