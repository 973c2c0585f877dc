"""Periodic work of the fee service (one process of a cluster at a time is enough, but two do no
harm: every booking is once): orders still waiting are asked about (a payment whose
notification never came, or came while no server was up, is booked from the query), refunds
under way at the provider are asked about too, and from 10:00 each day yesterday's trade bill is
reconciled (once; the finance officer can run any day again by hand)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy import select

from fees.audit import SYSTEM
from fees.checkout import due_for_query, sync_order
from fees.context import COURT_TZ, FeesContext
from fees.payments import PROVIDER
from fees.reconciliation import run_reconciliation
from fees.refunds import complete_refund
from fees.tables import FeeOrder, FeeReconciliation, FeeRefund
from fees.wechatpay.errors import WechatPayError

__all__ = ["QUERY_AFTER", "reconcile_yesterday", "watch_loop", "watch_once"]

logger = logging.getLogger(__name__)
QUERY_AFTER = timedelta(minutes=1)


async def watch_once(ctx: FeesContext) -> int:
    """Query every waiting order and refund due for it; how many were asked about."""
    if ctx.provider is None:
        return 0
    now = ctx.now()

    def due() -> tuple[list[str], list[int]]:
        with ctx.session_factory() as session:
            orders = session.scalars(select(FeeOrder).where(FeeOrder.status == "created")).all()
            refunds = session.scalars(
                select(FeeRefund.id).where(FeeRefund.status == "processing")
            ).all()
            return [o.out_trade_no for o in orders if due_for_query(o, now, QUERY_AFTER)], list(
                refunds
            )

    orders, refunds = await asyncio.to_thread(due)
    for out_trade_no in orders:
        try:
            await sync_order(ctx, out_trade_no)
        except WechatPayError as exc:
            logger.warning("order %s: the provider did not answer: %s", out_trade_no, exc)
    for refund_id in refunds:
        await _refund(ctx, refund_id)
    return len(orders) + len(refunds)


async def _refund(ctx: FeesContext, refund_id: int) -> None:
    provider = ctx.provider
    assert provider is not None

    def load() -> str:
        with ctx.session_factory() as session:
            refund = session.get(FeeRefund, refund_id)
            assert refund is not None
            return refund.out_refund_no

    number = await asyncio.to_thread(load)
    try:
        async with provider.client() as client:
            state = await client.query_refund(number)
    except WechatPayError as exc:
        logger.warning("refund %s: the provider did not answer: %s", number, exc)
        return
    if state.status != "SUCCESS":
        return

    def book() -> None:
        with ctx.session_factory() as session:
            refund = session.get(FeeRefund, refund_id)
            assert refund is not None
            complete_refund(
                session,
                ctx,
                refund,
                actor=PROVIDER,
                provider_refund_id=state.refund_id,
                at=state.success_time,
            )
            session.commit()

    await asyncio.to_thread(book)


RECONCILE_FROM_HOUR = 10
"""WeChat Pay's trade bill of a day is ready from 10:00 the next day (Beijing)."""


async def reconcile_yesterday(ctx: FeesContext) -> int | None:
    """Yesterday's reconciliation, once, after the bill is ready (the report's id, or ``None``
    when it is not due or was done)."""
    if ctx.provider is None:
        return None
    now = ctx.now().astimezone(COURT_TZ)
    if now.hour < RECONCILE_FROM_HOUR:
        return None
    yesterday = now.date() - timedelta(days=1)

    def done() -> bool:
        with ctx.session_factory() as session:
            found = session.scalar(
                select(FeeReconciliation.id).where(FeeReconciliation.bill_date == yesterday)
            )
            return found is not None

    if await asyncio.to_thread(done):
        return None
    return await run_reconciliation(ctx, yesterday, SYSTEM)


async def watch_loop(ctx: FeesContext, stop: asyncio.Event, every_s: float) -> None:
    while not stop.is_set():
        try:
            await watch_once(ctx)
            await reconcile_yesterday(ctx)
        except Exception:
            logger.exception("fees: the periodic query failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_s)
