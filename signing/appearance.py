"""What a signature looks like on the page: the signer's handwriting, name, role and time.

pyHanko's own text stamps use a simple Latin font; a court's signature block needs CJK names and
roles ("原告 张三"), so the block is drawn with reportlab (the same embedded TrueType CJK font
as the transcript) as a one-page PDF the size of the field, and pyHanko imports that page as the
signature's appearance stream (:class:`ImportedPdfBytes`). The appearance is only a picture:
what the signature *means* is in the CMS signature and the certificate, which verification reads.
"""

from __future__ import annotations

import binascii
import io
import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.stamp import StaticStampStyle
from reportlab.lib.colors import HexColor, black
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

__all__ = [
    "COURT_TIME_ZONE",
    "FONT_NAME",
    "ImportedPdfBytes",
    "SignatureAppearance",
    "register_font",
    "render_appearance_pdf",
    "stamp_style",
]

FONT_NAME = "TingshenSignCJK"
COURT_TIME_ZONE = ZoneInfo("Asia/Shanghai")
SEAL_RED = HexColor("#D0101A")

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class SignatureAppearance:
    """The visible signature block of one signer.

    ``page`` and ``box`` (x1, y1, x2, y2 in PDF points) are only used when the field does not
    exist yet; fields laid out by :func:`signing.pades_document.prepare_document` carry their own.
    """

    name: str
    role: str
    handwriting_png: bytes | None = None
    reason: str | None = None
    location: str | None = None
    page: int = -1
    box: Box | None = None
    time_zone: tzinfo = field(default=COURT_TIME_ZONE)
    seal: bool = False  # draw the court's round red seal instead of handwriting


def register_font(font: Path) -> str:
    """Register the CJK font with reportlab once per process (subfont 0 of a .ttc)."""
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(font), subfontIndex=0))
    return FONT_NAME


def render_appearance_pdf(
    appearance: SignatureAppearance, signed_at: datetime, *, width: float, height: float, font: Path
) -> bytes:
    """One page of ``width`` × ``height`` points: handwriting above, role, name and time below."""
    font_name = register_font(font)
    buffer = io.BytesIO()
    # the embedded CJK font as the page's initial font: reportlab's default (Helvetica, which
    # it never embeds) would be selected in the stream and keep a sealed file from PDF/A
    canvas = Canvas(
        buffer, pagesize=(width, height), invariant=1,
        initialFontName=font_name,  # type: ignore[arg-type]
    )  # fmt: skip
    text_size = max(6.0, min(9.0, height / 9))
    lines = [
        f"{appearance.role}  {appearance.name}",
        "签署时间 " + signed_at.astimezone(appearance.time_zone).strftime("%Y-%m-%d %H:%M:%S %z"),
    ]
    text_block = text_size * 1.3 * len(lines) + 4
    if appearance.handwriting_png:
        image = ImageReader(io.BytesIO(appearance.handwriting_png))
        image_width, image_height = image.getSize()
        room_w, room_h = width - 8, height - text_block - 6
        if room_h > 4 and image_width > 0 and image_height > 0:
            scale = min(room_w / image_width, room_h / image_height)
            draw_w, draw_h = image_width * scale, image_height * scale
            canvas.drawImage(
                image,
                (width - draw_w) / 2,
                text_block + (room_h - draw_h) / 2 + 2,
                draw_w,
                draw_h,
                mask="auto",
            )
    if appearance.seal:
        _draw_seal(canvas, font_name, appearance.name, width, height, text_block)
    canvas.setFillColor(black)
    canvas.setFont(font_name, text_size)
    for index, line in enumerate(reversed(lines)):
        canvas.drawString(4, 4 + index * text_size * 1.3, line)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_seal(
    canvas: Canvas, font_name: str, name: str, width: float, height: float, bottom: float
) -> None:
    """A round red seal: ring, five-pointed star, the court's name beneath the star."""
    radius = min(width - 8, height - bottom - 6) / 2
    if radius < 12:
        return
    cx, cy = width / 2, bottom + 2 + (height - bottom - 6) / 2
    canvas.setStrokeColor(SEAL_RED)
    canvas.setFillColor(SEAL_RED)
    canvas.setLineWidth(max(1.5, radius / 18))
    canvas.circle(cx, cy, radius * 0.95, stroke=1, fill=0)
    star = radius * 0.32
    points = [
        (
            cx + (star if i % 2 == 0 else star * 0.4) * math.sin(i * math.pi / 5),
            cy + star * 0.35 + (star if i % 2 == 0 else star * 0.4) * math.cos(i * math.pi / 5),
        )
        for i in range(10)
    ]
    path = canvas.beginPath()
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)
    size = min(radius * 0.28, 1.6 * radius / max(len(name), 1))
    canvas.setFont(font_name, size)
    canvas.drawCentredString(cx, cy - radius * 0.45, name)


class ImportedPdfBytes(content.PdfContent):
    """pyHanko's ``ImportedPdfPage`` reads a file name; this imports a page held in memory."""

    def __init__(self, pdf: bytes, page_ix: int = 0) -> None:
        self.pdf = pdf
        self.page_ix = page_ix
        super().__init__()

    def render(self) -> bytes:
        writer = self._ensure_writer
        reader = PdfFileReader(io.BytesIO(self.pdf))
        xobj = writer.import_page_as_xobject(reader, page_ix=self.page_ix)
        resource_name = b"/Import" + binascii.hexlify(uuid.uuid4().bytes)
        self.resources.xobject[resource_name.decode("ascii")] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return resource_name + b" Do"


def stamp_style(appearance_pdf: bytes) -> StaticStampStyle:
    """A pyHanko stamp style that shows ``appearance_pdf`` filling the field, without a border."""
    return StaticStampStyle(
        background=ImportedPdfBytes(appearance_pdf),
        background_opacity=1.0,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(),
            inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT,
        ),
    )
