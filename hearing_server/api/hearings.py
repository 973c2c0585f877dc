"""Hearings: schedule, reschedule, cancel, open, close; participants and invitation links."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, BackgroundTasks, Response
from pydantic import BaseModel
from sqlalchemy import select

from hearing_server.access import hearing_for_participant, hearing_for_staff
from hearing_server.api.views import hearing_out, participant_out
from hearing_server.deps import (
    ClerkStaff,
    ContextDep,
    CurrentStaff,
    LiveDep,
    OptionalStaff,
    RecordParticipant,
    RevocationsDep,
    SessionDep,
)
from hearing_server.errors import WS_CLOSE_SESSION_ENDED, NotAuthenticatedError
from hearing_server.invitations import (
    do_invite_participant,
    do_reissue_invitation,
    do_revoke_invitation,
    do_revoke_participant_links,
    join_url,
)
from hearing_server.models import Case, Hearing, Participant
from hearing_server.paging import PageDep, cut, keyset
from hearing_server.revocation import LINKS_WITHDRAWN, Revocations, participant_key
from hearing_server.scheduling import (
    do_add_participant,
    do_reschedule_hearing,
    do_schedule_hearing,
    do_transition_hearing,
)
from hearing_server.schemas import (
    HearingIn,
    HearingOut,
    InvitationOut,
    ParticipantIn,
    ParticipantOut,
    RescheduleIn,
    RevokedOut,
    VersionIn,
)
from hearing_server.took_part import took_part

router = APIRouter(prefix="/api", tags=["hearings"])


@router.post("/cases/{case_id}/hearings", status_code=201)
def schedule_hearing(
    case_id: int, body: HearingIn, staff: CurrentStaff, session: SessionDep, ctx: ContextDep
) -> HearingOut:
    hearing = do_schedule_hearing(
        session,
        ctx,
        staff=staff,
        case_id=case_id,
        scheduled_at=body.scheduled_at,
        duration_minutes=body.duration_minutes,
        place=body.place,
        language=body.language,
    )
    return hearing_out(hearing)


@router.get("/hearings")
def list_hearings(
    staff: CurrentStaff, session: SessionDep, page: PageDep, response: Response
) -> list[HearingOut]:
    """The hearings of the staff member's court, earliest first (paged)."""
    query = (
        select(Hearing)
        .join(Case, Hearing.case_id == Case.id)
        .where(Case.court_id == staff.court_id)
    )
    rows = keyset(session, query, (Hearing.scheduled_at, Hearing.id), page)
    return [
        hearing_out(row) for row in page.answer(response, rows, lambda h: (h.scheduled_at, h.id))
    ]


@router.get("/hearings/{hearing_id}")
def get_hearing(
    hearing_id: int, staff: OptionalStaff, participant: RecordParticipant, session: SessionDep
) -> HearingOut:
    """Staff of the court, or a participant of this very hearing."""
    if staff is not None:
        return hearing_out(hearing_for_staff(session, staff, hearing_id))
    if participant is not None:
        return hearing_out(hearing_for_participant(session, participant, hearing_id))
    raise NotAuthenticatedError("please log in or join through your invitation link")


@router.post("/hearings/{hearing_id}/reschedule")
def reschedule_hearing(
    hearing_id: int, body: RescheduleIn, staff: CurrentStaff, session: SessionDep, ctx: ContextDep
) -> HearingOut:
    hearing = do_reschedule_hearing(
        session,
        ctx,
        staff=staff,
        hearing_id=hearing_id,
        scheduled_at=body.scheduled_at,
        duration_minutes=body.duration_minutes,
        place=body.place,
        expected_version=body.expected_version,
    )
    return hearing_out(hearing)


def _transition(
    action: Literal["cancel", "open", "close"],
    hearing_id: int,
    body: VersionIn | None,
    staff: CurrentStaff,
    session: SessionDep,
    ctx: ContextDep,
) -> HearingOut:
    hearing = do_transition_hearing(
        session,
        ctx,
        staff=staff,
        hearing_id=hearing_id,
        action=action,
        expected_version=body.expected_version if body else None,
    )
    return hearing_out(hearing)


@router.post("/hearings/{hearing_id}/cancel")
def cancel_hearing(
    hearing_id: int,
    staff: CurrentStaff,
    session: SessionDep,
    ctx: ContextDep,
    body: VersionIn | None = None,
) -> HearingOut:
    return _transition("cancel", hearing_id, body, staff, session, ctx)


@router.post("/hearings/{hearing_id}/open")
def open_hearing(
    hearing_id: int,
    staff: ClerkStaff,
    session: SessionDep,
    ctx: ContextDep,
    body: VersionIn | None = None,
) -> HearingOut:
    return _transition("open", hearing_id, body, staff, session, ctx)


