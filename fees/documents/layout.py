"""What the fee documents share: the font, the styles, an A4 page with room for the seal, a QR
code drawn as vectors, and the ways dates and amounts are printed.

The court seals a document afterwards (``ServiceHost.seal``: a PAdES signature whose appearance,
the round seal, is drawn in :data:`SEAL_BOX` at the bottom right of the last page). Each document
ends with :class:`SealStrip`, which takes the rest of the last page: the court's name and the
date just above the box, short notes left of it, nothing in it. The page footer (document,
number, page) is drawn below the box's bottom edge, left of it.

Output is reproducible (reportlab's invariant mode, per document): the same data gives the
same bytes.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from reportlab.lib.colors import Color, HexColor, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

from fees.money import format_yuan

__all__ = [
    "BEIJING",
    "MARGIN_BOTTOM",
    "MARGIN_SIDE",
    "MARGIN_TOP",
    "PAGE_WIDTH",
    "SEAL_BOX",
    "QrCode",
    "SealStrip",
    "Styles",
    "beijing_time",
    "build_pdf",
    "chinese_date",
    "numeric_date",
    "para",
    "register_font",
    "yuan",
]

PAGE_WIDTH, PAGE_HEIGHT = A4
SEAL_BOX = (400.0, 36.0, 556.0, 156.0)
"""Where the court's seal appearance goes on the last page (PDF points, x1 y1 x2 y2): the box
the hearing server's ``seal_with`` uses; a test checks they agree."""
SEAL_MARGIN = 6.0
MARGIN_SIDE = 25 * mm
MARGIN_TOP = 16 * mm
MARGIN_BOTTOM = 14 * mm
FRAME_PADDING = 6.0
"""reportlab's default padding inside a page frame."""
BEIJING = timezone(timedelta(hours=8), "北京时间")
"""China keeps one offset all year (no summer time): no time zone database needed."""
GREY = HexColor("#555555")
_CHINESE_DIGITS = "〇一二三四五六七八九"


@cache
def register_font(font: Path) -> str:
    """Register the TrueType CJK font once per process under a name of its own (subfont 0 of
    a ``.ttc``); two documents made with two fonts do not share a name."""
    name = "FeesCJK-" + hashlib.sha256(str(font.resolve()).encode()).hexdigest()[:10]
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(font), subfontIndex=0))
    return name


