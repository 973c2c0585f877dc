"""Signing links (issue 13): how a party reaches the record to read and sign it after closing.

    invitation = add_sign_link(session, ctx, participant=p, hearing=h)   # with the request
    url = sign_link_url(base_url, sign_link_token(link_key, invitation, h.id))
    info = do_send_sign_code(session, ctx, token=token)                  # the one-time code
    participant, issued = do_verify_sign_code(session, ctx, token=token, code="123456")

A join link (``/join/<token>``) stops working when the hearing closes; the signing request and
its reminders carry a link of their own, ``/sign/<token>``: an invitation of purpose ``sign``
(its token is MAC'd in another domain, so it never verifies as a join link, nor back). It works
from the moment the record is frozen for signing, after the hearing closed, and keeps working
once the record is complete (then it opens the read-only finished record), until it expires
(``sign_link_ttl_days`` after it was sent; a reminder sends a fresh one). Its one-time SMS code
is the joining one; the session it gives has scope ``record``: it reads and signs that hearing's
record and nothing else — never the live room
(:func:`hearing_server.accounts.participant_for_token`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.accounts import RECORD_SCOPE, IssuedSession
from hearing_server.audit import Actor, EntityRef
from hearing_server.closing import records
from hearing_server.context import ServerContext
from hearing_server.errors import GoneError, InvalidTokenError
from hearing_server.joining import SentCodeInfo, send_code_for, verify_code_for
from hearing_server.models import Hearing, HearingStatus, Invitation, Participant
from hearing_server.security import InvitationClaims, sign_invitation, token_hash, verify_invitation

__all__ = [
    "SIGN_PURPOSE",
    "SignLinkSummary",
    "add_sign_link",
    "do_send_sign_code",
    "do_verify_sign_code",
    "sign_link_summary",
    "sign_link_token",
    "sign_link_url",
    "valid_sign_link",
]

SIGN_PURPOSE = "sign"


def add_sign_link(
    session: Session, ctx: ServerContext, *, participant: Participant, hearing: Hearing
) -> Invitation:
    """A signing-link invitation for ``participant``; no commit (the caller's transaction)."""
    now = ctx.clock()
    expires_at = (now + timedelta(days=ctx.settings.sign_link_ttl_days)).replace(microsecond=0)
    invitation = Invitation(
        participant_id=participant.id, created_at=now, expires_at=expires_at, purpose=SIGN_PURPOSE
    )
    session.add(invitation)
    session.flush()
    invitation.token_hash = token_hash(sign_link_token(ctx.link_key, invitation, hearing.id))
    audit.record(
        session,
        actor=Actor.system(),
        action="invitation.create",
        entity=EntityRef("invitation", invitation.id),
        case_id=hearing.case_id,
        details={
            "participant_id": participant.id,
            "expires_at": expires_at.isoformat(),
            "for": "sign",
        },
        at=now,
    )
    return invitation


def sign_link_token(link_key: bytes, invitation: Invitation, hearing_id: int) -> str:
    """The signed token of a signing link (deterministic: derived again at send time)."""
    claims = InvitationClaims(
        invitation.id, invitation.participant_id, hearing_id, invitation.expires_at
    )
    return sign_invitation(link_key, claims, purpose=SIGN_PURPOSE)


def sign_link_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/sign/{token}"


def valid_sign_link(session: Session, ctx: ServerContext, token: str) -> Invitation:
    """The invitation of a genuine, unexpired, unrevoked signing link whose record is frozen."""
    claims = verify_invitation(ctx.link_key, token, now=ctx.clock(), purpose=SIGN_PURPOSE)
    invitation = session.get(Invitation, claims.invitation_id)
    if (
        invitation is None
        or invitation.purpose != SIGN_PURPOSE
        or invitation.token_hash != token_hash(token)
        or invitation.participant_id != claims.participant_id
        or invitation.participant.hearing_id != claims.hearing_id
    ):
        raise InvalidTokenError("this signing link is not valid")
    if invitation.revoked_at is not None:
        raise GoneError("this signing link has been withdrawn; ask the court for a new one")
    hearing = invitation.participant.hearing
    if hearing.status is not HearingStatus.CLOSED or not records.is_frozen(session, hearing.id):
        raise GoneError("this hearing has no record to sign; ask the court")
    if invitation.participant.removed_at is not None:
        raise GoneError("you are no longer a participant of this hearing; ask the court")
    return invitation


@dataclass(frozen=True, slots=True)
class SignLinkSummary:
    participant: Participant
    complete: bool


def sign_link_summary(session: Session, ctx: ServerContext, token: str) -> SignLinkSummary:
    invitation = valid_sign_link(session, ctx, token)
    closure = records.closure_of(session, invitation.participant.hearing_id)
    complete = closure is not None and closure.completed_at is not None
    return SignLinkSummary(invitation.participant, complete)


def do_send_sign_code(session: Session, ctx: ServerContext, *, token: str) -> SentCodeInfo:
    return send_code_for(session, ctx, valid_sign_link(session, ctx, token))


def do_verify_sign_code(
    session: Session, ctx: ServerContext, *, token: str, code: str
) -> tuple[Participant, IssuedSession]:
    """The code's check, as joining does it; the session reads and signs the record only."""
    invitation = valid_sign_link(session, ctx, token)
    return verify_code_for(session, ctx, invitation, code, scope=RECORD_SCOPE)
