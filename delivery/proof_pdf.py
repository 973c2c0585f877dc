"""The proof of service (送达回证 / 电子送达凭证) as a PDF, pure (no database): the document's title
and SHA-256, the recipient, the channel and address, and the times of sending, arrival and
opening or collection, in Beijing time, as a table. The court's seal is put on afterwards
(``ServiceHost.seal``)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from delivery.context import COURT_TZ

__all__ = ["ProofDocument", "proof_pdf"]

FONT_NAME = "DeliveryCJK"


@dataclass(frozen=True, slots=True)
class ProofDocument:
    court: str
    case_number: str
    document_title: str
    sha256: str
    recipient: str
    recipient_role: str
    channel: str
    """As people read it: ``短信``, ``电子邮件``, ``邮寄（运单号 …）``, ``自取``."""
    address: str
    sent_at: datetime | None
    arrived_at: datetime | None
    opened_at: datetime | None
    opened_by: str | None
    collected_at: datetime | None
    issued_at: datetime


@cache
def _font(path: Path) -> str:
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
    return FONT_NAME


def _time(value: datetime | None) -> str:
    return value.astimezone(COURT_TZ).strftime("%Y年%m月%d日 %H:%M:%S") if value else "—"


def rows(doc: ProofDocument) -> list[tuple[str, str]]:
    return [
        ("案号", doc.case_number),
        ("送达文书", doc.document_title),
        ("文书SHA-256", doc.sha256),
        ("受送达人", f"{doc.recipient_role} {doc.recipient}"),
        ("送达方式", doc.channel),
        ("送达地址", doc.address),
        ("发送时间", _time(doc.sent_at)),
        ("到达时间", _time(doc.arrived_at)),
        (
            "查阅时间",
            _time(doc.opened_at) + (f"（{doc.opened_by}实名登录查阅）" if doc.opened_by else ""),
        ),
        ("签收时间", _time(doc.collected_at)),
        ("出具时间", _time(doc.issued_at)),
    ]


def proof_pdf(doc: ProofDocument, *, font: Path) -> bytes:
    name = _font(font)
    base = ParagraphStyle("body", fontName=name, fontSize=11, leading=16, wordWrap="CJK")
    heading = ParagraphStyle("title", parent=base, fontSize=20, leading=30, alignment=1)
    sub = ParagraphStyle("sub", parent=base, fontSize=13, leading=20, alignment=1)
    table = Table(
        [[Paragraph(escape(k), base), Paragraph(escape(v), base)] for k, v in rows(doc)],
        colWidths=[35 * mm, 125 * mm],
    )
    table.setStyle(
        TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.5, "#333333"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        )
    )
    story: list[Flowable] = [
        Paragraph(escape(doc.court), sub),
        Paragraph("送 达 回 证", heading),
        Paragraph("（电子送达凭证）", sub),
        Spacer(1, 8 * mm),
        table,
        Spacer(1, 8 * mm),
        Paragraph(
            "本凭证由送达系统依据发送记录、到达回执及受送达人实名登录查阅记录自动生成，"
            "加盖本院电子印章。文书内容以所列SHA-256摘要核验。",
            base,
        ),
    ]
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"送达回证 {doc.case_number}",
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=60 * mm,
    ).build(story)
    return out.getvalue()
