"""Consumer ``dossier.materials_in``: materials the system makes arrive in the dossier by
themselves.

- ``transcript.signed`` (hearing server): each filed document is read from the shared document
  store (``host.exchange``), its SHA-256 checked, and filed in the main volume: the signed
  transcript as ``hearing_transcript``, the recording digest list as ``recording_digests``
  (with a PDF of it for reading), the correction requests and their answers as
  ``record_corrections``, anything else as ``other``; ``source_ref``
  ``hearing:<hearing>:doc:<document>``.
- ``notice.sent`` (hearing server): the notice as sent, rendered as a PDF, ``source_ref``
  ``notice:<notice>``, typed by its kind (:data:`NOTICE_TYPES`): a notice calling people to the
  hearing (开庭通知, its change or cancellation) ``notice`` (传票、出庭通知, before the record),
  the request to read and sign the record ``record_notice`` (kept with the record, after it);
  a personal invitation or signing link's token in it is replaced (:func:`redact_links`): the
  dossier may publish the notice, never the credential.
- ``fees.receipt_issued`` (fee service): the sealed receipt PDF, read from ``host.exchange`` and
  checked, filed as ``receipt``; ``source_ref`` ``fees:receipt:<number>``.
- ``delivery.proof_issued`` (delivery service): the sealed proof of service (送达回证), read from
  ``host.exchange`` and checked, filed as ``service_proof``; ``source_ref``
  ``delivery:proof:<service>``.
- ``ledger.order_document`` (investigation-order ledger): the order's documents, filed as
  ``investigation_order`` / ``investigation_order_response`` (:mod:`dossier.publish.ledger_in`);
  ``source_ref`` ``ledger:<order number>:<step>``; an unknown case is logged and skipped.

A re-delivered event finds its materials (:func:`~dossier.materials.store.find_by_source`) and
changes nothing. A case not (yet) in the register, or a file whose digest differs from the
event's, raises :class:`MaterialNotReadyError`: the event is retried later, and a wrong file is
never filed. Each material filed is audited (the system as actor) and announced with
``dossier.material_added``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from court_events.delivery import PROOF_ISSUED
from court_events.fees import FEE_RECEIPT_ISSUED
from court_events.hearing import NOTICE_SENT, TRANSCRIPT_SIGNED, FiledDocument
from court_events.ledger import ORDER_DOCUMENT
from dossier.context import COURT_TZ, DossierContext
from dossier.materials.store import NewFile, add_material, find_by_source
from dossier.models import DossierCase
from dossier.publish.incoming import (
    PDF,
    SYSTEM,
    MaterialNotReadyError,
    announce_material,
    archived,
)
from dossier.publish.ledger_in import on_order_document
from dossier.publish.pdf import page_count, text_pdf
from tingshen_platform.blobs import BlobStore
from tingshen_platform.events import Event, orm_session

__all__ = ["NOTICE_TYPES", "MaterialNotReadyError", "handlers"]

logger = logging.getLogger(__name__)

DOCUMENT_TYPES = {
    "signed_transcript": "hearing_transcript",
    "recording_digests": "recording_digests",
    "correction_requests": "record_corrections",
}
DOCUMENT_TITLES = {
    "signed_transcript": "庭审笔录（已签名）",
    "recording_digests": "庭审录音录像文件摘要清单",
    "correction_requests": "笔录更正申请及处理",
}
NOTICE_TITLES = {
    "hearing_notice": "开庭通知",
    "reschedule_notice": "变更开庭通知",
    "cancel_notice": "取消开庭通知",
    "sign_request": "笔录签名通知",
}
NOTICE_TYPES = {
    "hearing_notice": "notice",
    "reschedule_notice": "notice",
    "cancel_notice": "notice",
    "sign_request": "record_notice",
}
"""A notice's material type (``dossier/data/material_types.toml``) by its kind: where it goes in
the archive's default order (a notice of a kind not listed: ``notice``)."""
ROLE_NAMES = {
    "plaintiff": "原告", "defendant": "被告", "third_party": "第三人", "agent": "代理人",
    "witness": "证人", "expert": "鉴定人", "interpreter": "翻译人员",
}  # fmt: skip
CHANNEL_NAMES = {"sms": "短信", "email": "电子邮件"}


LINK_TOKEN = re.compile(r"(/(?:join|sign)/)[A-Za-z0-9._~%-]{8,}")
"""A personal invitation or signing link's token: a credential of the person it was sent to."""
REDACTED = "（链接已隐去）"