@dataclass(frozen=True, slots=True)
class Styles:
    font: str
    court: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    body: ParagraphStyle
    indent: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    head: ParagraphStyle
    small: ParagraphStyle
    heading: ParagraphStyle
    sign: ParagraphStyle

    @classmethod
    def of(cls, font: str) -> Styles:
        base = ParagraphStyle("body", fontName=font, fontSize=11, leading=18, wordWrap="CJK")
        cell = ParagraphStyle("cell", parent=base, fontSize=10.5, leading=14)
        return cls(
            font=font,
            court=ParagraphStyle("court", parent=base, fontSize=17, leading=24, alignment=1),
            title=ParagraphStyle(
                "title", parent=base, fontSize=22, leading=30, alignment=1, spaceAfter=2
            ),
            subtitle=ParagraphStyle("subtitle", parent=base, fontSize=11, leading=16, alignment=2),
            body=base,
            indent=ParagraphStyle("indent", parent=base, firstLineIndent=22),
            cell=cell,
            cell_right=ParagraphStyle("cell_right", parent=cell, alignment=2),
            head=ParagraphStyle("head", parent=cell, alignment=1, textColor=black),
            small=ParagraphStyle("small", parent=base, fontSize=8.5, leading=11, textColor=GREY),
            heading=ParagraphStyle(
                "heading", parent=base, fontSize=12.5, leading=20, spaceBefore=6, spaceAfter=2
            ),
            sign=ParagraphStyle("sign", parent=base, fontSize=12, leading=20, alignment=2),
        )


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: escaped, so nothing in data is read as markup."""
    return Paragraph(escape(text), style)


def yuan(fen: int) -> str:
    """``276914`` → ``"2,769.14"``."""
    return format_yuan(fen)


def chinese_date(day: date) -> str:
    """The date under a court document's seal: ``2026-12-05`` → ``"二〇二六年十二月五日"``."""

    def small(n: int) -> str:  # 1–31
        tens, ones = divmod(n, 10)
        if tens == 0:
            return _CHINESE_DIGITS[ones]
        head = "" if tens == 1 else _CHINESE_DIGITS[tens]
        return f"{head}十{_CHINESE_DIGITS[ones] if ones else ''}"

    year = "".join(_CHINESE_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{small(day.month)}月{small(day.day)}日"


def numeric_date(day: date) -> str:
    """``2026-12-12`` → ``"2026年12月12日"`` (a deadline in running text)."""
    return f"{day.year}年{day.month}月{day.day}日"


def beijing_time(moment: datetime) -> str:
    """An aware moment in Beijing time: ``"2026年12月6日 14:03:05（北京时间）"``."""
    local = moment.astimezone(BEIJING)
    return f"{numeric_date(local.date())} {local:%H:%M:%S}（北京时间）"


class QrCode(Flowable):
    """``text`` as a QR code (error correction M) of ``size`` points, drawn as filled
    rectangles (one per run of dark modules in a row), with a white quiet zone of four modules
    inside ``size``."""

    QUIET_MODULES = 4

    def __init__(self, text: str, size: float) -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.qr = segno.make(text, error="m", micro=False)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.size, self.size

    def draw(self) -> None:
        matrix = self.qr.matrix
        count = len(matrix) + 2 * self.QUIET_MODULES
        module = self.size / count
        canvas: Canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(white)
        canvas.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        canvas.setFillColor(black)
        path = canvas.beginPath()
        for row_index, row in enumerate(matrix):
            y = self.size - (row_index + self.QUIET_MODULES + 1) * module
            col = 0
            while col < len(row):
                if not row[col]:
                    col += 1
                    continue
                start = col
                while col < len(row) and row[col]:
                    col += 1
                x = (start + self.QUIET_MODULES) * module
                path.rect(x, y, (col - start) * module, module)
        canvas.drawPath(path, stroke=0, fill=1)
        canvas.restoreState()


class SealStrip(Flowable):
    """The document's last flowable: it takes the rest of the last page, so that ``above``
    (the court and the date, right-aligned) stands just above :data:`SEAL_BOX` and nothing is
    printed in the strip of the page that holds the box except ``left`` (short notes, drawn
    left of the seal). When the page has too little room, it goes to a new page."""

    def __init__(
        self,
        above: Sequence[Flowable] = (),
        left: Sequence[Flowable] = (),
        *,
        side_margin: float = MARGIN_SIDE,
    ) -> None:
        super().__init__()
        self.above = list(above)
        self.left = list(left)
        self.strip_pt = SEAL_BOX[3] + SEAL_MARGIN - (MARGIN_BOTTOM + FRAME_PADDING)
        self.left_width_pt = SEAL_BOX[0] - SEAL_MARGIN - side_margin
        self.width_pt = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width_pt = availWidth
        needed = self.strip_pt + sum(f.wrap(availWidth, availHeight)[1] for f in self.above)
        return availWidth, max(needed, availHeight - 0.01)

    def draw(self) -> None:
        _, bottom = self.canv.absolutePosition(0, 0)
        strip_top = SEAL_BOX[3] + SEAL_MARGIN - bottom
        heights = [f.wrap(self.width_pt, self.height)[1] for f in self.above]
        y = strip_top + sum(heights)
        for flowable, height in zip(self.above, heights, strict=True):  # top down: text order
            y -= height
            flowable.drawOn(self.canv, 0, y)
        top = strip_top
        for flowable in self.left:
            _, height = flowable.wrap(self.left_width_pt, top)
            if height > top:
                raise ValueError("the notes beside the seal are too long for its strip")
            top -= height
            flowable.drawOn(self.canv, 0, top)


def build_pdf(
    story: Sequence[Flowable],
    *,
    font: str,
    title: str,
    author: str,
    footer: str,
    subject: str = "",
    pagesize: tuple[float, float] = A4,
    side_margin: float = MARGIN_SIDE,
) -> bytes:
    """A PDF of ``story`` (A4 unless ``pagesize``; reproducible bytes); every page has
    ``footer`` and its page number at the bottom left, clear of the seal."""

    def decorate(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(Color(0.4, 0.4, 0.4))
        canvas.drawString(side_margin, 5 * mm, f"{footer}　第 {document.page} 页")
        canvas.restoreState()

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=pagesize, title=title, author=author, subject=subject,
        creator="Tingshen fees", leftMargin=side_margin, rightMargin=side_margin,
        topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, invariant=1,
    )  # fmt: skip
    document.build(list(story), onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()
