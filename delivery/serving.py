"""The clerk's actions (each writes, audits and queues its work in one transaction): serve a
document on recipients through channels (:func:`serve`), record a hand-over at the court
(:func:`hand_over`) and serve again through the suggested channel after a failure
(:func:`serve_again`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from delivery.audit import Actor, record
from delivery.consent import address_for, party_of
from delivery.context import DeliveryContext
from delivery.errors import ConflictError, InvalidInputError
from delivery.states import CHANNELS, END_STATES
from delivery.steps import apply_step
from delivery.tables import Attempt, DeliveryCase, DeliveryParty, Document, Service

__all__ = [
    "SEND_QUEUE",
    "NewDocument",
    "hand_over",
    "serve",
    "serve_again",
]

SEND_QUEUE = "delivery.send"


@dataclass(frozen=True, slots=True)
class NewDocument:
    title: str
    kind: str
    data: bytes
    media_type: str


def _new_service(
    session: Session,
    ctx: DeliveryContext,
    case: DeliveryCase,
    document: Document,
    party: DeliveryParty,
    channels: list[str],
    actor: Actor,
    postal: dict[str, str],
) -> Service:
    now = ctx.now()
    service = Service(
        case_id=case.id,
        document_id=document.id,
        party_ref=party.party_ref,
        recipient_name=party.name,
        recipient_role=party.role,
        state="prepared",
        channels=channels,
        created_at=now,
        created_by=actor[1],
        served_event=False,
        needs_attention=False,
    )
    session.add(service)
    session.flush()
    for channel in channels:
        address = postal.get(channel) or address_for(session, case, party.party_ref, channel)
        attempt = Attempt(
            service_id=service.id, channel=channel, address=address, state="queued", created_at=now
        )
        session.add(attempt)
        session.flush()
        if channel == "collect":
            apply_step(
                session,
                ctx,
                service,
                "sent",
                at=now,
                source="staff",
                actor=actor,
                attempt=attempt,
                details={"channel": "collect"},
            )
        else:
            ctx.host.jobs.enqueue(
                SEND_QUEUE,
                {"attempt_id": attempt.id},
                key=f"attempt:{attempt.id}",
                max_attempts=ctx.settings.max_send_attempts,
                connection=session.connection(),
            )
    record(
        session,
        actor,
        "service.prepared",
        at=now,
        case_id=case.id,
        service_id=service.id,
        details={"document": document.title, "recipient": party.name, "channels": channels},
    )
    return service


def _channels(channels: list[str]) -> list[str]:
    unknown = [c for c in channels if c not in CHANNELS]
    if not channels or unknown or len(set(channels)) != len(channels):
        raise InvalidInputError(
            "choose one or more channels among sms, email, post, collect",
            "请选择一种或多种送达方式（短信、电子邮件、邮寄、自取），不得重复",
            reason="channels",
        )
    return channels


def serve(
    session: Session,
    ctx: DeliveryContext,
    case: DeliveryCase,
    new: NewDocument,
    recipients: list[str],
    channels: list[str],
    actor: Actor,
) -> list[Service]:
    """Keep the document (in the exchange store, for the portal), then one service per
    recipient, each with an attempt per channel; everything or nothing."""
    channels = _channels(channels)
    if not recipients or len(set(recipients)) != len(recipients):
        raise InvalidInputError(
            "choose the recipients", "请选择受送达人（不得重复）", reason="recipients"
        )
    parties = [party_of(session, case, ref) for ref in recipients]
    for party in parties:  # all addresses are checked before anything is written
        for channel in channels:
            address_for(session, case, party.party_ref, channel)
    digest = hashlib.sha256(new.data).hexdigest()
    key = f"delivery/documents/{case.dossier_case_id}/{digest}.pdf"
    ctx.host.exchange.put(key, new.data)
    document = Document(
        case_id=case.id,
        title=new.title,
        kind=new.kind,
        blob_key=key,
        sha256=digest,
        media_type=new.media_type,
        size_bytes=len(new.data),
        created_at=ctx.now(),
        created_by=actor[1],
    )
    session.add(document)
    session.flush()
    return [_new_service(session, ctx, case, document, p, channels, actor, {}) for p in parties]


def hand_over(session: Session, ctx: DeliveryContext, service: Service, actor: Actor) -> None:
    """The recipient collected the document at the court (自取, recorded when handed over)."""
    attempt = session.scalars(
        select(Attempt).where(Attempt.service_id == service.id, Attempt.channel == "collect")
    ).first()
    if attempt is None or service.state in END_STATES:
        raise ConflictError(
            "this service has no open collection in person",
            "该送达没有待领取的自取记录（或已结束）",
            reason="not_collectable",
        )
    apply_step(
        session,
        ctx,
        service,
        "collected",
        at=ctx.now(),
        source="staff",
        actor=actor,
        attempt=attempt,
        details={"channel": "collect", "by": actor[1]},
    )


def serve_again(
    session: Session,
    ctx: DeliveryContext,
    service: Service,
    channel: str,
    actor: Actor,
    postal_address: str | None = None,
) -> Service:
    """After a failure or a returned letter: the same document on the same recipient through
    ``channel`` (an address found by the address look-up may be given for the post)."""
    if service.state not in ("failed", "returned") or service.party_ref is None:
        raise ConflictError(
            "only a failed or returned service is served again",
            "仅送达失败或退回的送达可以重新送达",
            reason="not_failed",
        )
    _channels([channel])
    case = session.get(DeliveryCase, service.case_id)
    document = session.get(Document, service.document_id)
    assert case is not None and document is not None
    party = party_of(session, case, service.party_ref)
    postal = {"post": postal_address.strip()} if postal_address and channel == "post" else {}
    again = _new_service(session, ctx, case, document, party, [channel], actor, postal)
    service.needs_attention = False
    record(
        session,
        actor,
        "service.served_again",
        at=ctx.now(),
        case_id=case.id,
        service_id=service.id,
        details={"new_service": again.id, "channel": channel},
    )
    return again
