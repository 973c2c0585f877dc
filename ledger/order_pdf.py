"""The investigation order (律师调查令) as a PDF, pure (no database): the court, the order number,
the case, the lawyer, the institution, the items sought, the reason, the validity, the judge,
and a QR code of the public verify page (segno). The order's record and its receipt (the leaf,
its inclusion proof, the cosigned checkpoint) are embedded as ``order-receipt.json`` (a PDF
attachment), so the PDF verifies offline (:mod:`ledger.order_verify`); the court's seal is put on
afterwards (``ServiceHost.seal``), over the attachment too.
"""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import segno
from pyhanko.pdf_utils.embed import EmbeddedFileObject, FileSpec, embed_file
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib.colors import black
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ledger.order_rules import INSTITUTION_KINDS

__all__ = ["ATTACHMENT", "attach_receipt", "order_pdf", "read_attachment"]

FONT_NAME = "LedgerCJK"
ATTACHMENT = "order-receipt.json"


@cache
def _font(path: Path) -> str:
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
    return FONT_NAME


def qr_drawing(url: str, size_mm: float = 38) -> Drawing:
    """The QR code as vector squares (no image: nothing to rasterise, sharp when printed)."""
    qr = segno.make(url, error="m")
    matrix = [list(row) for row in qr.matrix]
    n = len(matrix) + 8  # four modules of quiet zone on each side
    cell = size_mm * mm / n
    drawing = Drawing(size_mm * mm, size_mm * mm)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                square = Rect((x + 4) * cell, (n - 5 - y) * cell, cell, cell)
                square.fillColor, square.strokeColor = black, None
                drawing.add(square)
    return drawing


def rows(order: dict[str, Any]) -> list[tuple[str, str]]:
    kind = INSTITUTION_KINDS.get(order["institution_kind"], order["institution_kind"])
    items = "；".join(f"{n}. {item}" for n, item in enumerate(order["items"], start=1))
    return [
        ("调查令号", order["number"]),
        ("案号", order["case_number"]),
        ("持令人", f"{order['lawyer']}（律师执业证号 {order['licence_number']}）"),
        ("接受调查人", f"{order['institution_name']}（{kind}）"),
        ("调查内容", items),
        ("申请理由", order["reason"]),
        ("有效期", f"{order['valid_from']} 至 {order['valid_until']}（含当日）"),
        ("承办法官", order["judge"]),
    ]


def order_pdf(order: dict[str, Any], verify_url: str, *, font: Path) -> bytes:
    name = _font(font)
    base = ParagraphStyle("body", fontName=name, fontSize=11, leading=17, wordWrap="CJK")
    heading = ParagraphStyle("title", parent=base, fontSize=22, leading=32, alignment=1)
    sub = ParagraphStyle("sub", parent=base, fontSize=13, leading=20, alignment=1)
    small = ParagraphStyle("small", parent=base, fontSize=9, leading=13)
    table = Table(
        [[Paragraph(escape(k), base), Paragraph(escape(v), base)] for k, v in rows(order)],
        colWidths=[30 * mm, 130 * mm],
    )
    table.setStyle(
        TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.5, "#333333"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        )
    )
    check = Table(
        [[qr_drawing(verify_url), Paragraph(
            "接受调查的单位可扫描左侧二维码，在线核验本调查令的真伪、调查范围、有效期及是否已被撤销，"
            "并登记协助调查的结果。本调查令的每一步均记入本院存证账本（透明日志），"
            "附件 order-receipt.json 含其存证凭证，可离线核验。<br/>"
            f"核验地址（含本令核验码）：{escape(verify_url)}", small,
        )]],
        colWidths=[42 * mm, 118 * mm],
    )  # fmt: skip
    story: list[Flowable] = [
        Paragraph(escape(order["court"]), sub),
        Paragraph("律 师 调 查 令", heading),
        Paragraph(escape(order["number"]), sub),
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 6 * mm),
        Paragraph(
            "依照《中华人民共和国民事诉讼法》第六十七条及本院关于律师调查令的规定，"
            "准许持令律师在有效期内向接受调查人调查收集上列证据。接受调查人应当予以协助；"
            "超出调查内容或有效期的，接受调查人有权拒绝。",
            base,
        ),
        Spacer(1, 6 * mm),
        check,
    ]
    out = io.BytesIO()
    SimpleDocTemplate(
        out, pagesize=A4, title=f"律师调查令 {order['number']}", leftMargin=25 * mm,
        rightMargin=25 * mm, topMargin=20 * mm, bottomMargin=55 * mm,
    ).build(story)  # fmt: skip
    return out.getvalue()


def attach_receipt(pdf: bytes, payload: dict[str, Any]) -> bytes:
    """``pdf`` with ``payload`` (JSON) embedded as :data:`ATTACHMENT` (an incremental update,
    made before the seal so that the seal covers it)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    embedded = EmbeddedFileObject.from_file_data(writer, data, mime_type="application/json")
    spec = FileSpec(ATTACHMENT, file_name=ATTACHMENT, embedded_data=embedded,
                    description="调查令存证凭证 / the order's ledger receipt")  # fmt: skip
    embed_file(writer, spec)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def read_attachment(pdf: bytes) -> dict[str, Any] | None:
    """The embedded receipt, or None where the PDF has none."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except KeyError:
        return None
    for i in range(0, len(names), 2):
        if str(names[i]) == ATTACHMENT:
            spec = names[i + 1].get_object()
            stream = spec["/EF"]["/F"].get_object()
            loaded = json.loads(stream.data.decode())
            return loaded if isinstance(loaded, dict) else None
    return None
