"""Make a rendered transcript ready for signing: record binding, signature page, empty fields.

The transcript PDF as rendered stays byte for byte the file's first revision (so its SHA-256 in
the binding can be checked by anyone); one incremental update then adds

- the record binding (:mod:`signing.binding`) as an associated file,
- a signature page (签名页) at the end, drawn with reportlab in the CJK font: the binding in
  words (case, version, transcript SHA-256, each recording's name, duration and SHA-256) and a
  labelled box per signer, and
- one empty signature field per signer over those boxes, in signing order.

The seal field is the last one and carries a field lock (``/Lock``: FieldMDP ``All`` with
``/P 1``, PDF 2.0): once the court seal is applied nothing may change any more, not even another
signature. DocMDP certification is not usable here because it must be the *first* signature of a
document and the parties sign first; the seal's lock gives the same "closed" meaning at the end.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from signing.appearance import register_font
from signing.binding import RecordBinding, RecordingDigest, embed_binding, sha256_hex

__all__ = ["SignerSlot", "prepare_document", "signature_page_count"]

PAGE_W, PAGE_H = A4
MARGIN = 50.0
BOX_W, BOX_H = 235.0, 105.0
LABEL_H, ROW_GAP, COL_GAP = 16.0, 14.0, 25.0
LINE_H = 13.0


@dataclass(frozen=True)
class SignerSlot:
    """One signature block: an ASCII field name and the label printed above the box."""

    field_name: str
    label: str  # e.g. "原告 张三", "审判长 李四", "法院印章"
    seal: bool = False


@dataclass(frozen=True)
class _Placed:
    slot: SignerSlot
    page: int  # index among the signature pages
    box: tuple[int, int, int, int]


def _header_lines(binding: RecordBinding) -> list[tuple[str, float]]:
    lines = [
        (f"案号：{binding.case_number}    笔录版本：{binding.transcript_version}", 10.0),
        (f"庭审编号：{binding.hearing_id}", 10.0),
        (f"笔录文件 SHA-256：{binding.transcript_sha256}", 8.0),
        ("庭审录音（文件名、时长、SHA-256）：" if binding.recordings else "庭审录音：无", 10.0),
    ]
    for recording in sorted(binding.recordings, key=lambda r: r.name):
        seconds = recording.duration_ms // 1000
        lines.append(
            (
                f"{recording.name}  {seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}",
                8.0,
            )
        )
        lines.append((f"    {recording.sha256}", 8.0))
    return lines


def _layout(slots: Sequence[SignerSlot], first_top: float) -> list[_Placed]:
    placed: list[_Placed] = []
    page, top = 0, first_top
    for index, slot in enumerate(slots):
        column = index % 2 if not slot.seal else 0
        if column == 0 and index > 0:
            top -= LABEL_H + BOX_H + ROW_GAP
        if slot.seal and index % 2 == 1:
            top -= LABEL_H + BOX_H + ROW_GAP
        if top - LABEL_H - BOX_H < MARGIN:
            page, top = page + 1, PAGE_H - MARGIN - 30
        x1 = MARGIN + column * (BOX_W + COL_GAP)
        y2 = top - LABEL_H
        box = (round(x1), round(y2 - BOX_H), round(x1 + BOX_W), round(y2))
        placed.append(_Placed(slot, page, box))
    return placed


def _first_top(header: Sequence[tuple[str, float]]) -> float:
    return PAGE_H - MARGIN - 40 - sum(size * 1.6 for _, size in header) - 20


def signature_page_count(recordings: Sequence[RecordingDigest], slots: Sequence[SignerSlot]) -> int:
    """How many signature pages :func:`prepare_document` appends for these recordings and slots
    (the transcript's page footers count them: "第 N 页 共 M 页")."""
    # the header's line count is all that matters here, not its text
    binding = RecordBinding("", "", 0, "", tuple(recordings))
    placed = _layout(slots, _first_top(_header_lines(binding)))
    return max(p.page for p in placed) + 1 if placed else 1


def _render_pages(
    binding: RecordBinding, slots: Sequence[SignerSlot], font: Path, pages_before: int
) -> tuple[bytes, list[_Placed]]:
    font_name = register_font(font)
    header = _header_lines(binding)
    placed = _layout(slots, _first_top(header))
    buffer = io.BytesIO()
    # the embedded CJK font as the pages' initial font, not reportlab's unembedded Helvetica
    # (selected on every page, it would keep a sealed transcript out of a PDF/A e-volume)
    canvas = Canvas(buffer, pagesize=A4, invariant=1, initialFontName=font_name)  # type: ignore[arg-type]
    count = max(p.page for p in placed) + 1 if placed else 1
    for page in range(count):
        canvas.setFont(font_name, 9)  # as the transcript's pages say it (transcript.pdf)
        canvas.drawCentredString(
            PAGE_W / 2, 12 * mm, f"第 {pages_before + page + 1} 页 共 {pages_before + count} 页"
        )
        canvas.setFont(font_name, 18)
        canvas.drawCentredString(PAGE_W / 2, PAGE_H - MARGIN - 10, "签 名 页")
        y = PAGE_H - MARGIN - 24
        if page == 0:
            for text, size in header:
                y -= size * 1.6
                canvas.setFont(font_name, size)
                canvas.drawString(MARGIN, y, text)
        for item in (p for p in placed if p.page == page):
            x1, y1, x2, y2 = item.box
            canvas.setFont(font_name, 10)
            canvas.drawString(x1, y2 + 4, item.slot.label)
            canvas.setStrokeColor(HexColor("#999999"))
            canvas.rect(x1, y1, x2 - x1, y2 - y1, stroke=1, fill=0)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue(), placed


def _append_page(writer: IncrementalPdfFileWriter, source: PdfFileReader, index: int) -> int:
    """Append page ``index`` of ``source`` as a new last page drawing it as one form XObject."""
    xobject = writer.import_page_as_xobject(source, page_ix=index)
    # pyHanko's generic PDF objects are untyped constructors: one narrow ignore per call
    contents = generic.StreamObject(stream_data=b"q /SigPage Do Q")
    media_box = [generic.FloatObject(v) for v in (0, 0, PAGE_W, PAGE_H)]  # type: ignore[no-untyped-call]
    xobjects = generic.DictionaryObject({pdf_name("/SigPage"): xobject})  # type: ignore[no-untyped-call]
    resources = generic.DictionaryObject({pdf_name("/XObject"): xobjects})  # type: ignore[no-untyped-call]
    page = generic.DictionaryObject(  # type: ignore[no-untyped-call]
        {
            pdf_name("/Type"): pdf_name("/Page"),
            pdf_name("/MediaBox"): generic.ArrayObject(media_box),
            pdf_name("/Resources"): resources,
            pdf_name("/Contents"): writer.add_object(contents),
        }
    )
    writer.insert_page(page)  # type: ignore[no-untyped-call]
    return int(writer.root["/Pages"]["/Count"]) - 1


def prepare_document(
    transcript_pdf: bytes,
    *,
    hearing_id: str,
    case_number: str,
    transcript_version: int,
    recordings: Sequence[RecordingDigest],
    slots: Sequence[SignerSlot],
    font: Path,
) -> bytes:
    """The transcript plus one update holding the binding, the signature page(s) and the fields."""
    names = [slot.field_name for slot in slots]
    if len(set(names)) != len(names) or not all(name.isascii() and name for name in names):
        raise ValueError("signature field names must be unique, non-empty ASCII")
    if any(slot.seal for slot in slots[:-1]):
        raise ValueError("only the last slot can be the seal: it locks the document")
    binding = RecordBinding(
        hearing_id=hearing_id,
        case_number=case_number,
        transcript_version=transcript_version,
        transcript_sha256=sha256_hex(transcript_pdf),
        recordings=tuple(sorted(recordings, key=lambda r: r.name)),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(transcript_pdf))
    pages_before = int(writer.root["/Pages"]["/Count"])
    pages_pdf, placed = _render_pages(binding, slots, font, pages_before)
    source = PdfFileReader(io.BytesIO(pages_pdf))
    embed_binding(writer, binding)
    page_numbers = [
        _append_page(writer, source, i) for i in range(len(source.root["/Pages"]["/Kids"]))
    ]
    for item in placed:
        lock = (
            {
                "field_mdp_spec": fields.FieldMDPSpec(fields.FieldMDPAction.ALL),
                "doc_mdp_update_value": fields.MDPPerm.NO_CHANGES,
            }
            if item.slot.seal
            else {}
        )
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(
                sig_field_name=item.slot.field_name,
                on_page=page_numbers[item.page],
                box=item.box,
                readable_field_name=item.slot.label,
                **lock,  # type: ignore[arg-type]
            ),
        )
    output = io.BytesIO()
    writer.write(output)  # type: ignore[no-untyped-call]
    return output.getvalue()
