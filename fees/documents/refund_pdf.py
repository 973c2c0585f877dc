"""The refund notice (退费通知书) as a PDF.

    data = refund_pdf(doc, font=find_cjk_font(settings.pdf_font))

An A4 page like the payment notice: the court and the title, the case number and the refund
number, the addressee, why the court pays back and on whose approval, a ruled table (the
notice and receipt it refers to, the amount in figures and capital numerals, the channel the money
goes back by: the payment's own), then the court and the date above the place of the seal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from fees.documents.capital import fen_to_capital
from fees.documents.layout import (
    MARGIN_SIDE,
    PAGE_WIDTH,
    SealStrip,
    Styles,
    build_pdf,
    chinese_date,
    numeric_date,
    para,
    register_font,
    yuan,
)
from fees.documents.model import PaymentChannel, RefundDocument, group_code

__all__ = ["refund_pdf"]

TITLE = "退费通知书"
WIDTH = PAGE_WIDTH - 2 * MARGIN_SIDE
RULE = HexColor("#333333")
SHADE = HexColor("#f2f2f2")
_HOW = {
    PaymentChannel.wechat: "原路退回至你方付款所用的微信支付账户",
    PaymentChannel.bank_transfer: "退回至你方转账所用的银行账户",
    PaymentChannel.cash: "请持本通知书及有效身份证件到本院诉讼服务中心领取",
}


def _table(doc: RefundDocument, s: Styles) -> Table:
    pairs = [
        ("退费编号", doc.refund_number),
        ("案号", doc.case_number),
        ("缴费码", group_code(doc.notice_code)),
        ("原收据号", doc.receipt_number),
        ("退费金额（小写）", f"¥{yuan(doc.amount_fen)}"),
        ("退费金额（大写）", fen_to_capital(doc.amount_fen)),
        ("退费方式", f"{doc.channel.value}（{_HOW[doc.channel]}）"),
        ("批准人", f"{doc.approved_by}（{numeric_date(doc.approved_on)}批准）"),
    ]
    rows = [[para(a, s.head), para(b, s.cell)] for a, b in pairs]
    style: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.6, RULE),
        ("BACKGROUND", (0, 0), (0, -1), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    table = Table(rows, colWidths=[WIDTH * 0.26, WIDTH * 0.74])
    table.setStyle(TableStyle(style))
    return table


def refund_pdf(doc: RefundDocument, *, font: Path) -> bytes:
    """The refund notice as PDF bytes (text, not images); the same document gives the same
    bytes."""
    s = Styles.of(register_font(font))
    payee = doc.payee
    body = (
        f"本院受理的{doc.case_number}一案，因{doc.reason}，"
        f"经本院审查批准，退还你方已交纳的诉讼费用 {yuan(doc.amount_fen)} 元"
        f"（{fen_to_capital(doc.amount_fen)}），{_HOW[doc.channel]}。"
    )
    story: list[Flowable] = [
        para(doc.court, s.court),
        para(TITLE, s.title),
        para(doc.case_number, s.subtitle),
        para(f"（退费编号 {doc.refund_number}）", s.subtitle),
        Spacer(1, 3 * mm),
        para(f"{payee.name}（{payee.role}）：", s.body),
        para(body, s.indent),
        Spacer(1, 3 * mm),
        _table(doc, s),
        Spacer(1, 3 * mm),
        para("退费到账时间以银行或支付机构处理为准。如有疑问，请与本院联系。", s.indent),
        Spacer(1, 8 * mm),
        SealStrip([para(doc.court, s.sign), para(chinese_date(doc.issued_on), s.sign)]),
    ]
    footer = f"{TITLE}　{doc.case_number}　退费编号 {doc.refund_number}"
    return build_pdf(
        story, font=s.font, title=f"{TITLE} {doc.refund_number}", author=doc.court,
        footer=footer, subject=f"退费 {yuan(doc.amount_fen)} 元",
    )  # fmt: skip