@router.post("/hearings/{hearing_id}/close")
def close_hearing(
    hearing_id: int,
    staff: ClerkStaff,
    session: SessionDep,
    ctx: ContextDep,
    live: LiveDep,
    background: BackgroundTasks,
    body: VersionIn | None = None,
) -> HearingOut:
    closed = _transition("close", hearing_id, body, staff, session, ctx)
    # After the response, on the event loop: close peers, finish the ASR streams, end the sockets.
    background.add_task(live.close, hearing_id)
    return closed


@router.get("/hearings/{hearing_id}/participants")
def list_participants(
    hearing_id: int,
    staff: OptionalStaff,
    participant: RecordParticipant,
    session: SessionDep,
    page: PageDep,
    response: Response,
) -> list[ParticipantOut]:
    """Staff of the court see contact details; participants of the hearing see names and roles."""
    if staff is not None:
        hearing = hearing_for_staff(session, staff, hearing_id)
    elif participant is not None:
        hearing = hearing_for_participant(session, participant, hearing_id)
    else:
        raise NotAuthenticatedError("please log in or join through your invitation link")
    query = select(Participant).where(Participant.hearing_id == hearing.id)
    rows = keyset(session, query, (Participant.id,), page)
    shown = page.answer(response, rows, lambda p: (p.id,))
    return [participant_out(row, with_contact=staff is not None) for row in shown]


class TookPartOut(BaseModel):
    key: str
    role: str
    name: str


@router.get("/hearings/{hearing_id}/took-part")
def list_took_part(
    hearing_id: int, staff: CurrentStaff, session: SessionDep, page: PageDep, response: Response
) -> list[TookPartOut]:
    """Everyone who took part (participants, and the judges and clerks who joined the room), for
    the transcript editor's change of speaker (court staff of the hearing's court only)."""
    hearing = hearing_for_staff(session, staff, hearing_id)
    numbered = list(enumerate(took_part(session, hearing)))
    shown = page.answer(response, cut(numbered, lambda n: (n[0],), page), lambda n: (n[0],))
    return [TookPartOut(key=p.key, role=p.role, name=p.name) for _, p in shown]


@router.post("/hearings/{hearing_id}/participants", status_code=201)
def add_participant(
    hearing_id: int, body: ParticipantIn, staff: CurrentStaff, session: SessionDep, ctx: ContextDep
) -> ParticipantOut:
    participant = do_add_participant(
        session,
        ctx,
        staff=staff,
        hearing_id=hearing_id,
        display_name=body.display_name,
        court_role=body.court_role,
        staff_user_id=body.staff_user_id,
        phone=body.phone,
        email=body.email,
        notify=body.notify,
        language=body.language,
        interprets_id=body.interprets_participant_id,
        case_party_ref=body.case_party_ref,
    )
    return participant_out(participant)


@router.post("/participants/{participant_id}/invitation", status_code=201)
def create_invitation(
    participant_id: int, staff: CurrentStaff, session: SessionDep, ctx: ContextDep
) -> InvitationOut:
    invitation, token = do_invite_participant(
        session, ctx, staff=staff, participant_id=participant_id
    )
    return InvitationOut(
        invitation_id=invitation.id,
        participant_id=invitation.participant_id,
        url=join_url(ctx, token),
        expires_at=invitation.expires_at,
    )


@router.post("/participants/{participant_id}/invitation/reissue", status_code=201)
def reissue_invitation(
    participant_id: int,
    staff: CurrentStaff,
    session: SessionDep,
    ctx: ContextDep,
    revocations: RevocationsDep,
) -> InvitationOut:
    """Withdraw every link of the participant (their sessions and sockets end) and create a new
    one."""
    invitation, token = do_reissue_invitation(
        session, ctx, staff=staff, participant_id=participant_id
    )
    _links_withdrawn(revocations, participant_id)
    return InvitationOut(
        invitation_id=invitation.id,
        participant_id=invitation.participant_id,
        url=join_url(ctx, token),
        expires_at=invitation.expires_at,
    )


@router.post("/participants/{participant_id}/invitations/revoke")
def revoke_participant_links(
    participant_id: int,
    staff: CurrentStaff,
    session: SessionDep,
    ctx: ContextDep,
    revocations: RevocationsDep,
) -> RevokedOut:
    """Withdraw every link of the participant (their next visit is refused, their sessions end
    and their open sockets close with 4401)."""
    revoked = do_revoke_participant_links(session, ctx, staff=staff, participant_id=participant_id)
    _links_withdrawn(revocations, participant_id)
    return RevokedOut(revoked_invitation_ids=revoked)


@router.post("/invitations/{invitation_id}/revoke", status_code=204)
def revoke_invitation(
    invitation_id: int,
    staff: CurrentStaff,
    session: SessionDep,
    ctx: ContextDep,
    revocations: RevocationsDep,
) -> None:
    invitation = do_revoke_invitation(session, ctx, staff=staff, invitation_id=invitation_id)
    _links_withdrawn(revocations, invitation.participant_id)


def _links_withdrawn(revocations: Revocations, participant_id: int) -> None:
    keys = [participant_key(participant_id)]
    revocations.revoke_from_thread(keys, WS_CLOSE_SESSION_ENDED, LINKS_WITHDRAWN)
