"""Composing the e-volume PDF (pypdf): the cover and catalogue, every item in order with its
page numbers (页号) stamped at the bottom right, the reference sheet; one bookmark per item.

Memory: the items are read one at a time from files (pypdf parses lazily and the output is
written to a file); the page-number overlays of one item are one small reportlab document that
shares one embedded font subset. The whole e-volume is held in memory once, for the seal.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject
from reportlab.pdfgen.canvas import Canvas

from dossier.archive.rules import Item
from dossier.archive.sheets import font_name

__all__ = ["VolumePart", "compose_volume", "watermark"]


@dataclass(frozen=True, slots=True)
class VolumePart:
    item: Item
    title: str
    open: Callable[[], BinaryIO]
    """The item's PDF (opened when its turn comes, closed after)."""


def _sizes(pages: Iterable[RectangleObject]) -> list[tuple[float, float, float, float]]:
    return [(float(b.left), float(b.bottom), float(b.width), float(b.height)) for b in pages]


def _overlay(
    boxes: Sequence[tuple[float, float, float, float]],
    draw: Callable[[Canvas, float, float, int], None],
) -> PdfReader:
    """One overlay page per box (same size), drawn by ``draw(canvas, width, height, index)``."""
    out = io.BytesIO()
    canvas = Canvas(out)
    for index, (_, _, width, height) in enumerate(boxes):
        canvas.setPageSize((width, height))
        draw(canvas, width, height, index)
        canvas.showPage()
    canvas.save()
    out.seek(0)
    return PdfReader(out)


def _stamp_numbers(first: int) -> Callable[[Canvas, float, float, int], None]:
    font = font_name()

    def draw(canvas: Canvas, width: float, _height: float, index: int) -> None:
        canvas.setFont(font, 11)
        canvas.drawRightString(width - 28, 20, str(first + index))

    return draw


def _merge(writer: PdfWriter, reader: PdfReader, overlay: PdfReader | None) -> None:
    for index, page in enumerate(reader.pages):
        added = writer.add_page(page)
        if overlay is not None:
            box = added.mediabox
            offset = (float(box.left), float(box.bottom))
            if any(offset):
                added.merge_translated_page(overlay.pages[index], *offset)
            else:
                added.merge_page(overlay.pages[index])


def compose_volume(
    front: bytes, parts: Sequence[VolumePart], back: bytes, out: Path, *, title: str
) -> int:
    """Write the e-volume to ``out``; its page count. An item whose PDF has a different number
    of pages than its arrangement says raises ``ValueError``."""
    writer = PdfWriter()
    _merge(writer, PdfReader(io.BytesIO(front)), None)
    for part in parts:
        with part.open() as source:
            reader = PdfReader(source)
            expected = part.item.last_page - part.item.first_page + 1
            if len(reader.pages) != expected:
                raise ValueError(f"item {part.item.number}: {len(reader.pages)} pages")
            start = len(writer.pages)
            boxes = _sizes(p.mediabox for p in reader.pages)
            _merge(writer, reader, _overlay(boxes, _stamp_numbers(part.item.first_page)))
            writer.add_outline_item(title=f"{part.item.number}. {part.title}", page_number=start)
    back_start = len(writer.pages)
    _merge(writer, PdfReader(io.BytesIO(back)), None)
    writer.add_outline_item(title="卷内备考表", page_number=back_start)
    writer.add_metadata({"/Title": title, "/Producer": "Tingshen"})
    writer.page_mode = "/UseOutlines"
    with out.open("wb") as sink:
        writer.write(sink)
    return len(writer.pages)


def watermark(pdf: BinaryIO, lines: Sequence[str], at: datetime) -> bytes:
    """A reading copy: diagonal text (``lines``, e.g. borrower, court, time, 仅供调阅) on every
    page, made per download."""
    reader = PdfReader(pdf)
    font = font_name()
    stamp_text = [*lines, at.strftime("%Y-%m-%d %H:%M")]

    def draw(canvas: Canvas, width: float, height: float, _index: int) -> None:
        canvas.saveState()
        canvas.setFillColorRGB(0.75, 0.1, 0.1, alpha=0.28)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(40)
        size = max(14.0, min(width, height) / 18)
        canvas.setFont(font, size)
        for i, line in enumerate(stamp_text):
            canvas.drawCentredString(0, (len(stamp_text) / 2 - i) * size * 1.5, line)
        canvas.restoreState()

    writer = PdfWriter()
    _merge(writer, reader, _overlay(_sizes(p.mediabox for p in reader.pages), draw))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
