"""A notice version as its PDF (交纳诉讼费用通知书): the stored breakdown, the payer, the payment
link as a QR code, the court's bank account and fee office; sealed when this process holds the
court's seal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fees.context import COURT_TZ, FeesContext
from fees.documents import (
    Adjustment,
    AdjustmentReason,
    BankAccount,
    Contact,
    FeeLine,
    NoticeDocument,
    Payer,
    notice_pdf,
)
from fees.receipts import ROLE_NAMES
from fees.sending import pay_link
from fees.tables import FeeAccount, FeeNotice, FeeParty
from tingshen_platform.fonts import find_cjk_font

__all__ = ["notice_document", "render_notice"]

REASONS = {
    "claim_changed": AdjustmentReason.amended_claim,
    "reduced": AdjustmentReason.reduced,
    "deferred": AdjustmentReason.deferred,
    "waived": AdjustmentReason.waived,
}


def _lines(breakdown: dict[str, Any]) -> tuple[FeeLine, ...]:
    lines = []
    for line in breakdown.get("lines", []):
        if line.get("step") == "total":
            continue
        rate = line.get("rate") or ""
        base = line.get("base_fen")
        how = f"{base / 100:,.2f} × {rate}" if rate and base is not None else rate
        lines.append(
            FeeLine(
                str(line.get("label_zh") or ""),
                how,
                int(line["amount_fen"]),
                strong=line.get("step") == "subtotal",
            )
        )
    return tuple(lines)


def notice_document(
    session: Session, ctx: FeesContext, account: FeeAccount, notice: FeeNotice
) -> NoticeDocument:
    payer = session.scalars(
        select(FeeParty).where(
            FeeParty.account_id == account.id, FeeParty.party_ref == notice.payer_ref
        )
    ).first()
    previous = session.scalars(
        select(FeeNotice).where(
            FeeNotice.account_id == account.id, FeeNotice.version == notice.version - 1
        )
    ).first()
    adjustment = None
    if previous is not None and notice.reason in REASONS:
        adjustment = Adjustment(
            REASONS[notice.reason],
            previous.version,
            previous.amount_fen,
            note=notice.reason_text or "",
        )
    settings = ctx.settings
    return NoticeDocument(
        court=account.court_name,
        case_number=account.case_number,
        cause=account.cause_name,
        payers=(Payer(payer.name, ROLE_NAMES.get(payer.role, "原告")),)
        if payer
        else (Payer("原告", "原告"),),
        notice_code=account.notice_code or "",
        version=notice.version,
        issued_on=notice.issued_at.astimezone(COURT_TZ).date(),
        deadline=max(notice.deadline, notice.issued_at.astimezone(COURT_TZ).date()),
        lines=_lines(notice.breakdown),
        total_fen=notice.amount_fen,
        pay_url=pay_link(ctx, account),
        bank=BankAccount(
            settings.court_account_name, settings.court_bank_name, settings.court_account_no
        ),
        contact=Contact("诉讼费收费窗口", settings.clerk_phone or "—", title="联系人"),
        adjustment=adjustment,
    )


def render_notice(
    session: Session, ctx: FeesContext, account: FeeAccount, notice: FeeNotice
) -> bytes:
    """The version's PDF, made and sealed once, then kept (a version never changes)."""
    key = f"notices/{account.id}/v{notice.version}.pdf"
    if ctx.files.exists(key):
        return ctx.files.get(key)
    pdf = notice_pdf(notice_document(session, ctx, account, notice), font=find_cjk_font())
    seal = ctx.host.seal
    sealed = seal(pdf, "交纳诉讼费用通知书") if seal is not None else pdf
    ctx.files.put(key, sealed)
    return sealed