def redact_links(text: str) -> str:
    """The notice's text as filed: personal link tokens replaced (the dossier keeps what was
    said, never a live credential that a published copy would hand to someone else)."""
    return LINK_TOKEN.sub(lambda m: f"{m.group(1)}{REDACTED}", text)


def _case(session: Session, case_number: str) -> DossierCase:
    case = session.scalars(
        select(DossierCase).where(DossierCase.case_number == case_number)
    ).first()
    if case is None:
        raise MaterialNotReadyError(f"case {case_number} is not in the register yet")
    return case


def _read_checked(exchange: BlobStore, document: FiledDocument) -> bytes:
    data = exchange.get(document.blob_key)
    digest = hashlib.sha256(data).hexdigest()
    if digest != document.sha256:
        logger.error(
            "document %s (%s) does not match its digest: refused, the event will be retried",
            document.document_id, document.blob_key,
        )  # fmt: skip
        raise MaterialNotReadyError(f"document {document.document_id}: sha256 mismatch")
    return data


def _digests_text(data: bytes) -> str:
    """The recording digest list as people read it (the JSON as filed, if it is not the
    expected format)."""
    try:
        listing = json.loads(data)
        rows = [
            f"{r['name']}\n  SHA-256: {r['sha256']}\n  {int(r['size_bytes'])} 字节，"
            f"{int(r['duration_ms']) / 1000:.1f} 秒"
            for r in listing["recordings"]
        ]
    except (ValueError, KeyError, TypeError):
        return data.decode("utf-8", errors="replace")
    return "\n".join(rows) or "（无录音）"


def _new_file(document: FiledDocument, data: bytes, title: str, case: DossierCase) -> NewFile:
    if document.media_type == "application/pdf":
        return NewFile(document.filename, document.media_type, data, page_count=page_count(data))
    if document.kind == "recording_digests":
        text = _digests_text(data)
    else:
        text = data.decode("utf-8", errors="replace")
    pdf = text_pdf(title, [("案号", case.case_number)], text)
    return NewFile(
        document.filename, document.media_type, data, pdf=pdf, page_count=page_count(pdf), text=text
    )


def on_transcript_signed(ctx: DossierContext, connection: Connection, event: Event) -> None:
    signed = event.parse(TRANSCRIPT_SIGNED)
    with orm_session(connection) as session:
        case = _case(session, signed.case_number)
        if archived(session, case, event, event.occurred_at):
            return
        for document in signed.documents:
            source_ref = f"hearing:{signed.hearing_id}:doc:{document.document_id}"
            if find_by_source(session, case.id, source_ref) is not None:
                continue
            data = _read_checked(ctx.host.exchange, document)
            title = DOCUMENT_TITLES.get(document.kind, document.filename)
            material = add_material(
                session, ctx.files, case=case, volume="main",
                material_type=DOCUMENT_TYPES.get(document.kind, "other"), title=title,
                source="hearing", new=_new_file(document, data, title, case), author=SYSTEM,
                at=event.occurred_at, source_ref=source_ref, hearing_id=signed.hearing_id,
            )  # fmt: skip
            announce_material(
                connection, session, case, material, document.sha256, event.occurred_at
            )


def notice_pdf(case_number: str, kind: str, fields: list[tuple[str, str]], body: str) -> bytes:
    return text_pdf(NOTICE_TITLES.get(kind, "通知书"), [("案号", case_number), *fields], body)


