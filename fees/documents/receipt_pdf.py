"""The receipt of a fee payment (诉讼费收据) as a PDF.

    data = receipt_pdf(doc, font=find_cjk_font(settings.pdf_font))
    sealed = host.seal(data, "诉讼费收据")

A landscape A5 page, the size of a paper 票据: the court and the title, the receipt number (票据号)
and verification code (校验码), one ruled table (payer, case, notice code, fee, the amount in
capital numerals and in figures, channel, the provider's transaction id, the time paid in Beijing
time, the court as payee), and in the bottom strip the verification QR code with its address on
the left and, on the right, the free place where the court's electronic seal is drawn
(:data:`~fees.documents.layout.SEAL_BOX`: the same points on A5 landscape as on A4, since both
pages are 595 points wide).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from fees.documents.capital import fen_to_capital
from fees.documents.layout import (
    QrCode,
    SealStrip,
    Styles,
    beijing_time,
    build_pdf,
    para,
    register_font,
    yuan,
)
from fees.documents.model import ReceiptDocument, group_code

__all__ = ["RECEIPT_PAGE", "receipt_pdf"]

TITLE = "诉讼费收据"
RECEIPT_PAGE = landscape(A5)
SIDE = 12 * mm
WIDTH = RECEIPT_PAGE[0] - 2 * SIDE
QR_SIZE = 27 * mm
RULE = HexColor("#8a1c1c")
"""Receipts are printed in a dark red rule, as paper 票据 are."""
SHADE = HexColor("#fbf3f3")


def _styles(s: Styles) -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    court = ParagraphStyle("r_court", parent=s.court, fontSize=13, leading=18)
    title = ParagraphStyle("r_title", parent=s.title, fontSize=19, leading=25, textColor=RULE)
    number = ParagraphStyle("r_number", parent=s.cell, fontSize=10, leading=14)
    return court, title, number


def _numbers(doc: ReceiptDocument, s: Styles, style: ParagraphStyle) -> Table:
    row = [
        para(f"票据号：{doc.receipt_number}", style),
        para(f"校验码：{doc.verification_code}", ParagraphStyle("r_right", style, alignment=2)),
    ]
    table = Table([row], colWidths=[WIDTH / 2, WIDTH / 2])
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
    return table


def _fields(doc: ReceiptDocument, s: Styles) -> Table:
    def label(text: str) -> Flowable:
        return para(text, s.head)

    def value(text: str) -> Flowable:
        return para(text, s.cell)

    payer = doc.payer
    pairs = [
        ("交款人", f"{payer.name}（{payer.role}）", "案号", doc.case_number),
        ("缴费码", group_code(doc.notice_code), "收费项目", doc.fee_name),
        (
            "金额（大写）",
            fen_to_capital(doc.amount_fen),
            "金额（小写）",
            f"¥{yuan(doc.amount_fen)}",
        ),
        ("缴费方式", doc.channel.value, "交易单号", doc.transaction_id),
        ("缴费时间", beijing_time(doc.paid_at), "收款单位", doc.court),
    ]
    rows = [[label(a), value(b), label(c), value(d)] for a, b, c, d in pairs]
    style: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.7, RULE),
        ("BOX", (0, 0), (-1, -1), 1.4, RULE),
        ("BACKGROUND", (0, 0), (0, -1), SHADE),
        ("BACKGROUND", (2, 0), (2, -1), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    widths = [WIDTH * 0.15, WIDTH * 0.36, WIDTH * 0.15, WIDTH * 0.34]
    table = Table(rows, colWidths=widths)
    table.setStyle(TableStyle(style))
    return table


def _verification(doc: ReceiptDocument, s: Styles) -> Table:
    text = [
        para("扫描二维码或访问以下网址查验本收据：", s.small),
        para(doc.verify_url, s.small),
        para(f"查验时请输入校验码 {doc.verification_code}。", s.small),
        para("本收据由法院电子印章签署，签章后任何改动均可被发现。", s.small),
    ]
    table = Table([[QrCode(doc.verify_url, QR_SIZE), text]], colWidths=[QR_SIZE + 3 * mm, None])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
    return table


def receipt_pdf(doc: ReceiptDocument, *, font: Path) -> bytes:
    """The receipt as PDF bytes (text, not images); the same document gives the same bytes."""
    s = Styles.of(register_font(font))
    court, title, number = _styles(s)
    story: list[Flowable] = [
        para(doc.court, court),
        para(TITLE, title),
        Spacer(1, 1 * mm),
        _numbers(doc, s, number),
        Spacer(1, 1.5 * mm),
        _fields(doc, s),
        SealStrip(left=[Spacer(1, 3 * mm), _verification(doc, s)], side_margin=SIDE),
    ]
    footer = f"{TITLE}　{doc.receipt_number}　{doc.case_number}"
    return build_pdf(
        story, font=s.font, title=f"{TITLE} {doc.receipt_number}", author=doc.court,
        footer=footer, subject=f"{doc.fee_name} {yuan(doc.amount_fen)} 元",
        pagesize=RECEIPT_PAGE, side_margin=SIDE,
    )  # fmt: skip
