"""The fee payment notice (交纳诉讼费用通知书) as a PDF.

    data = notice_pdf(doc, font=find_cjk_font(settings.pdf_font))

One A4 page in the usual order of a court's notice: the court and the title, the case number
with the notice code and version at the right, the addressee (the payers and their roles), the
reason of a new version, the computation (one row per line, the total in figures and in capital
numerals), the deadline with its legal basis and what happens when it passes, how to pay (the
payment page as a QR code with its address below it, and the court's bank account for a transfer
or a counter), the clerk to ask, then the court and the date above the place of the seal.
A waived fee (total 0) prints no way to pay.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from fees.documents.capital import fen_to_capital
from fees.documents.layout import (
    MARGIN_SIDE,
    PAGE_WIDTH,
    QrCode,
    SealStrip,
    Styles,
    build_pdf,
    chinese_date,
    numeric_date,
    para,
    register_font,
    yuan,
)
from fees.documents.model import AdjustmentReason, NoticeDocument, group_code

__all__ = ["legal_basis", "notice_pdf"]

TITLE = "交纳诉讼费用通知书"
QR_SIZE = 32 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN_SIDE
SHADE = HexColor("#f2f2f2")
RULE = HexColor("#333333")


def legal_basis(doc: NoticeDocument) -> str:
    """The deadline, its basis and the consequence of not paying (an appeal is deemed
    withdrawn, a first-instance claim withdrawn)."""
    appeal = any("上诉" in payer.role for payer in doc.payers)
    consequence = "按自动撤回上诉处理" if appeal else "按撤诉处理"
    adjustment = doc.adjustment
    if adjustment is not None and adjustment.reason is AdjustmentReason.deferred:
        when = f"经本院批准缓交，请于{numeric_date(doc.deadline)}前交纳上述费用。"
    else:
        when = f"请于接到本通知书次日起七日内，即{numeric_date(doc.deadline)}前交纳上述费用。"
    return (
        "依照《诉讼费用交纳办法》第二十条、第二十二条的规定，案件受理费由原告、有独立请求权的"
        "第三人、上诉人预交；原告应当自接到人民法院交纳诉讼费用通知次日起七日内交纳。"
        f"{when}逾期不交纳又未申请缓交、减交、免交，或者申请未获批准仍不交纳的，"
        f"本院将依法{consequence}。"
    )


def _header(doc: NoticeDocument, s: Styles) -> list[Flowable]:
    right = f"（缴费码 {group_code(doc.notice_code)}　第{doc.version}版）"
    return [
        para(doc.court, s.court),
        para(TITLE, s.title),
        para(doc.case_number, s.subtitle),
        para(right, s.subtitle),
        Spacer(1, 3 * mm),
    ]


def _addressee(doc: NoticeDocument, s: Styles) -> list[Flowable]:
    names = "、".join(f"{p.name}（{p.role}）" for p in doc.payers)
    opening = f"本院受理的{doc.case_number}{doc.cause}一案，你方应交纳的{doc.fee_name}如下："
    story: list[Flowable] = [para(f"{names}：", s.body), para(opening, s.indent)]
    adjustment = doc.adjustment
    if adjustment is not None:
        text = (
            f"本通知书为第{doc.version}版，替代第{adjustment.previous_version}版"
            f"（原应交纳 {yuan(adjustment.previous_total_fen)} 元）。"
            f"变更原因：{adjustment.reason.value}。{adjustment.note}"
        )
        story.append(para(text, s.indent))
    return story


def _lines_table(doc: NoticeDocument, s: Styles) -> Table:
    rows: list[list[Flowable | str]] = []
    style: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.6, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if doc.basis:
        style.append(("SPAN", (0, 0), (-1, 0)))
        rows.append([para(doc.basis, s.cell), "", ""])
    heading = len(rows)
    style.append(("BACKGROUND", (0, heading), (-1, heading), SHADE))
    rows.append([para("项目", s.head), para("计算标准", s.head), para("金额（元）", s.head)])
    for line in doc.lines:
        if line.strong:
            style.append(("BACKGROUND", (0, len(rows)), (-1, len(rows)), SHADE))
        amount = para(yuan(line.amount_fen), s.cell_right)
        rows.append([para(line.label, s.cell), para(line.rate, s.cell), amount])
    total = len(rows)
    rows.append([para("合计应交纳", s.cell), "", para(yuan(doc.total_fen), s.cell_right)])
    rows.append([para(f"大写：{fen_to_capital(doc.total_fen)}", s.cell), "", ""])
    style += [
        ("SPAN", (0, total), (1, total)),
        ("SPAN", (0, total + 1), (-1, total + 1)),
        ("BACKGROUND", (0, total), (-1, total + 1), SHADE),
    ]
    widths = [WIDTH * 0.44, WIDTH * 0.34, WIDTH * 0.22]
    table = Table(rows, colWidths=widths, repeatRows=heading + 1)  # heading again on page 2
    table.setStyle(TableStyle(style))
    return table


def _payment(doc: NoticeDocument, s: Styles) -> list[Flowable]:
    bank = doc.bank
    methods = [
        para(
            "一、扫码缴费：用微信扫描左侧二维码，或在浏览器中打开下方网址，核对案号与金额后支付。",
            s.cell,
        ),
        Spacer(1, 2 * mm),
        para(
            "二、银行转账或柜台缴款：转入下列账户，并在附言（用途）中填写缴费码"
            f" {doc.notice_code}，否则无法确认到账。",
            s.cell,
        ),
        para(f"户名：{bank.account_name}", s.cell),
        para(f"开户行：{bank.bank}", s.cell),
        para(f"账号：{bank.account_number}", s.cell),
    ]
    grid = Table(
        [[QrCode(doc.pay_url, QR_SIZE), methods], [para(f"缴费网址：{doc.pay_url}", s.cell), ""]],
        colWidths=[QR_SIZE + 4 * mm, WIDTH - QR_SIZE - 4 * mm],
    )
    grid.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("SPAN", (0, 1), (-1, 1)),
                ("LEFTPADDING", (0, 0), (0, 0), 2 * mm),
                ("LINEABOVE", (0, 1), (-1, 1), 0.3, RULE),
            ]
        )
    )
    return [KeepTogether([para("交纳方式", s.heading), grid])]


def notice_pdf(doc: NoticeDocument, *, font: Path) -> bytes:
    """The notice as PDF bytes (text, not images: every field can be extracted); the same
    document gives the same bytes."""
    s = Styles.of(register_font(font))
    story: list[Flowable] = [*_header(doc, s), *_addressee(doc, s), Spacer(1, 2 * mm)]
    story += [_lines_table(doc, s), Spacer(1, 3 * mm), para(legal_basis(doc), s.indent)]
    if doc.total_fen > 0:
        story += _payment(doc, s)
    else:
        story.append(para("经本院批准免交，本案无需交纳上述费用。", s.indent))
    contact = doc.contact
    ask = f"如有疑问，请与{contact.title}{contact.name}联系，电话：{contact.phone}。"
    story += [
        Spacer(1, 4 * mm),
        SealStrip(
            [para(doc.court, s.sign), para(chinese_date(doc.issued_on), s.sign)],
            [Spacer(1, 8 * mm), para(ask, s.body)],
        ),
    ]
    footer = f"{TITLE}　{doc.case_number}　缴费码 {group_code(doc.notice_code)}　第{doc.version}版"
    return build_pdf(
        story, font=s.font, title=f"{TITLE} {doc.case_number}", author=doc.court, footer=footer,
        subject=f"{doc.fee_name} {yuan(doc.total_fen)} 元",
    )  # fmt: skip
