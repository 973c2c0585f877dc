"""The hearing links of a party, for the party portal (issue 17): service to service.

The portal (another service, never importing this one) asks with the party's verified identity
(a real name checked by its identity provider, a mobile number confirmed by SMS code) and a case
number; the answer is, for each participant of that case's hearings with that name and mobile
number, the hearing and the participant's still valid join link (``/join/<token>``) and pending
signing link (``/sign/<token>``): the links the clerk's SMS carries, derived again from their
invitations as the notice dispatcher derives them (no token is stored). A link is not a login:
each still asks for the one-time SMS code sent to the participant's phone. Once the record is
frozen the answer also says where the participant's own signature stands (``signature``: the
slot's ``pending`` / ``signed`` / ``refused`` / ``excused``, with ``signed_at``; ``None`` before
freezing or for a participant with no slot), so that the portal tells a signed record from a
pending one whose link has expired.

The request is a JSON body with ``X-Tingshen-Timestamp`` (Unix seconds) and
``X-Tingshen-Signature``: hex HMAC-SHA256 of ``"party-links.<timestamp>.<body>"``
(:mod:`tingshen_platform.signed_requests`) under the key ``TINGSHEN_PARTY_LINKS_KEY``
(``Settings.party_links_key``, read once at start), shared with the portal alone. Unset, the
route refuses everything (503; no default, in development either); in production a placeholder
or a key shorter than 32 characters is refused too. A request more than ``WINDOW_S`` from the
server's clock is stale. The portal also names the party it asks for (``X-Tingshen-Caller``,
signed under the same key), so that each party has its own request rate
(:mod:`hearing_server.request_rate`). The hearing server keeps no ID numbers: ``id_number`` is
accepted and not matched on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server.closing import records
from hearing_server.context import ServerContext
from hearing_server.errors import (
    ConfigurationError,
    InvalidInputError,
    NotAuthenticatedError,
    ServiceUnavailableError,
)
from hearing_server.invitations import join_url
from hearing_server.models import (
    Case,
    Hearing,
    HearingStatus,
    Invitation,
    Participant,
    SignatureSlot,
)
from hearing_server.security import InvitationClaims, sign_invitation, token_hash
from hearing_server.settings import resolve_party_links_key
from hearing_server.sign_links import SIGN_PURPOSE, sign_link_url
from tingshen_platform import signed_requests

__all__ = [
    "DOMAIN",
    "WINDOW_S",
    "PartyHearingLinks",
    "PartyLinksIn",
    "SignatureState",
    "check_request",
    "links_of",
    "mac",
]

WINDOW_S = 300
DOMAIN = "party-links."
SignatureState = Literal["pending", "signed", "refused", "excused"]
"""A signer slot's status (:class:`hearing_server.models.SignatureSlot`)."""


class PartyLinksIn(BaseModel):
    case_number: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=5, max_length=32)
    id_number: str | None = Field(default=None, max_length=18)


@dataclass(frozen=True, slots=True)
class PartyHearingLinks:
    hearing: Hearing
    participant: Participant
    join_url: str | None
    sign_url: str | None
    signature: SignatureState | None = None
    """The participant's signature on the frozen record; ``None``: not frozen, or no slot."""
    signed_at: datetime | None = None


def mac(key: bytes, timestamp: str, body: bytes) -> str:
    return signed_requests.sign(key, DOMAIN, timestamp, body)


def check_request(ctx: ServerContext, body: bytes, timestamp: str, signature: str) -> PartyLinksIn:
    """The request, if its signature is good and fresh; else ``NotAuthenticatedError``
    (``ServiceUnavailableError`` while the key is not configured)."""
    try:
        key = resolve_party_links_key(ctx.settings)
    except ConfigurationError as exc:
        raise ServiceUnavailableError(exc.message) from None
    try:
        signed_requests.check(key, DOMAIN, timestamp, signature, body, ctx.clock(), WINDOW_S)
    except signed_requests.SignatureError:
        raise NotAuthenticatedError("the request's signature is missing, wrong or stale") from None
    try:
        return PartyLinksIn.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidInputError("not a party-links request: case_number, name, phone") from exc


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _phone(value: str | None) -> str:
    digits = re.sub(r"\D", "", value or "")
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


