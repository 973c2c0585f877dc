"""Refunds: what a party paid beyond the fee (a halved fee after mediation or withdrawal, a
reduction, a case that ended) goes back to them.

The party applies from the payment link (back through WeChat Pay, or to a bank account), or
staff record an application made at the counter; the finance officer approves or rejects. An
approved refund through the provider is submitted by a durable job (queue ``fees.refund``) with
the refund's own number (``out_refund_no``), so a retried job or a repeated request refunds
once; it completes on the provider's notification or a query. A refund to a bank account or in
cash is completed by the finance officer when the transfer is made. On completion the ledger
books it and the party is told by SMS.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fees import ledger
from fees.audit import Actor, record
from fees.codes import refund_number
from fees.context import FeesContext
from fees.errors import ConflictError, InvalidInputError
from fees.money import format_yuan
from fees.payments import PROVIDER, note_notification
from fees.provider import REFUND_NOTIFY_PATH
from fees.sending import queue_message
from fees.tables import FeeAccount, FeeOrder, FeeRefund
from fees.wechatpay.errors import ProviderError
from fees.wechatpay.notifications import RefundNotice
from tingshen_platform.jobs import Job, PermanentJobError

__all__ = [
    "PENDING",
    "REFUND_QUEUE",
    "apply_refund",
    "complete_refund",
    "decide_refund",
    "handle_refund_notice",
    "refund_handler",
    "refundable_fen",
]

REFUND_QUEUE = "fees.refund"
PENDING = ("applied", "approved", "processing")
CHANNEL_NAMES = {"original": "原支付渠道（微信支付）", "bank": "银行账户", "counter": "现金"}


def refundable_fen(session: Session, account: FeeAccount) -> int:
    """What may still be applied for: the ledger's credit balance less refunds under way."""
    pending = session.scalar(
        select(func.coalesce(func.sum(FeeRefund.amount_fen), 0)).where(
            FeeRefund.account_id == account.id, FeeRefund.status.in_(PENDING)
        )
    )
    return max(ledger.balances(session, account.id).refundable_fen - int(pending or 0), 0)


def apply_refund(
    session: Session,
    ctx: FeesContext,
    account: FeeAccount,
    *,
    channel: str,
    actor: Actor,
    party_ref: str | None,
    bank_details: dict[str, Any] | None = None,
) -> FeeRefund:
    amount = refundable_fen(session, account)
    if amount <= 0:
        raise ConflictError(
            "nothing to refund",
            "本案没有可退的诉讼费（或退费申请正在办理）",
            reason="fees_nothing_to_refund",
        )
    order_id = None
    if channel == "original":
        order = session.scalars(
            select(FeeOrder)
            .where(
                FeeOrder.account_id == account.id,
                FeeOrder.status == "paid",
                FeeOrder.amount_fen >= amount,
            )
            .order_by(FeeOrder.id.desc())
        ).first()
        if order is None:
            raise InvalidInputError(
                "no single online payment covers the refund",
                "没有可原路退回的微信支付缴费（或退费金额超过单笔缴费），请选择退至银行账户",
                reason="fees_refund_channel",
            )
        order_id = order.id
    elif channel == "bank" and (
        not bank_details
        or not all(
            str(bank_details.get(k, "")).strip() for k in ("bank", "account_name", "account_no")
        )
    ):
        raise InvalidInputError(
            "a bank refund needs the bank, account name and number",
            "退至银行账户须填写开户银行、户名和账号",
            reason="fees_bank_details",
        )
    sequence = (
        session.scalar(select(func.count(FeeRefund.id)).where(FeeRefund.account_id == account.id))
        or 0
    ) + 1
    now = ctx.now()
    refund = FeeRefund(
        account_id=account.id,
        out_refund_no=refund_number(account.notice_code or "", sequence),
        amount_fen=amount,
        channel=channel,
        order_id=order_id,
        bank_details=bank_details,
        status="applied",
        party_ref=party_ref,
        applied_by=actor[1],
        applied_at=now,
    )
    session.add(refund)
    session.flush()
    record(
        session,
        actor,
        "refund.applied",
        at=now,
        account_id=account.id,
        details={"refund": refund.out_refund_no, "amount_fen": amount, "channel": channel},
    )
    return refund


def decide_refund(
    session: Session,
    ctx: FeesContext,
    refund: FeeRefund,
    *,
    approve: bool,
    note: str,
    actor: Actor,
) -> None:
    if refund.status != "applied":
        raise ConflictError(
            "this refund was decided already", "该退费申请已处理", reason="fees_refund_decided"
        )
    now = ctx.now()
    refund.status = "approved" if approve else "rejected"
    refund.decided_by, refund.decided_at, refund.decision_note = actor[1], now, note or None
    record(
        session,
        actor,
        "refund.approved" if approve else "refund.rejected",
        at=now,
        account_id=refund.account_id,
        details={"refund": refund.out_refund_no, "note": note},
    )
    if approve and refund.channel == "original":
        ctx.host.jobs.enqueue(
            REFUND_QUEUE,
            {"refund_id": refund.id},
            key=f"refund:{refund.out_refund_no}",
            connection=session.connection(),
        )
    if not approve:
        _tell(session, ctx, refund, f"退费申请未获批准：{note}" if note else "退费申请未获批准")


