"""Paying online, end to end: the order at the provider, the provider's notification, and the
order query that finds a payment whose notification never came (or came while this server was
down). Async where the provider is called; every database step runs in a worker thread, in its
own short transaction, so nothing is held open across a call to the provider.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from fees.context import COURT_TZ, FeesContext
from fees.errors import ProviderUnavailableError
from fees.payments import (
    ProviderPayment,
    book_payment,
    mismatches,
    new_order,
    note_notification,
    open_order,
    order_failed,
    set_code_url,
)
from fees.provider import NOTIFY_PATH, Provider
from fees.receipts import enqueue_receipt
from fees.tables import FeeAccount, FeeOrder, FeeParty
from fees.wechatpay.errors import NotificationError, ProviderError
from fees.wechatpay.notifications import PaymentNotice, RefundNotice, decode_notification

__all__ = [
    "NotificationAnswer",
    "handle_notification",
    "start_order",
    "sync_order",
]

logger = logging.getLogger(__name__)


def _provider(ctx: FeesContext) -> Provider:
    if ctx.provider is None:
        raise ProviderUnavailableError(
            "online payment is not available",
            "本院暂未开通在线缴费，请按缴费通知书所列账户转账缴费",
            reason="fees_no_provider",
        )
    return ctx.provider


async def start_order(
    ctx: FeesContext, account_id: int, payer_ref: str | None, payer_phone: str
) -> FeeOrder:
    """The order to pay what is due now: one still open for that amount, else a new one."""
    provider = _provider(ctx)

    def prepare() -> tuple[FeeOrder, bool]:
        with ctx.session_factory() as session:
            account = session.get(FeeAccount, account_id)
            assert account is not None
            found = open_order(session, ctx, account)
            if found is not None:
                return found, False
            party = session.scalars(
                select(FeeParty).where(
                    FeeParty.account_id == account_id, FeeParty.party_ref == payer_ref
                )
            ).first()
            name = party.name if party else "交款人"
            return new_order(session, ctx, account, party, name, payer_phone), True

    order, fresh = await asyncio.to_thread(prepare)
    if not fresh:
        return order
    account = await asyncio.to_thread(_account, ctx, account_id)
    try:
        async with provider.client() as client:
            code_url = await client.create_native_order(
                order.out_trade_no,
                f"{account.court_name}诉讼费（{account.case_number}）"[:127],
                order.amount_fen,
                ctx.link(NOTIFY_PATH),
                order.expires_at.astimezone(COURT_TZ),
            )
    except ProviderError as exc:
        await asyncio.to_thread(_failed, ctx, order.id, str(exc))
        raise ProviderUnavailableError(
            f"the payment provider did not answer: {exc}",
            "支付平台暂时无法下单，请稍后再试",
            reason="fees_provider_down",
        ) from exc

    def save() -> FeeOrder:
        with ctx.session_factory() as session:
            stored = session.get(FeeOrder, order.id)
            assert stored is not None
            set_code_url(session, stored, code_url)
            return stored

    return await asyncio.to_thread(save)


def _account(ctx: FeesContext, account_id: int) -> FeeAccount:
    with ctx.session_factory() as session:
        account = session.get(FeeAccount, account_id)
        assert account is not None
        return account


def _failed(ctx: FeesContext, order_id: int, why: str) -> None:
    with ctx.session_factory() as session:
        order = session.get(FeeOrder, order_id)
        if order is not None:
            order_failed(session, order, why, ctx.now())


def book(ctx: FeesContext, paid: ProviderPayment, *, by: str) -> tuple[str, str | None]:
    """Book what the provider says was paid: ``booked``, ``duplicate``, ``unknown_order`` or
    ``mismatch``, with what did not match (the caller records it)."""
    provider = _provider(ctx)
    with ctx.session_factory() as session:
        order = session.scalars(
            select(FeeOrder).where(FeeOrder.out_trade_no == paid.out_trade_no)
        ).first()
        if order is None:
            return "unknown_order", None
        wrong = mismatches(order, paid, provider.credentials.mchid, provider.credentials.appid)
        if wrong:
            return "mismatch", (
                f"{by}: {', '.join(wrong)} (paid {paid.total_fen} {paid.currency}, "
                f"ordered {order.amount_fen})"
            )
        receipt = book_payment(session, ctx, order, paid, by=by)
        if receipt is None:
            session.rollback()
            return "duplicate", None
        enqueue_receipt(ctx, session, receipt)
        session.commit()
        return "booked", None


async def sync_order(ctx: FeesContext, out_trade_no: str, *, by: str = "query") -> str:
    """Ask the provider about an order and book it if it was paid: the booking outcome, or the
    provider's state (``NOTPAY``, ``CLOSED`` …)."""
    provider = _provider(ctx)
    async with provider.client() as client:
        state = await client.query_order(out_trade_no)

    def after() -> str:
        with ctx.session_factory() as session:
            order = session.scalars(
                select(FeeOrder).where(FeeOrder.out_trade_no == out_trade_no)
            ).first()
            if order is not None:
                order.queried_at = ctx.now()
                if state.trade_state == "CLOSED" and order.status == "created":
                    order.status = "closed"
                session.commit()
        if state.trade_state not in ("SUCCESS", "REFUND") or state.transaction_id is None:
            return state.trade_state
        paid = ProviderPayment(
            out_trade_no=state.out_trade_no,
            transaction_id=state.transaction_id,
            trade_state=state.trade_state,
            total_fen=state.total_fen or 0,
            currency=state.currency or "",
            mchid=state.mchid,
            appid=state.appid,
            success_time=state.success_time or ctx.now(),
        )
        outcome, detail = book(ctx, paid, by=by)
        if outcome == "mismatch":
            with ctx.session_factory() as session:
                note_notification(
                    session,
                    ctx.now(),
                    outcome=outcome,
                    reference=out_trade_no,
                    detail=detail,
                    flagged=True,
                )
                session.commit()
        return outcome

    return await asyncio.to_thread(after)


