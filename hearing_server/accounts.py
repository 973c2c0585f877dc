"""Staff login and sessions; participant sessions. Actions write, audit, commit, then return."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.audit import Actor, EntityRef
from hearing_server.context import ServerContext
from hearing_server.errors import NotAuthenticatedError, RateLimitedError, RecordScopeError
from hearing_server.models import Participant, ParticipantSession, StaffSession, StaffUser
from hearing_server.security import new_session_token, token_hash

logger = logging.getLogger(__name__)

#: The scope of a participant session from a signing link (:mod:`hearing_server.sign_links`).
RECORD_SCOPE = "record"


@dataclass(frozen=True, slots=True)
class IssuedSession:
    token: str
    max_age_seconds: int


def do_login(
    session: Session, ctx: ServerContext, *, username: str, password: str, client_ip: str
) -> tuple[StaffUser, IssuedSession]:
    key = f"{username.casefold()}|{client_ip}"
    if not ctx.login_limiter.hit(key):
        raise RateLimitedError.because("login_rate_limited")
    user = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
    password_ok = ctx.passwords.verify(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.active:
        logger.info("failed staff login for %r from %s", username, client_ip)
        raise NotAuthenticatedError.because("login_failed")
    ctx.login_limiter.reset(key)
    now = ctx.clock()
    token = new_session_token()
    row = StaffSession(
        token_hash=token_hash(token),
        user_id=user.id,
        created_at=now,
        expires_at=now + ctx.session_ttl,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=Actor("staff", user.id),
        action="staff.login",
        entity=EntityRef("staff_session", row.id),
        case_id=None,
        details={"ip": client_ip},
        at=now,
    )
    session.commit()
    return user, IssuedSession(token, int(ctx.session_ttl.total_seconds()))


def do_logout(session: Session, ctx: ServerContext, *, token: str) -> None:
    row = session.scalars(
        select(StaffSession).where(StaffSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return
    audit.record(
        session,
        actor=Actor("staff", row.user_id),
        action="staff.logout",
        entity=EntityRef("staff_session", row.id),
        case_id=None,
        at=ctx.clock(),
    )
    session.execute(delete(StaffSession).where(StaffSession.id == row.id))
    session.commit()


def staff_for_token(session: Session, ctx: ServerContext, token: str | None) -> StaffUser | None:
    """The active staff user of an unexpired session token, else None."""
    if not token:
        return None
    row = session.scalars(
        select(StaffSession).where(StaffSession.token_hash == token_hash(token))
    ).first()
    if row is None or row.expires_at <= ctx.clock() or not row.user.active:
        return None
    return row.user


def participant_session_for_token(
    session: Session, ctx: ServerContext, token: str | None
) -> ParticipantSession | None:
    """The live (unexpired) participant session of a cookie, whatever its scope."""
    if not token:
        return None
    row = session.scalars(
        select(ParticipantSession).where(ParticipantSession.token_hash == token_hash(token))
    ).first()
    if row is None or row.expires_at <= ctx.clock():
        return None
    return row


def participant_for_token(
    session: Session, ctx: ServerContext, token: str | None, *, record_scope_ok: bool = False
) -> Participant | None:
    """The participant of a live session cookie. A session from a signing link (scope
    ``record``) only reads and signs the hearing's record: anywhere else (``record_scope_ok``
    false: the live room, the editor, moderation …) it is refused with 403."""
    row = participant_session_for_token(session, ctx, token)
    if row is None:
        return None
    if row.scope == RECORD_SCOPE and not record_scope_ok:
        raise RecordScopeError(
            "this session is for reading and signing the hearing record only; "
            "to take part in a hearing, use your invitation link"
        )
    return row.participant


def do_participant_logout(session: Session, ctx: ServerContext, *, token: str) -> None:
    row = session.scalars(
        select(ParticipantSession).where(ParticipantSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return
    audit.record(
        session,
        actor=Actor("participant", row.participant_id),
        action="participant.logout",
        entity=EntityRef("participant_session", row.id),
        case_id=row.participant.hearing.case_id,
        at=ctx.clock(),
    )
    session.execute(delete(ParticipantSession).where(ParticipantSession.id == row.id))
    session.commit()
