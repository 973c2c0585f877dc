"""An account as the API shows it (built from its rows; phones masked)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from fees import ledger
from fees.accounts import current_notice
from fees.codes import format_notice_code
from fees.context import FeesContext
from fees.money import format_yuan
from fees.schemas import (
    AccountOut,
    AccountSummary,
    BalancesOut,
    MovementOut,
    NoticeOut,
    OrderOut,
    PartyOut,
    ReceiptOut,
    RefundOut,
    SendOut,
)
from fees.sending import pay_link
from fees.tables import (
    FeeAccount,
    FeeNotice,
    FeeOrder,
    FeeParty,
    FeeReceipt,
    FeeRefund,
    FeeSend,
)

__all__ = [
    "account_out",
    "account_summary",
    "balances_out",
    "mask_phone",
    "receipts_out",
    "refund_out",
    "refunds_out",
]


def mask_phone(phone: str | None) -> str | None:
    if phone is None:
        return None
    return phone if len(phone) <= 4 else phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def balances_out(balances: ledger.Balances) -> BalancesOut:
    return BalancesOut(
        assessed_fen=balances.assessed_fen,
        paid_fen=balances.paid_fen,
        refunded_fen=balances.refunded_fen,
        balance_fen=balances.balance_fen,
        outstanding_fen=balances.outstanding_fen,
        refundable_fen=balances.refundable_fen,
    )


def account_summary(session: Session, account: FeeAccount, today: date) -> AccountSummary:
    balances = ledger.balances(session, account.id)
    code = account.notice_code or ""
    notice = current_notice(session, account.id)
    deadline = notice.deadline if notice else None
    return AccountSummary(
        id=account.id,
        notice_code=code,
        notice_code_display=format_notice_code(code),
        case_number=account.case_number,
        cause_name=account.cause_name,
        court_name=account.court_name,
        status=account.status,
        filed_on=account.filed_on,
        amount_fen=balances.assessed_fen,
        balances=balances_out(balances),
        deadline=deadline,
        overdue=bool(
            account.status == "open"
            and balances.outstanding_fen > 0
            and deadline is not None
            and today > deadline
        ),
    )


def account_out(session: Session, ctx: FeesContext, account: FeeAccount) -> AccountOut:
    summary = account_summary(session, account, ctx.today())
    parties = session.scalars(
        select(FeeParty).where(FeeParty.account_id == account.id).order_by(FeeParty.id)
    ).all()
    names = {p.party_ref: p.name for p in parties}
    notices = session.scalars(
        select(FeeNotice).where(FeeNotice.account_id == account.id).order_by(FeeNotice.version)
    ).all()
    versions = {n.id: n.version for n in notices}
    payer_ref = notices[-1].payer_ref if notices else None
    orders = session.scalars(
        select(FeeOrder).where(FeeOrder.account_id == account.id).order_by(FeeOrder.id)
    ).all()
    return AccountOut(
        **summary.model_dump(),
        procedure=account.procedure,
        claim_amount_fen=account.claim_amount_fen,
        fee_kind=account.fee_kind,
        closed_on=account.closed_on,
        outcome=account.outcome,
        pay_link=pay_link(ctx, account),
        parties=[
            PartyOut(
                party_ref=p.party_ref,
                role=p.role,
                name=p.name,
                phone=mask_phone(p.phone),
                email=p.email,
                is_payer=p.party_ref == payer_ref,
            )
            for p in parties
        ],
        notices=[
            NoticeOut(
                version=n.version,
                amount_fen=n.amount_fen,
                amount_yuan=format_yuan(n.amount_fen),
                deadline=n.deadline,
                reason=n.reason,
                reason_text=n.reason_text,
                issued_at=n.issued_at,
                issued_by=n.issued_by,
                payer_name=names.get(n.payer_ref or ""),
                breakdown=n.breakdown,
            )
            for n in notices
        ],
        sends=[
            SendOut(
                id=s.id,
                purpose=s.purpose,
                channel=s.channel,
                address=(mask_phone(s.address) or "") if s.channel == "sms" else s.address,
                party_name=names.get(s.party_ref or ""),
                status=s.status,
                attempts=s.attempts,
                last_error=s.last_error,
                created_at=s.created_at,
                sent_at=s.sent_at,
                created_by=s.created_by,
                notice_version=versions.get(s.notice_id or 0),
            )
            for s in session.scalars(
                select(FeeSend).where(FeeSend.account_id == account.id).order_by(FeeSend.id)
            )
        ],
        orders=[
            OrderOut(
                out_trade_no=o.out_trade_no,
                amount_fen=o.amount_fen,
                status=o.status,
                channel=o.channel,
                payer_name=o.payer_name,
                created_at=o.created_at,
                expires_at=o.expires_at,
                paid_at=o.paid_at,
                transaction_id=o.transaction_id,
                booked_by=o.booked_by,
            )
            for o in orders
        ],
        receipts=receipts_out(session, account.id),
        refunds=refunds_out(session, account.id),
        movements=[
            MovementOut(
                kind=m.kind,
                reference=m.reference,
                memo=m.memo,
                at=m.at,
                actor=m.actor,
                postings=[{"ledger": p.ledger, "amount_fen": p.amount_fen} for p in m.postings],
            )
            for m in ledger.movements(session, account.id)
        ],
    )


def refund_out(refund: FeeRefund) -> RefundOut:
    return RefundOut(
        id=refund.id,
        out_refund_no=refund.out_refund_no,
        amount_fen=refund.amount_fen,
        channel=refund.channel,
        bank=refund.bank_details,
        status=refund.status,
        applied_by=refund.applied_by,
        applied_at=refund.applied_at,
        decided_by=refund.decided_by,
        decided_at=refund.decided_at,
        decision_note=refund.decision_note,
        completed_at=refund.completed_at,
    )


def refunds_out(session: Session, account_id: int) -> list[RefundOut]:
    """The account's refunds, in the order they were applied for."""
    return [
        refund_out(r)
        for r in session.scalars(
            select(FeeRefund).where(FeeRefund.account_id == account_id).order_by(FeeRefund.id)
        )
    ]


def receipts_out(session: Session, account_id: int) -> list[ReceiptOut]:
    """The account's receipts, each with the amount of the payment it is for."""
    return [
        ReceiptOut(
            number=receipt.number,
            amount_fen=amount,
            issued_at=receipt.issued_at,
            ready=receipt.blob_key is not None,
        )
        for receipt, amount in session.execute(
            select(FeeReceipt, FeeOrder.amount_fen)
            .join(FeeOrder, FeeOrder.id == FeeReceipt.order_id)
            .where(FeeReceipt.account_id == account_id)
            .order_by(FeeReceipt.id)
        )
    ]