def _phone(session: Session, refund: FeeRefund) -> str | None:
    order = session.scalars(
        select(FeeOrder)
        .where(FeeOrder.account_id == refund.account_id, FeeOrder.payer_phone.is_not(None))
        .order_by(FeeOrder.id.desc())
    ).first()
    return order.payer_phone if order else None


def _tell(session: Session, ctx: FeesContext, refund: FeeRefund, what: str) -> None:
    account = session.get(FeeAccount, refund.account_id)
    phone = _phone(session, refund)
    if account is None or phone is None:
        return
    text = (
        f"【{account.court_name}】{account.case_number}案退费"
        f"{format_yuan(refund.amount_fen)}元：{what}。"
    )
    queue_message(
        session,
        ctx,
        account,
        purpose="refund",
        channel="sms",
        address=phone,
        text=text,
        actor=PROVIDER if refund.channel == "original" else ("system", "系统"),
        party_ref=refund.party_ref,
    )


def complete_refund(
    session: Session,
    ctx: FeesContext,
    refund: FeeRefund,
    *,
    actor: Actor,
    provider_refund_id: str | None = None,
    at: datetime | None = None,
) -> bool:
    """Book a refund that was paid out (once); False if it was already."""
    if refund.status == "succeeded":
        return False
    now = ctx.now()
    channel = "wechat" if refund.channel == "original" else "counter"
    entry = ledger.book(
        session,
        account_id=refund.account_id,
        kind="refund",
        reference=f"refund:{refund.out_refund_no}",
        memo=f"退费（{CHANNEL_NAMES.get(refund.channel, refund.channel)}）",
        postings=ledger.refund(refund.amount_fen, channel),
        at=now,
        actor=actor[1],
    )
    if entry is None:
        return False
    refund.status = "succeeded"
    refund.completed_at = at or now
    refund.provider_refund_id = provider_refund_id or refund.provider_refund_id
    record(
        session,
        actor,
        "refund.completed",
        at=now,
        account_id=refund.account_id,
        details={"refund": refund.out_refund_no, "amount_fen": refund.amount_fen},
    )
    _tell(session, ctx, refund, f"已退至{CHANNEL_NAMES.get(refund.channel, refund.channel)}")
    return True


def handle_refund_notice(ctx: FeesContext, notice: RefundNotice) -> None:
    with ctx.session_factory() as session:
        refund = session.scalars(
            select(FeeRefund).where(FeeRefund.out_refund_no == notice.out_refund_no)
        ).first()
        outcome = "refund"
        if refund is None or refund.amount_fen != notice.amount.refund_fen:
            outcome = "unknown_order" if refund is None else "mismatch"
        elif notice.refund_status == "SUCCESS":
            complete_refund(
                session,
                ctx,
                refund,
                actor=PROVIDER,
                provider_refund_id=notice.refund_id,
                at=notice.success_time,
            )
        elif refund.status != "succeeded":
            refund.status = "failed"
            record(
                session,
                PROVIDER,
                "refund.failed",
                at=ctx.now(),
                account_id=refund.account_id,
                details={"refund": refund.out_refund_no, "status": notice.refund_status},
            )
        note_notification(
            session,
            ctx.now(),
            outcome=outcome,
            notification_id=notice.notification_id,
            event_type=notice.event_type,
            reference=notice.out_refund_no,
            flagged=outcome != "refund" or notice.refund_status != "SUCCESS",
        )
        session.commit()


def refund_handler(ctx: FeesContext) -> Callable[[Job], None]:
    """Submit an approved refund to the provider (idempotent by its number)."""

    def handle(job: Job) -> None:
        with ctx.session_factory() as session:
            refund = session.get(FeeRefund, int(job.payload["refund_id"]))
            if refund is None or refund.status not in ("approved", "processing"):
                return
            order = session.get(FeeOrder, refund.order_id) if refund.order_id else None
            if order is None or ctx.provider is None:
                raise PermanentJobError("no online payment to refund, or no provider")
            provider = ctx.provider

            async def submit() -> tuple[str, str, datetime | None]:
                async with provider.client() as client:
                    state = await client.create_refund(
                        refund.out_refund_no,
                        refund_fen=refund.amount_fen,
                        total_fen=order.amount_fen,
                        reason="诉讼费退费",
                        notify_url=ctx.link(REFUND_NOTIFY_PATH),
                        out_trade_no=order.out_trade_no,
                    )
                return state.status, state.refund_id, state.success_time

            try:
                status, refund_id, success = asyncio.run(submit())
            except ProviderError as exc:
                if not exc.retryable:
                    refund.status = "failed"
                    session.commit()
                    raise PermanentJobError(str(exc)) from exc
                raise
            refund.provider_refund_id = refund_id
            if status == "SUCCESS":
                complete_refund(
                    session,
                    ctx,
                    refund,
                    actor=PROVIDER,
                    provider_refund_id=refund_id,
                    at=success,
                )
            elif status == "PROCESSING":
                refund.status = "processing"
            else:
                refund.status = "failed"
            session.commit()

    return handle
