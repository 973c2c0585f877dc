"""Per-speaker language and interpreters (issue 13).

    check_interprets(session, participant, interprets_id)     # InvalidInputError unless valid
    do_set_speaker_language(session, ctx, staff=..., participant_id=7, language="en",
                            interprets_id=None)               # audited "participant.language"

A participant's ``language`` is what their live ASR stream recognises (``zh``/``en``/``yue``;
``None``: the hearing's language). An interpreter (court role ``interpreter``) names the
participant whose words they interpret; the transcript labels their lines as interpretation of
that person. The bench (judge, clerk) sets both, when scheduling or in the room. A stream takes
the language when it opens (the speaker's first audio), so set it before the speaker speaks.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.access import participant_for_staff, require_staff_role
from hearing_server.audit import Actor, EntityRef
from hearing_server.context import ServerContext
from hearing_server.errors import ConflictError, InvalidInputError
from hearing_server.models import CourtRole, HearingStatus, Participant, StaffUser
from hearing_server.scheduling import SCHEDULERS

__all__ = ["SPEAKER_LANGUAGES", "check_interprets", "do_set_speaker_language"]

SPEAKER_LANGUAGES = ("zh", "en", "yue")


def check_interprets(
    session: Session, participant: Participant, interprets_id: int | None
) -> Participant | None:
    """The interpreted participant: only an interpreter names one, of the same hearing."""
    if interprets_id is None:
        return None
    if participant.court_role is not CourtRole.INTERPRETER:
        raise InvalidInputError("only an interpreter interprets for another participant")
    if interprets_id == participant.id:
        raise InvalidInputError("an interpreter cannot interpret for themselves")
    other = session.get(Participant, interprets_id)
    if other is None or other.hearing_id != participant.hearing_id:
        raise InvalidInputError(f"participant {interprets_id} is not in this hearing")
    return other


def do_set_speaker_language(
    session: Session,
    ctx: ServerContext,
    *,
    staff: StaffUser,
    participant_id: int,
    language: str | None,
    interprets_id: int | None,
) -> Participant:
    require_staff_role(staff, SCHEDULERS, "set a speaker's language")
    participant = participant_for_staff(session, staff, participant_id)  # same court, else 404
    hearing = participant.hearing
    if hearing.status in (HearingStatus.CLOSED, HearingStatus.CANCELLED):
        raise ConflictError(f"hearing {hearing.id} is {hearing.status.value}")
    if language is not None and language not in SPEAKER_LANGUAGES:
        raise InvalidInputError(f"language must be one of {', '.join(SPEAKER_LANGUAGES)}")
    check_interprets(session, participant, interprets_id)
    before = {"language": participant.language, "interprets_id": participant.interprets_id}
    participant.language = language
    participant.interprets_id = interprets_id
    audit.record(
        session,
        actor=Actor("staff", staff.id),
        action="participant.language",
        entity=EntityRef("participant", participant.id),
        case_id=hearing.case_id,
        details={"before": before, "language": language, "interprets_id": interprets_id},
        at=ctx.clock(),
    )
    session.commit()
    return participant