def _live(invitations: list[Invitation], purpose: str, now: datetime) -> list[Invitation]:
    return sorted(
        (
            i
            for i in invitations
            if i.purpose == purpose and i.revoked_at is None and _aware(i.expires_at) > now
        ),
        key=lambda i: i.id,
        reverse=True,
    )


def _token(ctx: ServerContext, invitation: Invitation, purpose: str) -> str | None:
    """The invitation's token as its SMS carried it; ``None`` if it no longer derives (the link
    key was rotated since)."""
    participant = invitation.participant
    claims = InvitationClaims(
        invitation.id, participant.id, participant.hearing_id, invitation.expires_at
    )
    token = sign_invitation(ctx.link_key, claims, purpose=purpose)
    return token if invitation.token_hash == token_hash(token) else None


def _join(ctx: ServerContext, invitations: list[Invitation], hearing: Hearing) -> str | None:
    if hearing.status not in (HearingStatus.SCHEDULED, HearingStatus.OPEN):
        return None
    for invitation in _live(invitations, "join", _aware(ctx.clock())):
        if (token := _token(ctx, invitation, "join")) is not None:
            return join_url(ctx, token)
    return None


def _slot(session: Session, participant: Participant) -> SignatureSlot | None:
    """The participant's signer slot on the frozen record (none before freezing)."""
    return session.scalars(
        select(SignatureSlot).where(
            SignatureSlot.hearing_id == participant.hearing_id,
            SignatureSlot.key == f"participant-{participant.id}",
        )
    ).first()


_STATES: dict[str, SignatureState] = {
    "pending": "pending",
    "signed": "signed",
    "refused": "refused",
    "excused": "excused",
}


def _signature(slot: SignatureSlot | None) -> tuple[SignatureState | None, datetime | None]:
    if slot is None:
        return None, None
    state = _STATES.get(slot.status, "pending")
    signed_at = _aware(slot.signed_at) if state == "signed" and slot.signed_at else None
    return state, signed_at


def _sign(
    session: Session,
    ctx: ServerContext,
    invitations: list[Invitation],
    participant: Participant,
    slot: SignatureSlot | None,
) -> str | None:
    hearing = participant.hearing
    if hearing.status is not HearingStatus.CLOSED or not records.is_frozen(session, hearing.id):
        return None
    if slot is None or slot.status != "pending":
        return None
    for invitation in _live(invitations, SIGN_PURPOSE, _aware(ctx.clock())):
        if (token := _token(ctx, invitation, SIGN_PURPOSE)) is not None:
            return sign_link_url(ctx.settings.public_base_url, token)
    return None


def links_of(session: Session, ctx: ServerContext, asked: PartyLinksIn) -> list[PartyHearingLinks]:
    """The hearings of ``asked.case_number`` where the party (name and mobile number) is a
    participant (not removed), with their links, by hearing time."""
    participants = session.scalars(
        select(Participant)
        .join(Hearing, Participant.hearing_id == Hearing.id)
        .join(Case, Hearing.case_id == Case.id)
        .where(
            Case.case_number == asked.case_number.strip(),
            Participant.display_name == asked.name.strip(),
            Participant.removed_at.is_(None),
            Hearing.status != HearingStatus.CANCELLED,
        )
        .order_by(Hearing.scheduled_at, Participant.id)
    ).all()
    phone = _phone(asked.phone)
    out: list[PartyHearingLinks] = []
    for participant in participants:
        if not phone or _phone(participant.phone) != phone:
            continue
        invitations = list(
            session.scalars(select(Invitation).where(Invitation.participant_id == participant.id))
        )
        slot = _slot(session, participant)
        signature, signed_at = _signature(slot)
        out.append(
            PartyHearingLinks(
                hearing=participant.hearing,
                participant=participant,
                join_url=_join(ctx, invitations, participant.hearing),
                sign_url=_sign(session, ctx, invitations, participant, slot),
                signature=signature,
                signed_at=signed_at,
            )
        )
    return out
