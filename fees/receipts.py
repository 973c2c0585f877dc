"""Issuing a receipt once a payment is booked (job queue ``fees.receipt``): the PDF with its
number, verification code and QR code, sealed with the court's key (``ServiceHost.seal``, PAdES
through ``signing``) where this process holds it, kept in the service's files; an SMS to the
payer with the voucher and the receipt's link; and ``fees.receipt_issued`` with the PDF in the
exchange store, for the dossier to file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from court_events.fees import FEE_RECEIPT_ISSUED, FeeReceiptIssued
from fees.audit import SYSTEM, record
from fees.context import COURT_TZ, FeesContext
from fees.documents import Payer, PaymentChannel, ReceiptDocument, receipt_pdf
from fees.money import format_yuan
from fees.sending import queue_message
from fees.tables import FeeAccount, FeeOrder, FeeParty, FeeReceipt
from tingshen_platform.events import publish
from tingshen_platform.fonts import find_cjk_font
from tingshen_platform.jobs import Job

__all__ = ["RECEIPT_QUEUE", "receipt_handler", "receipt_link", "verify_link"]

RECEIPT_QUEUE = "fees.receipt"
CHANNELS = {
    "wechat": PaymentChannel.wechat,
    "bank_transfer": PaymentChannel.bank_transfer,
    "cash": PaymentChannel.cash,
}
ROLE_NAMES = {"plaintiff": "原告", "defendant": "被告", "third_party": "第三人", "agent": "代理人"}


def receipt_link(ctx: FeesContext, account: FeeAccount, receipt: FeeReceipt) -> str:
    return ctx.link(f"/fees/pay.html?t={account.pay_token}&receipt={receipt.number}")


def verify_link(ctx: FeesContext, receipt: FeeReceipt) -> str:
    return ctx.link(f"/fees/verify.html?n={receipt.number}&c={receipt.verify_code}")


def enqueue_receipt(ctx: FeesContext, session: Session, receipt: FeeReceipt) -> None:
    ctx.host.jobs.enqueue(
        RECEIPT_QUEUE,
        {"receipt_id": receipt.id},
        key=f"receipt:{receipt.id}",
        connection=session.connection(),
    )


def _pdf(ctx: FeesContext, session: Session, receipt: FeeReceipt, font: Path) -> bytes:
    order = session.get(FeeOrder, receipt.order_id)
    account = session.get(FeeAccount, receipt.account_id)
    assert order is not None and account is not None and order.paid_at is not None
    party = (
        session.query(FeeParty).filter_by(account_id=account.id, party_ref=order.party_ref).first()
    )
    document = ReceiptDocument(
        court=account.court_name,
        receipt_number=receipt.number,
        verification_code=receipt.verify_code,
        payer=Payer(order.payer_name, ROLE_NAMES.get(party.role, "交款人") if party else "交款人"),
        case_number=account.case_number,
        notice_code=account.notice_code or "",
        amount_fen=order.amount_fen,
        channel=CHANNELS.get(order.channel, PaymentChannel.wechat),
        transaction_id=order.transaction_id or "",
        paid_at=order.paid_at,
        verify_url=verify_link(ctx, receipt),
    )
    pdf = receipt_pdf(document, font=font)
    seal = ctx.host.seal
    return seal(pdf, "诉讼费收据") if seal is not None else pdf


def receipt_handler(
    ctx: FeesContext, font: Callable[[], Path] = find_cjk_font
) -> Callable[[Job], None]:
    def handle(job: Job) -> None:
        with ctx.session_factory() as session:
            receipt = session.get(FeeReceipt, int(job.payload["receipt_id"]))
            if receipt is None or receipt.blob_key is not None:
                return
            pdf = _pdf(ctx, session, receipt, font())
            key = f"receipts/{receipt.number}.pdf"
            ctx.files.put(key, pdf)
            ctx.host.exchange.put(f"fees/{key}", pdf)
            digest = hashlib.sha256(pdf).hexdigest()
            receipt.blob_key, receipt.sha256 = key, digest
            order = session.get(FeeOrder, receipt.order_id)
            account = session.get(FeeAccount, receipt.account_id)
            assert order is not None and account is not None and order.paid_at is not None
            if order.payer_phone:
                paid = order.paid_at.astimezone(COURT_TZ)
                serial = "交易单号" if order.channel == "wechat" else "流水号"
                text = (
                    f"【{account.court_name}】{order.payer_name}：您于{paid:%m月%d日%H:%M}缴纳"
                    f"{account.case_number}案诉讼费{format_yuan(order.amount_fen)}元，"
                    f"{CHANNELS.get(order.channel, PaymentChannel.wechat).value}"
                    f"{serial}{order.transaction_id}，"
                    f"票据号{receipt.number}。"
                    f"电子票据：{receipt_link(ctx, account, receipt)}"
                )
                queue_message(
                    session,
                    ctx,
                    account,
                    purpose="receipt",
                    channel="sms",
                    address=order.payer_phone,
                    text=text,
                    actor=SYSTEM,
                    party_ref=order.party_ref,
                )
            publish(
                session.connection(),
                FEE_RECEIPT_ISSUED,
                FeeReceiptIssued(
                    dossier_case_id=account.dossier_case_id,
                    case_number=account.case_number,
                    receipt_number=receipt.number,
                    amount_fen=order.amount_fen,
                    payer_name=order.payer_name,
                    paid_at=order.paid_at,
                    blob_key=f"fees/{key}",
                    sha256=digest,
                ),
                occurred_at=ctx.now(),
                stream=f"case:{account.dossier_case_id}",
            )
            record(
                session,
                SYSTEM,
                "receipt.issued",
                at=ctx.now(),
                account_id=account.id,
                details={
                    "number": receipt.number,
                    "sha256": digest,
                    "sealed": ctx.host.seal is not None,
                },
            )
            session.commit()

    return handle
