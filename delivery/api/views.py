"""The JSON the staff pages read: a case with its parties (and their confirmations) and its
services, a service with its attempts and steps. People are named by role and name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from delivery.steps import available_channels
from delivery.tables import (
    AddressConsent,
    Attempt,
    DeliveryCase,
    DeliveryParty,
    Document,
    Service,
    Step,
    Trace,
)

__all__ = ["case_view", "service_view", "trace_view"]


def _consent(consent: AddressConsent | None) -> dict[str, Any] | None:
    if consent is None:
        return None
    return {
        "electronic": consent.electronic,
        "phone": consent.phone,
        "email": consent.email,
        "postal_address": consent.postal_address,
        "postal_recipient": consent.postal_recipient,
        "confirmed_at": consent.confirmed_at.isoformat(),
        "confirmed_by": consent.confirmed_by,
    }


def service_view(session: Session, service: Service, *, steps: bool = False) -> dict[str, Any]:
    doc = session.get(Document, service.document_id)
    assert doc is not None
    attempts = session.scalars(
        select(Attempt).where(Attempt.service_id == service.id).order_by(Attempt.id)
    ).all()
    view: dict[str, Any] = {
        "id": service.id,
        "state": service.state,
        "recipient_name": service.recipient_name,
        "recipient_role": service.recipient_role,
        "party_ref": service.party_ref,
        "document": {
            "title": doc.title,
            "kind": doc.kind,
            "sha256": doc.sha256,
            "size_bytes": doc.size_bytes,
        },
        "channels": service.channels,
        "created_at": service.created_at.isoformat(),
        "created_by": service.created_by,
        "sent_at": service.sent_at.isoformat() if service.sent_at else None,
        "arrived_at": service.arrived_at.isoformat() if service.arrived_at else None,
        "opened_at": service.opened_at.isoformat() if service.opened_at else None,
        "opened_by": service.opened_by,
        "collected_at": service.collected_at.isoformat() if service.collected_at else None,
        "needs_attention": service.needs_attention,
        "suggestion": service.suggestion,
        "proof": service.proof_sha256 is not None,
        "attempts": [
            {
                "id": a.id,
                "channel": a.channel,
                "address": a.address,
                "state": a.state,
                "waybill": a.waybill,
                "error": a.error,
            }
            for a in attempts
        ],
    }
    if steps:
        rows = session.scalars(
            select(Step).where(Step.service_id == service.id).order_by(Step.at, Step.id)
        ).all()
        view["steps"] = [
            {"step": s.step, "source": s.source, "at": s.at.isoformat(), "details": s.details}
            for s in rows
        ]
        view["available_channels"] = available_channels(session, service)
        traces = session.scalars(
            select(Trace).where(Trace.service_id == service.id).order_by(Trace.id)
        ).all()
        view["traces"] = [trace_view(t) for t in traces]
    return view


def case_view(session: Session, case: DeliveryCase) -> dict[str, Any]:
    parties = session.scalars(
        select(DeliveryParty).where(DeliveryParty.case_id == case.id).order_by(DeliveryParty.id)
    ).all()
    consents = {
        c.party_ref: c
        for c in session.scalars(select(AddressConsent).where(AddressConsent.case_id == case.id))
    }
    services = session.scalars(
        select(Service).where(Service.case_id == case.id).order_by(Service.id.desc())
    ).all()
    return {
        "dossier_case_id": case.dossier_case_id,
        "case_number": case.case_number,
        "court_name": case.court_name,
        "cause_name": case.cause_name,
        "parties": [
            {
                "party_ref": p.party_ref,
                "role": p.role,
                "kind": p.kind,
                "name": p.name,
                "phone": p.phone,
                "email": p.email,
                "consent": _consent(consents.get(p.party_ref)),
            }
            for p in parties
        ],
        "services": [service_view(session, s) for s in services],
    }


def trace_view(trace: Trace) -> dict[str, Any]:
    return {
        "id": trace.id, "service_id": trace.service_id, "attempt_id": trace.attempt_id,
        "note": trace.note, "sha256": trace.sha256, "size_bytes": trace.size_bytes,
        "uploaded_at": trace.uploaded_at.isoformat(), "uploaded_by": trace.uploaded_by,
        "transcript_state": trace.transcript_state, "transcript": trace.transcript,
        "language": trace.language,
    }  # fmt: skip
