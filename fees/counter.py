"""Payments made outside the provider: a bank transfer to the court's fee account (the notice
prints it) or cash at the counter, recorded by staff with the bank's serial or the voucher's
number. Each is booked once (the serial is unique), gets its receipt like an online payment,
and is audited."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from fees import ledger
from fees.accounts import current_notice, payer_of
from fees.audit import Actor, record
from fees.codes import receipt_number, verification_code
from fees.context import FeesContext
from fees.errors import ConflictError
from fees.receipts import enqueue_receipt
from fees.tables import FeeAccount, FeeOrder, FeeReceipt

__all__ = ["CHANNEL_NAMES", "record_payment"]

CHANNEL_NAMES = {"bank_transfer": "银行转账", "cash": "现金"}


def record_payment(
    session: Session,
    ctx: FeesContext,
    account: FeeAccount,
    *,
    amount_fen: int,
    channel: str,
    reference: str,
    payer_name: str,
    actor: Actor,
) -> FeeOrder:
    if account.status != "open":
        raise ConflictError(
            "the case has ended", "案件已结案，不能再登记缴费", reason="fees_closed"
        )
    if session.scalar(select(FeeOrder.id).where(FeeOrder.transaction_id == reference)):
        raise ConflictError(
            f"payment {reference} is recorded already",
            f"流水号 {reference} 的缴费已经登记过",
            reason="fees_payment_recorded",
        )
    now = ctx.now()
    payer = payer_of(session, ctx, account.id)
    notice = current_notice(session, account.id)
    order = FeeOrder(
        account_id=account.id,
        out_trade_no=f"{account.notice_code}C{secrets.token_hex(4).upper()}",
        amount_fen=amount_fen,
        notice_version=notice.version if notice else 0,
        party_ref=payer.party_ref if payer else None,
        payer_name=payer_name,
        payer_phone=payer.phone if payer else None,
        status="paid",
        channel=channel,
        created_at=now,
        expires_at=now,
        transaction_id=reference,
        paid_at=now,
        booked_by="counter",
    )
    session.add(order)
    session.flush()
    ledger.book(
        session,
        account_id=account.id,
        kind="payment",
        reference=f"order:{order.out_trade_no}",
        memo=f"{CHANNEL_NAMES[channel]}缴费（{reference}）",
        postings=ledger.payment(amount_fen, "counter"),
        at=now,
        actor=actor[1],
    )
    receipt = FeeReceipt(
        account_id=account.id,
        order_id=order.id,
        number=receipt_number(now.year, account.court_id, order.id),
        verify_code=verification_code(),
        issued_at=now,
    )
    session.add(receipt)
    session.flush()
    enqueue_receipt(ctx, session, receipt)
    record(
        session,
        actor,
        "payment.recorded",
        at=now,
        account_id=account.id,
        details={
            "channel": channel,
            "reference": reference,
            "amount_fen": amount_fen,
            "payer": payer_name,
        },
    )
    return order
