"""The day's reconciliation against the provider's trade bill (对账), as the finance officer
runs it (or the daily job, for yesterday): the bill is fetched through the protocol, streamed
through :func:`fees.reconcile.reconcile` against the service's own orders and refunds, and every
payment in the bill that was never booked here (its notification lost) is asked about and
booked, once. The report is kept (``fee_reconciliations``) with what was done.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select

from fees.audit import Actor, record
from fees.checkout import sync_order
from fees.context import COURT_TZ, FeesContext
from fees.errors import ProviderUnavailableError
from fees.reconcile import LocalTransaction, ReconcileReport, reconcile
from fees.tables import FeeOrder, FeeReconciliation, FeeRefund
from fees.wechatpay.bill import iter_trade_bill
from fees.wechatpay.errors import ProviderError, WechatPayError

__all__ = ["NO_BILL", "local_records", "report_items", "run_reconciliation"]

NO_BILL = "NO_STATEMENT_EXIST"
"""WeChat Pay's answer for a day with no transaction: there is no bill."""


def _window(bill_date: date) -> tuple[datetime, datetime]:
    """Two days around the bill's Beijing day: what might belong to it or to a neighbour."""
    start = datetime.combine(bill_date - timedelta(days=1), time(), COURT_TZ)
    return start, start + timedelta(days=3)


def local_records(ctx: FeesContext, bill_date: date) -> list[LocalTransaction]:
    start, end = _window(bill_date)
    records: list[LocalTransaction] = []
    with ctx.session_factory() as session:
        orders = session.scalars(
            select(FeeOrder).where(
                FeeOrder.channel == "wechat",
                or_(
                    FeeOrder.paid_at.between(start, end),
                    (FeeOrder.status == "created") & FeeOrder.created_at.between(start, end),
                ),
            )
        ).all()
        by_id = {o.id: o for o in orders}
        for order in orders:
            paid = order.status == "paid" and order.paid_at is not None
            records.append(
                LocalTransaction(
                    kind="payment",
                    reference=order.out_trade_no,
                    amount_fen=order.amount_fen,
                    status="paid" if paid else "pending",
                    booked_at=order.paid_at if paid and order.paid_at else order.created_at,
                    provider_id=order.transaction_id,
                    provider_time=order.paid_at if paid else None,
                )
            )
        refunds = session.scalars(
            select(FeeRefund).where(
                FeeRefund.channel == "original",
                FeeRefund.status.in_(("processing", "succeeded")),
                FeeRefund.decided_at.between(start, end),
            )
        ).all()
        for refund in refunds:
            paid_order = by_id.get(refund.order_id or 0) or session.get(FeeOrder, refund.order_id)
            records.append(
                LocalTransaction(
                    kind="refund",
                    reference=refund.out_refund_no,
                    amount_fen=refund.amount_fen,
                    status="refunded" if refund.status == "succeeded" else "pending",
                    booked_at=refund.decided_at or refund.applied_at,
                    provider_id=refund.provider_refund_id,
                    out_trade_no=paid_order.out_trade_no if paid_order is not None else None,
                )
            )
    return records


def report_items(report: ReconcileReport) -> dict[str, Any]:
    return {
        "missing": [
            {"kind": m.local.kind, "reference": m.local.reference, "amount_fen": m.local.amount_fen}
            for m in report.missing
        ],
        "extra": [
            {
                "kind": e.kind,
                "reference": e.reference,
                "amount_fen": e.amount_fen,
                "reason": e.reason,
            }
            for e in report.extra
        ],
        "mismatched": [
            {
                "kind": m.kind,
                "reference": m.reference,
                "field": m.field,
                "bill_value": m.bill_value,
                "local_value": m.local_value,
            }
            for m in report.mismatched
        ],
        "boundary": [
            {
                "kind": b.local.kind,
                "reference": b.local.reference,
                "expected_in": b.expected_in.isoformat(),
                "reason": b.reason,
            }
            for b in report.boundary
        ],
    }


def _summary(report: ReconcileReport, booked: int) -> dict[str, Any]:
    return {
        "matched": report.matched,
        "missing": len(report.missing),
        "extra": len(report.extra),
        "mismatched": len(report.mismatched),
        "boundary": len(report.boundary),
        "booked_now": booked,
        "bill_total_fen": report.bill.net_fen,
        "local_total_fen": report.local.net_fen,
        "clean": report.clean,
    }


async def run_reconciliation(ctx: FeesContext, bill_date: date, actor: Actor) -> int:
    """Reconcile ``bill_date``; the stored report's id."""
    provider = ctx.provider
    if provider is None:
        raise ProviderUnavailableError(
            "online payment is not configured",
            "本院未开通在线缴费，无需对账",
            reason="fees_no_provider",
        )
    content: bytes | None
    try:
        async with provider.client() as client:
            content = await client.trade_bill(bill_date)
    except ProviderError as exc:
        if exc.code != NO_BILL:
            raise ProviderUnavailableError(
                f"the bill could not be fetched: {exc}",
                "支付平台的对账单暂时无法下载，请稍后再试",
                reason="fees_bill_unavailable",
            ) from exc
        content = None  # no transaction that day: whatever was booked here is missing there
    except WechatPayError as exc:
        raise ProviderUnavailableError(
            f"the bill could not be fetched: {exc}",
            "支付平台的对账单暂时无法下载，请稍后再试",
            reason="fees_bill_unavailable",
        ) from exc
    local = await asyncio.to_thread(local_records, ctx, bill_date)
    reader = iter_trade_bill(content.decode("utf-8-sig").splitlines()) if content else None
    report = reconcile(reader if reader is not None else (), local, bill_date=bill_date)
    booked = 0
    for extra in report.extra:
        if extra.kind == "payment" and extra.reason in ("not_booked", "pending"):
            try:
                outcome = await sync_order(ctx, extra.reference, by="reconciliation")
            except WechatPayError:
                continue
            booked += outcome == "booked"

    def store() -> int:
        with ctx.session_factory() as session:
            row = FeeReconciliation(
                bill_date=bill_date,
                created_at=ctx.now(),
                created_by=actor[1],
                bill_lines=reader.summary.count if reader is not None else 0,
                bill_sha256=hashlib.sha256(content or b"").hexdigest(),
                summary=_summary(report, booked),
                items=report_items(report),
            )
            session.add(row)
            session.flush()
            record(
                session,
                actor,
                "reconciliation.run",
                at=ctx.now(),
                account_id=None,
                details={"bill_date": bill_date.isoformat(), **_summary(report, booked)},
            )
            session.commit()
            return row.id

    return await asyncio.to_thread(store)
