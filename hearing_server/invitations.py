"""Invitation links: create (signed, expiring, bound to one participant and hearing) and revoke."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.access import invitation_for_staff, participant_for_staff, require_staff_role
from hearing_server.audit import Actor, EntityRef
from hearing_server.context import ServerContext
from hearing_server.models import Invitation, Participant, ParticipantSession, StaffUser
from hearing_server.scheduling import SCHEDULERS
from hearing_server.security import InvitationClaims, sign_invitation, token_hash


def _actor(staff: StaffUser) -> Actor:
    return Actor("staff", staff.id)


def do_create_invitation(
    session: Session, ctx: ServerContext, *, actor: Actor, participant: Participant
) -> tuple[Invitation, str]:
    """A new signed invitation link token for ``participant`` (authorised by the caller)."""
    now = ctx.clock()
    # Whole seconds: the signed expiry has second resolution.
    expires_at = (now + ctx.invitation_ttl).replace(microsecond=0)
    invitation = Invitation(participant_id=participant.id, created_at=now, expires_at=expires_at)
    session.add(invitation)
    session.flush()
    claims = InvitationClaims(invitation.id, participant.id, participant.hearing_id, expires_at)
    token = sign_invitation(ctx.link_key, claims)
    invitation.token_hash = token_hash(token)
    audit.record(
        session,
        actor=actor,
        action="invitation.create",
        entity=EntityRef("invitation", invitation.id),
        case_id=participant.hearing.case_id,
        details={"participant_id": participant.id, "expires_at": expires_at.isoformat()},
        at=now,
    )
    session.commit()
    return invitation, token


def do_invite_participant(
    session: Session, ctx: ServerContext, *, staff: StaffUser, participant_id: int
) -> tuple[Invitation, str]:
    require_staff_role(staff, SCHEDULERS, "invite participants")
    participant = participant_for_staff(session, staff, participant_id)
    return do_create_invitation(session, ctx, actor=_actor(staff), participant=participant)


def join_url(ctx: ServerContext, token: str) -> str:
    return f"{ctx.settings.public_base_url.rstrip('/')}/join/{token}"


def _end_sessions(session: Session, participant_id: int, scope: str | None = None) -> None:
    """A withdrawn link takes the sessions it may have started with it (``scope``: only those
    of its kind; ``None``: all). Sessions do not record their link, so every session of that
    kind of the person ends; they join again through a link that is still valid. Their open
    sockets are closed by the caller (:mod:`hearing_server.revocation`)."""
    ended = delete(ParticipantSession).where(ParticipantSession.participant_id == participant_id)
    if scope is not None:
        ended = ended.where(ParticipantSession.scope == scope)
    session.execute(ended)


def do_revoke_invitation(
    session: Session, ctx: ServerContext, *, staff: StaffUser, invitation_id: int
) -> Invitation:
    require_staff_role(staff, SCHEDULERS, "revoke invitations")
    invitation = invitation_for_staff(session, staff, invitation_id)  # same court, else 404
    if invitation.revoked_at is None:
        now = ctx.clock()
        invitation.revoked_at = now
        audit.record(
            session,
            actor=_actor(staff),
            action="invitation.revoke",
            entity=EntityRef("invitation", invitation.id),
            case_id=invitation.participant.hearing.case_id,
            details={"participant_id": invitation.participant_id},
            at=now,
        )
        scope = "hearing" if invitation.purpose == "join" else "record"
        _end_sessions(session, invitation.participant_id, scope)
        session.commit()
    return invitation


def _revoke_active(
    session: Session, ctx: ServerContext, *, staff: StaffUser, participant: Participant
) -> list[int]:
    """Withdraw every still-valid link of ``participant`` (audited each); no commit."""
    now = ctx.clock()
    revoked: list[int] = []
    active = select(Invitation).where(
        Invitation.participant_id == participant.id, Invitation.revoked_at.is_(None)
    )
    for invitation in session.scalars(active.order_by(Invitation.id)):
        invitation.revoked_at = now
        revoked.append(invitation.id)
        audit.record(
            session,
            actor=_actor(staff),
            action="invitation.revoke",
            entity=EntityRef("invitation", invitation.id),
            case_id=participant.hearing.case_id,
            details={"participant_id": participant.id},
            at=now,
        )
    _end_sessions(session, participant.id)
    return revoked


def do_revoke_participant_links(
    session: Session, ctx: ServerContext, *, staff: StaffUser, participant_id: int
) -> list[int]:
    """Withdraw all of a participant's links (the ids withdrawn; none left is not an error)."""
    require_staff_role(staff, SCHEDULERS, "revoke invitations")
    participant = participant_for_staff(session, staff, participant_id)
    revoked = _revoke_active(session, ctx, staff=staff, participant=participant)
    session.commit()
    return revoked


def do_reissue_invitation(
    session: Session, ctx: ServerContext, *, staff: StaffUser, participant_id: int
) -> tuple[Invitation, str]:
    """Withdraw a participant's links and give them a new one (e.g. the old one was passed on)."""
    require_staff_role(staff, SCHEDULERS, "reissue invitations")
    participant = participant_for_staff(session, staff, participant_id)
    _revoke_active(session, ctx, staff=staff, participant=participant)
    return do_create_invitation(session, ctx, actor=_actor(staff), participant=participant)
