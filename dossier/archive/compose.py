"""Composing the e-volume PDF (pikepdf/qpdf): the cover and catalogue, every item in order with
its page numbers (页号) stamped at the bottom right, the reference sheet; one bookmark per item;
written as PDF/A-2b when pikepdf's validator approves the result (:mod:`dossier.archive.pdfa`).

Memory stays flat in the volume's size, in three steps, each working from files in ``work``:

1. each item on its own: its PDF opened from the store, annotations flattened, fonts embedded
   if it lacks some (Ghostscript), its page numbers overlaid (one small reportlab document
   sharing one embedded font subset), written to ``work`` and closed: one item in memory at a
   time;
2. the pages of the sheets and the items assembled by a ``qpdf`` process
   (:mod:`dossier.archive.assemble`): copying pages from other PDFs keeps their stream data in
   memory until the file is written (+162–240 MB for 300 scanned pages in the server before),
   now in a child that ends;
3. the assembled file opened, bookmarks, title and the PDF/A declaration added, written to
   ``out``: qpdf reads each stream from the assembled file while writing, one at a time.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import pikepdf
from pikepdf import pdfa as pikepdf_pdfa
from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject
from reportlab.pdfgen.canvas import Canvas

from dossier.archive.assemble import assemble_pages
from dossier.archive.pdf_fonts import (
    drop_idle_fonts,
    embed_fonts,
    tidy_generated,
    unembedded_fonts,
)
from dossier.archive.pdfa import FLAVOUR, declare
from dossier.archive.rules import Item
from dossier.archive.sheets import font_name

__all__ = ["Composed", "VolumePart", "compose_volume", "watermark"]


@dataclass(frozen=True, slots=True)
class VolumePart:
    item: Item
    title: str
    open: Callable[[], BinaryIO]
    """The item's PDF (opened when its turn comes, closed once its numbered copy is written)."""


@dataclass(slots=True)
class Composed:
    pages: int
    pdfa: bool
    """Written as PDF/A-2b (pikepdf's validator approved the file); else a plain PDF and
    ``findings`` say why."""
    fonts_embedded: list[int] = field(default_factory=list)
    """The items whose fonts Ghostscript embedded."""
    findings: list[str] = field(default_factory=list)


def _sizes(pages: Iterable[RectangleObject]) -> list[tuple[float, float, float, float]]:
    return [(float(b.left), float(b.bottom), float(b.width), float(b.height)) for b in pages]


def _overlay_pdf(
    boxes: Sequence[tuple[float, float, float, float]],
    draw: Callable[[Canvas, float, float, int], None],
) -> bytes:
    """One overlay page per box (same size), drawn by ``draw(canvas, width, height, index)``."""
    out = io.BytesIO()
    canvas = Canvas(out, initialFontName=font_name())  # type: ignore[arg-type]
    for index, (_, _, width, height) in enumerate(boxes):
        canvas.setPageSize((width, height))
        draw(canvas, width, height, index)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _stamp_numbers(first: int) -> Callable[[Canvas, float, float, int], None]:
    font = font_name()

    def draw(canvas: Canvas, width: float, _height: float, index: int) -> None:
        canvas.setFont(font, 11)
        canvas.drawRightString(width - 28, 20, str(first + index))

    return draw


def _generated(stack: contextlib.ExitStack, data: bytes) -> pikepdf.Pdf:
    pdf = stack.enter_context(pikepdf.open(io.BytesIO(data)))
    tidy_generated(pdf)
    return pdf


def _item_pdf(
    stack: contextlib.ExitStack, part: VolumePart, work: Path, embedded: list[int]
) -> pikepdf.Pdf:
    """The item's PDF, open while the stack is; rewritten with its fonts embedded when it
    lacks some."""
    source = stack.enter_context(part.open())
    pdf = stack.enter_context(pikepdf.open(source))
    # Its annotations become page content, as printed: a sealed material's visible seal stays
    # on its page (the signature cannot survive being copied; the original file is in the
    # package), and no form field is left without the form it belonged to.
    pdf.flatten_annotations("all")
    if not unembedded_fonts(pdf):
        drop_idle_fonts(pdf)  # reportlab's initial Helvetica, selected and never shown
        return pdf
    raw = work / f"item-{part.item.number}.pdf"
    source.seek(0)
    with raw.open("wb") as sink:
        shutil.copyfileobj(source, sink, 1024 * 1024)
    fixed = work / f"item-{part.item.number}-fonts.pdf"
    embed_fonts(raw, fixed)
    embedded.append(part.item.number)
    return stack.enter_context(pikepdf.open(fixed))


