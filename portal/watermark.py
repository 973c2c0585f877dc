"""Pages of a document for reading in the browser (网上阅卷): each page rendered to a PNG with
the reader's name, the last four characters of their ID number and the time tiled across it, so
that a screenshot names its reader. The PDF itself never leaves unless downloads are allowed."""

from __future__ import annotations

import io
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

from tingshen_platform.fonts import find_cjk_font
from tingshen_platform.pdfium import PDFIUM

__all__ = ["page_count", "watermarked_page"]

SCALE = 1.5
"""108 dpi: legible on a screen, poor for reprinting."""


@lru_cache(maxsize=4)
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def page_count(pdf: bytes) -> int:
    with PDFIUM:
        document = pdfium.PdfDocument(pdf)
        try:
            return len(document)
        finally:
            document.close()


def watermarked_page(pdf: bytes, index: int, label: str, *, font: Path | None = None) -> bytes:
    """Page ``index`` (0-based) of ``pdf`` as PNG, ``label`` tiled diagonally over it."""
    with PDFIUM:  # PDFium aborts the process when two threads are inside it at once
        document = pdfium.PdfDocument(pdf)
        try:
            if not 0 <= index < len(document):
                raise IndexError(index)
            bitmap = document[index].render(scale=SCALE)
            page = bitmap.to_pil().convert("RGBA")
        finally:
            document.close()
    text_font = _font(font or find_cjk_font(), 22)
    tile = Image.new("RGBA", (520, 160), (255, 255, 255, 0))
    ImageDraw.Draw(tile).text((10, 60), label, font=text_font, fill=(200, 30, 30, 70))
    tile = tile.rotate(25, expand=True)
    overlay = Image.new("RGBA", page.size, (255, 255, 255, 0))
    for y in range(0, page.height, tile.height - 40):
        for x in range(0, page.width, tile.width - 60):
            overlay.alpha_composite(tile, (x, y))
    out = io.BytesIO()
    Image.alpha_composite(page, overlay).convert("RGB").save(out, "PNG", optimize=False)
    return out.getvalue()


def label_for(name: str, id_tail: str, at: datetime) -> str:
    return f"{name} 身份证尾号{id_tail} {at:%Y-%m-%d %H:%M} 仅供阅卷"
