"""Payments through the provider, booked once however they are learnt.

An order's life: :func:`new_order` commits the order row *before* the provider is asked for a
QR code (so a notification that overtakes the provider's answer still finds its order);
:func:`set_code_url` or :func:`order_failed` record the answer. The payment is booked by
:func:`book_payment`, called with what a verified notification, an order query or the daily
bill says; it books only when every field matches the order (amount, currency, merchant, app,
order number, state) and only once: a conditional update of the order's status decides which of
two racing callers books, and the ledger's unique reference backs it up. What does not match is
recorded in ``fee_notifications`` and flagged for the finance officer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fees import ledger
from fees.accounts import current_notice
from fees.audit import Actor, record
from fees.codes import order_number, receipt_number, verification_code
from fees.context import FeesContext
from fees.errors import ConflictError
from fees.tables import FeeAccount, FeeNotification, FeeOrder, FeeParty, FeeReceipt

__all__ = [
    "PROVIDER",
    "ProviderPayment",
    "book_payment",
    "new_order",
    "note_notification",
    "open_order",
    "order_failed",
    "set_code_url",
]

PROVIDER: Actor = ("provider", "微信支付")


@dataclass(frozen=True, slots=True)
class ProviderPayment:
    """What the provider says of a paid order (a notification, a query or a bill line)."""

    out_trade_no: str
    transaction_id: str
    trade_state: str
    total_fen: int
    currency: str
    mchid: str
    appid: str
    success_time: datetime


def open_order(session: Session, ctx: FeesContext, account: FeeAccount) -> FeeOrder | None:
    """An order of the account still waiting for payment, for the amount now due, with at least
    two minutes left: shown again instead of making another."""
    due = ledger.balances(session, account.id).outstanding_fen
    horizon = ctx.now() + timedelta(minutes=2)
    for order in session.scalars(
        select(FeeOrder)
        .where(FeeOrder.account_id == account.id, FeeOrder.status == "created")
        .order_by(FeeOrder.id.desc())
    ):
        if order.amount_fen == due and order.code_url and order.expires_at > horizon:
            return order
    return None


def new_order(
    session: Session,
    ctx: FeesContext,
    account: FeeAccount,
    payer: FeeParty | None,
    payer_name: str,
    payer_phone: str | None,
) -> FeeOrder:
    """A committed order for what is outstanding now."""
    if account.status != "open":
        raise ConflictError("the case has ended", "案件已结案，无需再缴费")
    due = ledger.balances(session, account.id).outstanding_fen
    if due <= 0:
        raise ConflictError("nothing is due", "本案诉讼费已交清，无需再缴费", reason="fees_paid")
    notice = current_notice(session, account.id)
    now = ctx.now()
    order = FeeOrder(
        account_id=account.id,
        out_trade_no=order_number(account.notice_code or ""),
        amount_fen=due,
        notice_version=notice.version if notice else 0,
        party_ref=payer.party_ref if payer else None,
        payer_name=payer_name,
        payer_phone=payer_phone,
        status="created",
        created_at=now,
        expires_at=now + timedelta(minutes=ctx.settings.order_minutes),
    )
    session.add(order)
    record(
        session,
        ("party", payer_name),
        "order.created",
        at=now,
        account_id=account.id,
        details={"out_trade_no": order.out_trade_no, "amount_fen": due},
    )
    session.commit()
    return order


def set_code_url(session: Session, order: FeeOrder, code_url: str) -> None:
    order.code_url = code_url
    session.commit()


def order_failed(session: Session, order: FeeOrder, why: str, at: datetime) -> None:
    order.status = "closed"
    record(
        session,
        PROVIDER,
        "order.failed",
        at=at,
        account_id=order.account_id,
        details={"out_trade_no": order.out_trade_no, "error": why},
    )
    session.commit()


def note_notification(
    session: Session,
    at: datetime,
    *,
    outcome: str,
    notification_id: str | None = None,
    event_type: str | None = None,
    reference: str | None = None,
    detail: str | None = None,
    flagged: bool = False,
) -> None:
    session.add(
        FeeNotification(
            received_at=at,
            notification_id=notification_id,
            event_type=event_type,
            reference=reference,
            outcome=outcome,
            detail=detail,
            flagged=flagged,
        )
    )


def mismatches(order: FeeOrder, paid: ProviderPayment, mchid: str, appid: str) -> list[str]:
    found = []
    if paid.out_trade_no != order.out_trade_no:
        found.append("out_trade_no")
    if paid.total_fen != order.amount_fen:
        found.append("amount")
    if paid.currency != "CNY":
        found.append("currency")
    if paid.mchid != mchid:
        found.append("mchid")
    if paid.appid != appid:
        found.append("appid")
    if paid.trade_state not in ("SUCCESS", "REFUND"):
        found.append("trade_state")
    return found


def book_payment(
    session: Session, ctx: FeesContext, order: FeeOrder, paid: ProviderPayment, *, by: str
) -> FeeReceipt | None:
    """Book ``paid`` against ``order`` (its fields checked by the caller with
    :func:`mismatches`); the receipt to issue, or ``None`` when it was booked already. The
    caller commits."""
    now = ctx.now()
    result = session.execute(
        update(FeeOrder)
        .where(FeeOrder.id == order.id, FeeOrder.status != "paid")
        .values(
            status="paid",
            transaction_id=paid.transaction_id,
            paid_at=paid.success_time,
            booked_by=by,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    session.refresh(order)
    entry = ledger.book(
        session,
        account_id=order.account_id,
        kind="payment",
        reference=f"order:{order.out_trade_no}",
        memo=f"微信支付缴费（交易单号{paid.transaction_id}）",
        postings=ledger.payment(paid.total_fen, "wechat"),
        at=now,
        actor=PROVIDER[1],
    )
    if entry is None:
        return None
    account = session.get(FeeAccount, order.account_id)
    assert account is not None
    receipt = FeeReceipt(
        account_id=order.account_id,
        order_id=order.id,
        number=receipt_number(paid.success_time.year, account.court_id, order.id),
        verify_code=verification_code(),
        issued_at=now,
    )
    session.add(receipt)
    record(
        session,
        PROVIDER,
        "payment.booked",
        at=now,
        account_id=order.account_id,
        details={
            "out_trade_no": order.out_trade_no,
            "transaction_id": paid.transaction_id,
            "amount_fen": paid.total_fen,
            "by": by,
        },
    )
    session.flush()
    return receipt