def _box(page: pikepdf.Page) -> tuple[float, float, float, float]:
    box = [float(v) for v in page.mediabox]
    return box[0], box[1], box[2] - box[0], box[3] - box[1]


def _generated_file(data: bytes, target: Path) -> int:
    """A sheet reportlab made, tidied, written to ``target``; its number of pages."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        tidy_generated(pdf)
        pdf.save(target)
        return len(pdf.pages)


def _numbered_item(part: VolumePart, work: Path, embedded: list[int]) -> Path:
    """The item's PDF with its page numbers, written to a file in ``work``. An item whose PDF
    has a different number of pages than its arrangement says raises ``ValueError``."""
    with contextlib.ExitStack() as stack:
        pdf = _item_pdf(stack, part, work, embedded)
        expected = part.item.last_page - part.item.first_page + 1
        if len(pdf.pages) != expected:
            raise ValueError(f"item {part.item.number}: {len(pdf.pages)} pages")
        boxes = [_box(p) for p in pdf.pages]
        overlay = _generated(stack, _overlay_pdf(boxes, _stamp_numbers(part.item.first_page)))
        for page, over, (left, bottom, width, height) in zip(
            pdf.pages, overlay.pages, boxes, strict=True
        ):
            page.add_overlay(over, pikepdf.Rectangle(left, bottom, left + width, bottom + height))
            if "/Trans" in page.obj:  # a slideshow's page transition: nothing in an archive
                del page.obj["/Trans"]
        target = work / f"item-{part.item.number}-numbered.pdf"
        pdf.save(target, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return target


def compose_volume(
    front: bytes, parts: Sequence[VolumePart], back: bytes, out: Path, *, title: str, work: Path
) -> Composed:
    """Write the e-volume to ``out`` (scratch files in ``work``). An item whose PDF has a
    different number of pages than its arrangement says raises ``ValueError``; qpdf missing or
    failing raises :class:`~dossier.archive.assemble.AssemblyError`."""
    embedded: list[int] = []
    start = _generated_file(front, work / "front.pdf")
    files = [work / "front.pdf"]
    marks: list[tuple[str, int]] = []
    for part in parts:
        files.append(_numbered_item(part, work, embedded))
        marks.append((f"{part.item.number}. {part.title}", start))
        start += part.item.last_page - part.item.first_page + 1
    marks.append(("卷内备考表", start))
    _generated_file(back, work / "back.pdf")
    files.append(work / "back.pdf")
    assembled = work / "assembled.pdf"
    assemble_pages(files, assembled, work)
    with pikepdf.open(assembled) as volume:
        with volume.open_outline() as outline:
            outline.root.extend(pikepdf.OutlineItem(text, page) for text, page in marks)
        volume.Root.PageMode = pikepdf.Name.UseOutlines
        volume.docinfo["/Title"] = title
        pages = len(volume.pages)
        try:
            declare(volume)
            pikepdf_pdfa.save(volume, out, FLAVOUR, repair=False)
        except pikepdf_pdfa.PdfaError as error:
            findings = [str(f) for f in error.report.findings]
            with volume.open_metadata(set_pikepdf_as_editor=False) as meta:
                for key in ("pdfaid:part", "pdfaid:conformance"):
                    if key in meta:
                        del meta[key]
            volume.save(out)
            return Composed(pages, False, embedded, findings)
    return Composed(pages, True, embedded)


def _overlay(
    boxes: Sequence[tuple[float, float, float, float]],
    draw: Callable[[Canvas, float, float, int], None],
) -> PdfReader:
    return PdfReader(io.BytesIO(_overlay_pdf(boxes, draw)))


def _merge(writer: PdfWriter, reader: PdfReader, overlay: PdfReader) -> None:
    for index, page in enumerate(reader.pages):
        added = writer.add_page(page)
        box = added.mediabox
        offset = (float(box.left), float(box.bottom))
        if any(offset):
            added.merge_translated_page(overlay.pages[index], *offset)
        else:
            added.merge_page(overlay.pages[index])


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