def on_notice_sent(ctx: DossierContext, connection: Connection, event: Event) -> None:
    sent = event.parse(NOTICE_SENT)
    with orm_session(connection) as session:
        case = _case(session, sent.case_number)
        if archived(session, case, event, event.occurred_at):
            return
        source_ref = f"notice:{sent.notice_id}"
        if find_by_source(session, case.id, source_ref) is not None:
            return
        role = ROLE_NAMES.get(sent.recipient_role, sent.recipient_role)
        when = sent.sent_at.astimezone(COURT_TZ).strftime("%Y年%m月%d日 %H:%M")
        fields = [
            ("收件人", f"{role} {sent.recipient_name}"),
            ("发送方式", CHANNEL_NAMES.get(sent.channel, sent.channel)),
            ("发送至", sent.sent_to),
            ("发送时间", f"{when}（北京时间）"),
        ]
        if sent.subject:
            fields.append(("标题", redact_links(sent.subject)))
        text = redact_links(sent.body_text)
        pdf = notice_pdf(case.case_number, sent.kind, fields, text)
        title = f"{NOTICE_TITLES.get(sent.kind, '通知书')}（{role} {sent.recipient_name}）"
        name = f"notice-{sent.notice_id}.pdf"
        material = add_material(
            session, ctx.files, case=case, volume="main",
            material_type=NOTICE_TYPES.get(sent.kind, "notice"),
            title=title[:300], source="system",
            new=NewFile(name, PDF, pdf, page_count=page_count(pdf), text=text),
            author=SYSTEM, at=event.occurred_at, source_ref=source_ref,
            hearing_id=sent.hearing_id,
        )  # fmt: skip
        sha256 = hashlib.sha256(pdf).hexdigest()
        announce_material(connection, session, case, material, sha256, event.occurred_at)


def on_fee_receipt_issued(ctx: DossierContext, connection: Connection, event: Event) -> None:
    """The fee service's sealed receipt, filed as the case's ``receipt`` material."""
    issued = event.parse(FEE_RECEIPT_ISSUED)
    with orm_session(connection) as session:
        case = _case(session, issued.case_number)
        if archived(session, case, event, event.occurred_at):
            return
        source_ref = f"fees:receipt:{issued.receipt_number}"
        if find_by_source(session, case.id, source_ref) is not None:
            return
        data = ctx.host.exchange.get(issued.blob_key)
        if hashlib.sha256(data).hexdigest() != issued.sha256:
            raise MaterialNotReadyError(f"receipt {issued.receipt_number}: sha256 mismatch")
        title = f"诉讼费收据（{issued.payer_name}，票据号{issued.receipt_number}）"
        name = f"receipt-{issued.receipt_number}.pdf"
        material = add_material(
            session, ctx.files, case=case, volume="main", material_type="receipt",
            title=title[:300], source="system",
            new=NewFile(name, PDF, data, page_count=page_count(data)),
            author=SYSTEM, at=event.occurred_at, source_ref=source_ref,
        )  # fmt: skip
        announce_material(connection, session, case, material, issued.sha256, event.occurred_at)


def on_proof_issued(ctx: DossierContext, connection: Connection, event: Event) -> None:
    """The delivery service's sealed proof of service, filed as ``service_proof``."""
    issued = event.parse(PROOF_ISSUED)
    with orm_session(connection) as session:
        case = _case(session, issued.case_number)
        if archived(session, case, event, event.occurred_at):
            return
        source_ref = f"delivery:proof:{issued.service_id}"
        if find_by_source(session, case.id, source_ref) is not None:
            return
        data = ctx.host.exchange.get(issued.blob_key)
        if hashlib.sha256(data).hexdigest() != issued.sha256:
            raise MaterialNotReadyError(f"proof of service {issued.service_id}: sha256 mismatch")
        title = f"送达回证（{issued.recipient_name}，{issued.document_title}）"
        material = add_material(
            session, ctx.files, case=case, volume="main", material_type="service_proof",
            title=title[:300], source="system",
            new=NewFile(f"service-proof-{issued.service_id}.pdf", PDF, data,
                        page_count=page_count(data)),
            author=SYSTEM, at=event.occurred_at, source_ref=source_ref,
        )  # fmt: skip
        announce_material(connection, session, case, material, issued.sha256, event.occurred_at)


def handlers(ctx: DossierContext) -> dict[str, Callable[[Connection, Event], None]]:
    """The consumer's handlers, bound to the service's context."""

    def transcript(connection: Connection, event: Event) -> None:
        on_transcript_signed(ctx, connection, event)

    def notice(connection: Connection, event: Event) -> None:
        on_notice_sent(ctx, connection, event)

    def receipt(connection: Connection, event: Event) -> None:
        on_fee_receipt_issued(ctx, connection, event)

    def proof(connection: Connection, event: Event) -> None:
        on_proof_issued(ctx, connection, event)

    def order_document(connection: Connection, event: Event) -> None:
        on_order_document(ctx, connection, event)

    return {
        TRANSCRIPT_SIGNED.name: transcript,
        NOTICE_SENT.name: notice,
        FEE_RECEIPT_ISSUED.name: receipt,
        PROOF_ISSUED.name: proof,
        ORDER_DOCUMENT.name: order_document,
    }
