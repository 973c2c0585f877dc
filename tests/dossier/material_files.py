"""Real files for the materials' tests and benchmark: a PDF with a Chinese text layer, scanned-
looking pages (Chinese text drawn into an image with noise, no text layer), a docx written by
hand (OOXML parts), and the bad ones: truncated and encrypted PDFs, an image bomb, a docx
carrying ``vbaProject.bin``."""

from __future__ import annotations

import io
import random
import zipfile
from functools import cache
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FONT = "MaterialsTestHei"


@cache
def _pdf_font() -> str:
    packaged = resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"
    pdfmetrics.registerFont(TTFont(FONT, str(packaged), subfontIndex=0))
    return FONT


def text_pdf(lines: list[str], *, pages: int = 1, encrypt: str | None = None) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, encrypt=encrypt)
    for _ in range(pages):
        c.setFont(_pdf_font(), 14)
        y = 780.0
        for line in lines:
            c.drawString(72, y, line)
            y -= 24
        c.showPage()
    c.save()
    return out.getvalue()


def scan_image(lines: list[str], *, seed: int = 1, dpi: int = 200) -> Image.Image:
    """An A4 page at ``dpi`` with the lines in black on off-white, speckled and slightly
    blurred, like a scan."""
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    image = Image.new("L", (width, height), 245)
    draw = ImageDraw.Draw(image)
    font_path = (
        NOTO
        if NOTO.is_file()
        else Path(str(resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"))
    )
    font = ImageFont.truetype(str(font_path), size=int(dpi * 0.17))
    y = int(dpi * 1.0)
    for line in lines:
        draw.text((int(dpi * 0.9), y), line, fill=20, font=font)
        y += int(dpi * 0.3)
    rng = random.Random(seed)
    pixels = image.load()
    assert pixels is not None
    for _ in range(width * height // 400):
        x, yy = rng.randrange(width), rng.randrange(height)
        pixels[x, yy] = rng.choice((40, 120, 200))
    return image.filter(ImageFilter.GaussianBlur(0.6)).rotate(0.4, fillcolor=245)


def scan_png(lines: list[str], *, seed: int = 1) -> bytes:
    out = io.BytesIO()
    scan_image(lines, seed=seed).save(out, "PNG", dpi=(200, 200))
    return out.getvalue()


def bomb_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A real, small PNG whose header declares ``width`` × ``height`` pixels."""
    small = io.BytesIO()
    Image.new("1", (8, 8)).save(small, "PNG")
    data = bytearray(small.getvalue())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 8] = width.to_bytes(4, "big")
    data[ihdr + 8 : ihdr + 12] = height.to_bytes(4, "big")
    import zlib

    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17]))
    data[ihdr + 17 : ihdr + 21] = crc.to_bytes(4, "big")
    return bytes(data)


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>{extra}'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def docx(paragraphs: list[str], *, page_breaks: bool = False, macro: bool = False) -> bytes:
    body = []
    for i, text in enumerate(paragraphs):
        brk = '<w:r><w:br w:type="page"/></w:r>' if page_breaks and i else ""
        body.append(f"<w:p>{brk}<w:r><w:t>{escape(text)}</w:t></w:r></w:p>")
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{''.join(body)}</w:body></w:document>"
    )
    extra = '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES.format(extra=extra if macro else ""))
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", document)
        if macro:
            z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    return out.getvalue()


def ole_with_macros() -> bytes:
    """A compound (OLE) document with the storages a Word 97 file keeps its VBA in:
    ``WordDocument`` and ``Macros/VBA/dir``. Built sector by sector (olefile only reads)."""
    sector = 512

    # sector 0: FAT; sector 1: directory (4 entries of 128 bytes); sector 2: mini-less stream data
    def entry(
        name: str, kind: int, child: int = -1, right: int = -1, start: int = 0, size: int = 0
    ) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        out = bytearray(128)
        out[: len(raw)] = raw
        out[64:66] = len(raw).to_bytes(2, "little")
        out[66] = kind  # 1 storage, 2 stream, 5 root
        out[67] = 1  # black
        out[68:72] = (-1).to_bytes(4, "little", signed=True)  # left sibling: none
        out[72:76] = right.to_bytes(4, "little", signed=True)
        out[76:80] = child.to_bytes(4, "little", signed=True)
        out[116:120] = start.to_bytes(4, "little", signed=True)
        out[120:124] = size.to_bytes(4, "little")
        return bytes(out)

    end, free, fat_sector = -2, -1, -3
    directory = b"".join(
        [
            entry("Root Entry", 5, child=1, start=end),
            entry("WordDocument", 2, right=2, start=2, size=4096),
            entry("Macros", 1, child=3),
            entry("VBA", 1, child=-1),
        ]
    )
    fat = [fat_sector, end, *range(3, 10), end]  # the stream: sectors 2..9
    fat += [free] * (128 - len(fat))
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[24:26] = (0x3E).to_bytes(2, "little")
    header[26:28] = (3).to_bytes(2, "little")
    header[28:30] = (0xFFFE).to_bytes(2, "little")
    header[30:32] = (9).to_bytes(2, "little")
    header[32:34] = (6).to_bytes(2, "little")
    header[44:48] = (1).to_bytes(4, "little")  # FAT sectors
    header[48:52] = (1).to_bytes(4, "little", signed=True)  # first directory sector
    header[56:60] = (4096).to_bytes(4, "little")  # mini stream cutoff
    header[60:64] = end.to_bytes(4, "little", signed=True)  # no mini FAT
    header[64:68] = (0).to_bytes(4, "little")
    header[68:72] = end.to_bytes(4, "little", signed=True)  # no DIFAT sectors
    header[72:76] = (0).to_bytes(4, "little")
    header[76:80] = (0).to_bytes(4, "little")  # DIFAT[0]: the FAT is sector 0
    header[80:sector] = b"\xff" * (sector - 80)
    fat_bytes = b"".join(v.to_bytes(4, "little", signed=True) for v in fat)
    data = bytes(4096)
    return bytes(header) + fat_bytes + directory + data
