"""Small CJK-safe PDFs the dossier makes itself: a notice as sent, a recording digest list.

The font is the one every service finds with :func:`tingshen_platform.fonts.find_cjk_font` (the
``TINGSHEN_PDF_FONT`` file, a system WenQuanYi / AR PL font, else the packaged WenQuanYi Micro
Hei); reportlab embeds TrueType only.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from xml.sax.saxutils import escape

import pypdfium2 as pdfium
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from tingshen_platform.fonts import FontNotFoundError, find_cjk_font
from tingshen_platform.pdfium import PDFIUM

__all__ = ["FontNotFoundError", "find_cjk_font", "page_count", "text_pdf"]

FONT_NAME = "DossierCJK"


@cache
def _font() -> str:
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(find_cjk_font()), subfontIndex=0))
    return FONT_NAME


def text_pdf(title: str, fields: Sequence[tuple[str, str]], body: str) -> bytes:
    """An A4 PDF: ``title`` centred, then ``label：value`` lines, then ``body`` (its line breaks
    kept). Text is escaped: nothing in it is read as markup."""
    font = _font()
    base = ParagraphStyle("body", fontName=font, fontSize=12, leading=20, wordWrap="CJK")
    heading = ParagraphStyle("title", parent=base, fontSize=18, leading=28, alignment=1)
    story: list[Flowable] = [Paragraph(escape(title), heading), Spacer(1, 6 * mm)]
    for label, value in fields:
        story.append(Paragraph(f"{escape(label)}：{escape(value)}", base))
    story.append(Spacer(1, 6 * mm))
    for paragraph in body.split("\n"):
        story.append(Paragraph(escape(paragraph) or "&nbsp;", base))
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, title=title, leftMargin=25 * mm, rightMargin=25 * mm,
        topMargin=25 * mm, bottomMargin=25 * mm,
    )  # fmt: skip
    document.build(story)
    return out.getvalue()


def page_count(data: bytes) -> int | None:
    """The PDF's number of pages; ``None`` if it cannot be read."""
    with PDFIUM:  # PDFium: one thread at a time in the process
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            return None
        try:
            return len(document)
        finally:
            document.close()
