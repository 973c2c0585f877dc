"""Applying one step to a service (:func:`apply_step`): the step is kept, the service's state
advances (:mod:`delivery.states`), the attempt follows, and what the step calls for happens in
the same transaction: a failure or a returned letter asks for the clerk's attention with the next
channel suggested; an opening or a collection queues the proof of service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from delivery.audit import Actor, record
from delivery.context import DeliveryContext
from delivery.states import END_STATES, SUCCESS, IllegalStepError, advance, next_channel
from delivery.tables import AddressConsent, Attempt, Service, Step

__all__ = ["PROOF_QUEUE", "apply_step", "available_channels"]

PROOF_QUEUE = "delivery.proof"
_BAD = ("failed", "returned")
_TIMES = {"sent": "sent_at", "arrived": "arrived_at", "opened": "opened_at"}


def available_channels(session: Session, service: Service) -> list[str]:
    """Channels the recipient can be served on now (consent and addresses on record)."""
    if service.party_ref is None:
        return ["post", "collect"]
    consent = session.scalars(
        select(AddressConsent).where(
            AddressConsent.case_id == service.case_id,
            AddressConsent.party_ref == service.party_ref,
        )
    ).first()
    found = ["collect"]
    if consent is not None:
        if consent.electronic and consent.phone:
            found.append("sms")
        if consent.electronic and consent.email:
            found.append("email")
        if consent.postal_address:
            found.append("post")
    return found


def apply_step(
    session: Session,
    ctx: DeliveryContext,
    service: Service,
    step: str,
    *,
    at: datetime,
    source: str,
    actor: Actor,
    attempt: Attempt | None = None,
    external_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> bool:
    """Record ``step``; False where it was recorded before (same ``external_id``) or cannot
    follow the state (kept in the audit, the state unchanged)."""
    if (
        external_id is not None
        and session.scalars(select(Step.id).where(Step.external_id == external_id)).first()
    ):
        return False
    before = service.state
    try:
        after = before if step in _BAD else advance(before, step)
    except IllegalStepError as exc:
        record(
            session,
            actor,
            "service.step_refused",
            at=at,
            case_id=service.case_id,
            service_id=service.id,
            details={"step": step, "state": before, "why": str(exc)},
        )
        return False
    if after == before and _seen(session, service, step, attempt):
        return False  # the first opening (arrival, …) is the one that counts
    session.add(
        Step(
            service_id=service.id,
            attempt_id=attempt.id if attempt else None,
            step=step,
            source=source,
            at=at,
            external_id=external_id,
            details=details or {},
        )
    )
    if attempt is not None and step in ("sent", "arrived", "collected", "failed", "returned"):
        attempt.state = step
        if step == "sent":
            attempt.sent_at = at
    if step in _TIMES and getattr(service, _TIMES[step]) is None:
        setattr(service, _TIMES[step], at)
    if step == "collected" and service.collected_at is None:
        service.collected_at = at
    if step == "opened" and details and details.get("name"):
        service.opened_by = str(details["name"])
    if step in _BAD:
        _ended_badly(session, service, step, at)
        after = service.state
    else:
        service.state = after
    if after != before:
        record(
            session,
            actor,
            f"service.{after}",
            at=at,
            case_id=service.case_id,
            service_id=service.id,
            details={"from": before, "source": source, **(details or {})},
        )
    if after in SUCCESS and before not in SUCCESS:
        service.needs_attention = False
        ctx.host.jobs.enqueue(
            PROOF_QUEUE,
            {"service_id": service.id},
            key=f"proof:{service.id}",
            connection=session.connection(),
        )
    return True


def _seen(session: Session, service: Service, step: str, attempt: Attempt | None) -> bool:
    query = select(Step.id).where(Step.service_id == service.id, Step.step == step)
    if attempt is not None:
        query = query.where(Step.attempt_id == attempt.id)
    return session.scalars(query).first() is not None


def _ended_badly(session: Session, service: Service, step: str, at: datetime) -> None:
    """One channel failed or its letter came back: the service ends so only when no other
    attempt of it is still under way or done."""
    session.flush()
    attempts = session.scalars(select(Attempt).where(Attempt.service_id == service.id)).all()
    if any(a.state in ("queued", "sent", "arrived", "collected") for a in attempts):
        return
    if service.state in END_STATES:
        return
    service.state = step
    service.ended_at = at
    service.needs_attention = True
    tried = [a.channel for a in attempts]
    service.suggestion = next_channel(tried, available_channels(session, service))
