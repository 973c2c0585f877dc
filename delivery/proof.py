"""Issuing the proof of service once a service succeeded (job queue ``delivery.proof``): the PDF
(:mod:`delivery.proof_pdf`) sealed with the court's key (``ServiceHost.seal``, PAdES through
``signing``) where this process holds it, kept in the service's files and the exchange store,
and ``delivery.proof_issued`` for the dossier to file it. Issued once per service."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from court_events.delivery import PROOF_ISSUED, ProofIssued
from delivery.audit import SYSTEM, record
from delivery.consent import CHANNEL_NAMES
from delivery.context import DeliveryContext
from delivery.proof_pdf import ProofDocument, proof_pdf
from delivery.tables import Attempt, DeliveryCase, Document, Service
from tingshen_platform.events import publish
from tingshen_platform.fonts import find_cjk_font
from tingshen_platform.jobs import Job

__all__ = ["ROLE_NAMES", "proof_handler", "proof_of"]

ROLE_NAMES = {"plaintiff": "原告", "defendant": "被告", "third_party": "第三人", "agent": "代理人"}


def proof_of(session: Session, ctx: DeliveryContext, service: Service) -> ProofDocument:
    case = session.get(DeliveryCase, service.case_id)
    doc = session.get(Document, service.document_id)
    assert case is not None and doc is not None
    attempts = session.scalars(select(Attempt).where(Attempt.service_id == service.id)).all()
    done = [a for a in attempts if a.state in ("sent", "arrived", "collected")] or list(attempts)
    channel = "、".join(
        CHANNEL_NAMES[a.channel] + (f"（运单号{a.waybill}）" if a.waybill else "") for a in done
    )
    return ProofDocument(
        court=case.court_name,
        case_number=case.case_number,
        document_title=doc.title,
        sha256=doc.sha256,
        recipient=service.recipient_name,
        recipient_role=ROLE_NAMES.get(service.recipient_role, "受送达人"),
        channel=channel,
        address="；".join(a.address for a in done),
        sent_at=service.sent_at,
        arrived_at=service.arrived_at,
        opened_at=service.opened_at,
        opened_by=service.opened_by,
        collected_at=service.collected_at,
        issued_at=ctx.now(),
    )


def proof_handler(
    ctx: DeliveryContext, font: Callable[[], Path] = find_cjk_font
) -> Callable[[Job], None]:
    def handle(job: Job) -> None:
        with ctx.session_factory() as session:
            service = session.get(Service, int(job.payload["service_id"]))
            if service is None or service.proof_blob_key is not None:
                return
            case = session.get(DeliveryCase, service.case_id)
            doc = session.get(Document, service.document_id)
            assert case is not None and doc is not None
            proof = proof_of(session, ctx, service)
            pdf = proof_pdf(proof, font=font())
            seal = ctx.host.seal
            if seal is not None:
                pdf = seal(pdf, "送达回证")
            key = f"proofs/{case.dossier_case_id}/service-{service.id}.pdf"
            ctx.files.put(key, pdf)
            ctx.host.exchange.put(f"delivery/{key}", pdf)
            digest = hashlib.sha256(pdf).hexdigest()
            service.proof_blob_key, service.proof_sha256 = key, digest
            publish(
                session.connection(),
                PROOF_ISSUED,
                ProofIssued(
                    service_id=service.id,
                    dossier_case_id=case.dossier_case_id,
                    case_number=case.case_number,
                    document_title=doc.title,
                    recipient_name=service.recipient_name,
                    channel=proof.channel,
                    issued_at=proof.issued_at,
                    blob_key=f"delivery/{key}",
                    sha256=digest,
                ),
                occurred_at=ctx.now(),
                stream=f"case:{case.dossier_case_id}",
            )
            record(
                session,
                SYSTEM,
                "proof.issued",
                at=ctx.now(),
                case_id=case.id,
                service_id=service.id,
                details={"sha256": digest, "sealed": seal is not None},
            )
            session.commit()

    return handle
