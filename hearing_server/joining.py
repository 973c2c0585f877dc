"""Parties joining by invitation link plus a one-time code sent by SMS."""

from __future__ import annotations

import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.accounts import IssuedSession
from hearing_server.audit import Actor, EntityRef
from hearing_server.context import ServerContext
from hearing_server.errors import ConflictError, GoneError, InvalidTokenError, RateLimitedError
from hearing_server.models import (
    HearingStatus,
    Invitation,
    OneTimeCode,
    Participant,
    ParticipantSession,
)
from hearing_server.notify import mask_phone
from hearing_server.security import (
    CODE_MAX_ATTEMPTS,
    CODE_TTL,
    code_hash,
    new_one_time_code,
    new_session_token,
    token_hash,
    verify_invitation,
)


@dataclass(frozen=True, slots=True)
class SentCodeInfo:
    sent_to: str
    expires_at: datetime
    resend_after_seconds: int


def valid_invitation(session: Session, ctx: ServerContext, token: str) -> Invitation:
    """The invitation of a genuine, unexpired, unrevoked link to a hearing that will take place."""
    claims = verify_invitation(ctx.link_key, token, now=ctx.clock())
    invitation = session.get(Invitation, claims.invitation_id)
    if (
        invitation is None
        or invitation.token_hash != token_hash(token)
        or invitation.participant_id != claims.participant_id
        or invitation.participant.hearing_id != claims.hearing_id
        or invitation.purpose != "join"
    ):
        raise InvalidTokenError.because("link_invalid")
    if invitation.revoked_at is not None:
        raise GoneError.because("link_revoked")
    status = invitation.participant.hearing.status
    if status in (HearingStatus.CLOSED, HearingStatus.CANCELLED):
        raise GoneError.because("hearing_ended", status=status.value)
    return invitation


def resend_wait_seconds(
    session: Session, ctx: ServerContext, *, participant_id: int, now: datetime
) -> int:
    """Whole seconds until this participant may have another code (0: now), whichever of their
    links asks. The newest code's time is in the database, so every server process of a
    cluster enforces the same interval."""
    last = session.scalars(
        select(OneTimeCode.created_at)
        .join(Invitation, OneTimeCode.invitation_id == Invitation.id)
        .where(Invitation.participant_id == participant_id)
        .order_by(OneTimeCode.id.desc())
        .limit(1)
    ).first()
    if last is None:
        return 0
    left = (last + timedelta(seconds=ctx.settings.code_resend_seconds) - now).total_seconds()
    return max(0, math.ceil(left))


def _hearing_label(participant: Participant) -> str:
    return participant.hearing.case.case_number


def do_send_code(session: Session, ctx: ServerContext, *, token: str) -> SentCodeInfo:
    return send_code_for(session, ctx, valid_invitation(session, ctx, token))


def send_code_for(session: Session, ctx: ServerContext, invitation: Invitation) -> SentCodeInfo:
    """Send a one-time code for an invitation the caller has validated (a join or signing link)."""
    participant = invitation.participant
    if not participant.phone:
        raise ConflictError.because("no_phone")
    now = ctx.clock()
    wait = resend_wait_seconds(session, ctx, participant_id=participant.id, now=now)
    if wait > 0:
        raise RateLimitedError.because("code_cooldown", seconds=wait)
    if not ctx.code_limiter.hit(f"invitation:{invitation.id}"):
        raise RateLimitedError.because("code_rate_limited")
    code = new_one_time_code()
    for old in session.scalars(
        select(OneTimeCode).where(
            OneTimeCode.invitation_id == invitation.id, OneTimeCode.consumed_at.is_(None)
        )
    ):
        old.consumed_at = now  # superseded: only the newest code works
    row = OneTimeCode(
        invitation_id=invitation.id,
        code_hash=code_hash(ctx.secret_key, invitation_id=invitation.id, code=code),
        created_at=now,
        expires_at=now + CODE_TTL,
        attempts=0,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=Actor("participant", participant.id),
        action="invitation.code_sent",
        entity=EntityRef("one_time_code", row.id),
        case_id=participant.hearing.case_id,
        at=now,
    )
    session.commit()
    ctx.code_sender.send_code(
        participant_id=participant.id,
        phone=participant.phone,
        code=code,
        hearing_label=_hearing_label(participant),
    )
    return SentCodeInfo(
        sent_to=mask_phone(participant.phone),
        expires_at=row.expires_at,
        resend_after_seconds=ctx.settings.code_resend_seconds,
    )


def do_verify_code(
    session: Session, ctx: ServerContext, *, token: str, code: str
) -> tuple[Participant, IssuedSession]:
    return verify_code_for(session, ctx, valid_invitation(session, ctx, token), code)


def verify_code_for(
    session: Session,
    ctx: ServerContext,
    invitation: Invitation,
    code: str,
    *,
    scope: str = "hearing",
) -> tuple[Participant, IssuedSession]:
    """Check the code of a validated invitation; a session of ``scope`` (``record``: a signing
    link's, which reads and signs the record only)."""
    participant = invitation.participant
    now = ctx.clock()
    row = session.scalars(
        select(OneTimeCode)
        .where(OneTimeCode.invitation_id == invitation.id, OneTimeCode.consumed_at.is_(None))
        .order_by(OneTimeCode.id.desc())
    ).first()
    if row is None:
        raise GoneError.because("no_code_pending")
    if row.expires_at <= now:
        raise GoneError.because("code_expired")
    code_id, stored_hash = row.id, row.code_hash
    # Claim one attempt before comparing, in one statement: of many guesses at once, at most
    # CODE_MAX_ATTEMPTS are ever compared (a read, then a write, let 14 of 40 through).
    claimed = session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.id == code_id,
            OneTimeCode.consumed_at.is_(None),
            OneTimeCode.attempts < CODE_MAX_ATTEMPTS,
        )
        .values(attempts=OneTimeCode.attempts + 1)
        .returning(OneTimeCode.attempts)
    ).scalar_one_or_none()
    session.commit()
    if claimed is None:
        raise GoneError.because("code_attempts_used")
    expected = code_hash(ctx.secret_key, invitation_id=invitation.id, code=code)
    if not hmac.compare_digest(expected, stored_hash):
        raise InvalidTokenError.because("code_wrong", left=CODE_MAX_ATTEMPTS - claimed)
    consumed = session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == code_id, OneTimeCode.consumed_at.is_(None))
        .values(consumed_at=now)
        .returning(OneTimeCode.id)
    ).scalar_one_or_none()
    if consumed is None:  # the same right code, entered twice at once: it works once
        session.rollback()
        raise GoneError.because("no_code_pending")
    if invitation.used_at is None:
        invitation.used_at = now
    token_value = new_session_token()
    session.add(
        ParticipantSession(
            token_hash=token_hash(token_value),
            participant_id=participant.id,
            created_at=now,
            expires_at=now + ctx.session_ttl,
            scope=scope,
        )
    )
    audit.record(
        session,
        actor=Actor("participant", participant.id),
        action="participant.verified",
        entity=EntityRef("participant", participant.id),
        case_id=participant.hearing.case_id,
        details={"invitation_id": invitation.id, "scope": scope},
        at=now,
    )
    session.commit()
    return participant, IssuedSession(token_value, int(ctx.session_ttl.total_seconds()))