def due_for_query(order: FeeOrder, now: datetime, every: timedelta) -> bool:
    if order.status != "created":
        return False
    last = order.queried_at or order.created_at
    return now - last >= every


@dataclass(frozen=True, slots=True)
class NotificationAnswer:
    status: int
    body: dict[str, str] | None


def _payment(notice: PaymentNotice) -> ProviderPayment:
    return ProviderPayment(
        out_trade_no=notice.out_trade_no,
        transaction_id=notice.transaction_id,
        trade_state=notice.trade_state,
        total_fen=notice.amount.total_fen,
        currency=notice.amount.currency,
        mchid=notice.mchid,
        appid=notice.appid,
        success_time=notice.success_time,
    )


def handle_notification(
    ctx: FeesContext, headers: Mapping[str, str], body: bytes
) -> tuple[NotificationAnswer, PaymentNotice | RefundNotice | None]:
    """Verify, decode, book (blocking: run in a thread). A notification that fails a check is
    recorded and flagged and answered 401 (WeChat Pay then retries; a forged one never
    passes); an unknown order is answered 404 so that the provider tries again later (it may be
    an order this server has not committed yet); anything booked or known answers 200."""
    provider = _provider(ctx)
    creds = provider.credentials
    try:
        notice = decode_notification(
            headers,
            body,
            platform_keys=creds.platform_keys,
            apiv3_key=creds.apiv3_key,
            now=provider.clock(),
            window_s=provider.window_s,
        )
    except NotificationError as exc:
        with ctx.session_factory() as session:
            note_notification(
                session, ctx.now(), outcome="rejected", detail=str(exc)[:500], flagged=True
            )
            session.commit()
        logger.warning("payment notification rejected: %s", exc.reason)
        return NotificationAnswer(401, {"code": "FAIL", "message": exc.reason}), None
    if isinstance(notice, RefundNotice):
        return NotificationAnswer(200, None), notice
    outcome, detail = book(ctx, _payment(notice), by="notification")
    with ctx.session_factory() as session:
        note_notification(
            session,
            ctx.now(),
            outcome=outcome,
            notification_id=notice.notification_id,
            event_type=notice.event_type,
            reference=notice.out_trade_no,
            detail=detail,
            flagged=outcome in ("unknown_order", "mismatch"),
        )
        session.commit()
    if outcome == "unknown_order":
        return NotificationAnswer(404, {"code": "FAIL", "message": "unknown order"}), notice
    return NotificationAnswer(200, None), notice
