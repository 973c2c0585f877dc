"""Sending one attempt (job queue ``delivery.send``, one job per attempt, keyed by it so that it
is queued once): SMS and e-mail through the host's messenger with the link to the portal, a
letter through the courier. A gateway or courier that fails for now raises and the job is tried
again (``max_send_attempts``); a permanent failure (a dead number) or the last try fails the
attempt, and the clerk is told with the next channel suggested (:mod:`delivery.steps`).

The message's ``reference`` (``delivery-<attempt>``) is stable, so a gateway drops the duplicate
of a retried message; an attempt already sent is never sent again (a repeated job finds it sent).
The first channel sent publishes ``delivery.document_served`` for the portal.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from court_events.delivery import DOCUMENT_SERVED, DocumentServed
from delivery.audit import SYSTEM
from delivery.context import COURT_TZ, DeliveryContext
from delivery.courier import CourierUnavailableError, Letter
from delivery.steps import apply_step
from delivery.tables import Attempt, DeliveryCase, DeliveryParty, Document, Service
from tingshen_platform.events import publish
from tingshen_platform.jobs import Job, PermanentJobError
from tingshen_platform.messaging import DeliveryFailed, OutboundMessage

__all__ = ["portal_link", "send_handler"]


def portal_link(ctx: DeliveryContext, service: Service) -> str:
    """Where the recipient reads the document: the party portal, after logging in."""
    return ctx.link(f"/portal/?served={service.id}")


def _text(ctx: DeliveryContext, case: DeliveryCase, doc: Document, service: Service) -> str:
    return (
        f"【{case.court_name}】{service.recipient_name}：本院向您送达{case.case_number}案"
        f"《{doc.title}》。请登录电子诉讼平台（实名认证）查阅：{portal_link(ctx, service)}"
        f" 查阅即视为送达。"
    )


def _send(ctx: DeliveryContext, session: Session, attempt: Attempt, service: Service) -> str:
    """Hand the attempt over; what identifies it at the provider (a waybill for the post)."""
    case = session.get(DeliveryCase, service.case_id)
    doc = session.get(Document, service.document_id)
    assert case is not None and doc is not None
    reference = f"delivery-{attempt.id}"
    if attempt.channel == "post":
        party = (
            session.query(DeliveryParty)
            .filter_by(case_id=case.id, party_ref=service.party_ref)
            .first()
        )
        letter = Letter(
            reference,
            service.recipient_name,
            attempt.address,
            party.phone if party else None,
            f"{case.case_number}《{doc.title}》",
        )
        return ctx.courier.post(letter)
    messenger = ctx.host.messenger
    if messenger is None:
        raise DeliveryFailed("this process sends no SMS or e-mail")
    subject = f"{case.court_name}送达：{case.case_number}《{doc.title}》"
    text = _text(ctx, case, doc, service)
    if attempt.channel == "sms":
        messenger.send(OutboundMessage("sms", attempt.address, text, reference))
    else:
        messenger.send(OutboundMessage("email", attempt.address, text, reference, subject))
    return reference


def _served(ctx: DeliveryContext, session: Session, service: Service) -> None:
    case = session.get(DeliveryCase, service.case_id)
    doc = session.get(Document, service.document_id)
    party = (
        session.query(DeliveryParty)
        .filter_by(case_id=service.case_id, party_ref=service.party_ref)
        .first()
    )
    assert case is not None and doc is not None and service.sent_at is not None
    payload = DocumentServed(
        service_id=service.id,
        dossier_case_id=case.dossier_case_id,
        court_id=case.court_id,
        case_number=case.case_number,
        document_title=doc.title,
        document_kind=doc.kind,
        blob_key=doc.blob_key,
        sha256=doc.sha256,
        media_type=doc.media_type,
        size_bytes=doc.size_bytes,
        recipient_party_ref=service.party_ref,
        recipient_name=service.recipient_name,
        recipient_id_number=party.id_number if party else None,
        channels=list(service.channels),
        sent_at=service.sent_at,
    )
    publish(
        session.connection(),
        DOCUMENT_SERVED,
        payload,
        occurred_at=ctx.now(),
        stream=f"case:{case.dossier_case_id}",
    )
    service.served_event = True


def send_handler(ctx: DeliveryContext) -> Callable[[Job], None]:
    def handle(job: Job) -> None:
        with ctx.session_factory() as session:
            attempt = session.get(Attempt, int(job.payload["attempt_id"]))
            if attempt is None or attempt.state != "queued":
                return  # sent (or ended) before: never twice
            service = session.get(Service, attempt.service_id)
            assert service is not None
            try:
                handle_id = _send(ctx, session, attempt, service)
            except (DeliveryFailed, CourierUnavailableError) as exc:
                permanent = isinstance(exc, DeliveryFailed) and exc.permanent
                if not permanent and job.attempts < job.max_attempts:
                    raise
                apply_step(
                    session,
                    ctx,
                    service,
                    "failed",
                    at=ctx.now(),
                    source=attempt.channel,
                    actor=SYSTEM,
                    attempt=attempt,
                    details={"channel": attempt.channel, "error": str(exc)[:300]},
                )
                attempt.error = str(exc)[:1000]
                session.commit()
                raise PermanentJobError(str(exc)) from exc
            if attempt.channel == "post":
                attempt.waybill = handle_id
            apply_step(
                session,
                ctx,
                service,
                "sent",
                at=ctx.now(),
                source=attempt.channel,
                actor=SYSTEM,
                attempt=attempt,
                details={
                    "channel": attempt.channel,
                    "handle": handle_id,
                    "at_local": ctx.now().astimezone(COURT_TZ).isoformat(),
                },
            )
            if not service.served_event:
                _served(ctx, session, service)
            session.commit()

    return handle
