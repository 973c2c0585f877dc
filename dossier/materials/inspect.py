"""What an uploaded file is, decided from its bytes (never its name alone), and the refusals:

- PDF (``%PDF-``): must open (pdfium), not be encrypted, have pages, and end with ``%%EOF``
  (a truncated file is refused rather than half-read) → :class:`Refused` 422.
- Scans: JPEG, PNG, TIFF. The header is read only; a declared size over :data:`MAX_PIXELS`
  (Pillow's decompression-bomb limit) → 422 before a pixel is decoded.
- Office: OOXML ``docx``/``xlsx`` (zip with ``[Content_Types].xml``), ODF ``odt``/``ods`` (zip
  with ``mimetype``), legacy OLE ``doc``/``xls``, RTF. A macro-enabled extension (``.docm`` …), an
  OOXML part ``vbaProject.bin`` or a macro content type, an ODF ``Basic/`` library, or an OLE
  storage of VBA (``Macros``, ``_VBA_PROJECT_CUR``, ``VBA``) → 415 ``dossier_macro_refused``.
- Anything else → 415 ``dossier_file_type``.
"""

from __future__ import annotations

import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import olefile
import pypdfium2
from PIL import Image

from dossier.errors import InvalidInputError, UnsupportedMediaError
from dossier.materials.filenames import extension
from tingshen_platform.pdfium import PDFIUM

__all__ = ["MAX_PIXELS", "Inspected", "inspect_file"]

MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
"""Pillow's default decompression-bomb limit (about 89 million pixels: an A3 page scanned at
600 dpi is 70 million)."""

MAX_PART_BYTES = 1 << 20
"""Of an Office file's small parts, what is read to recognise it."""
MACRO_EXTENSIONS = frozenset({"docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppsm"})
OLE_MACRO_STORAGES = frozenset({"macros", "_vba_project_cur", "vba"})
OOXML_KINDS = {"word/": "docx", "xl/": "xlsx"}
ODF_KINDS = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "tiff": "image/tiff",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "rtf": "application/rtf",
}


@dataclass(frozen=True, slots=True)
class Inspected:
    kind: str
    """``pdf``, ``jpeg``/``png``/``tiff`` (a scan), or an Office kind (``docx`` …)."""
    media_type: str
    page_count: int | None = None
    """A PDF's pages (known at once)."""

    @property
    def is_image(self) -> bool:
        return self.kind in ("jpeg", "png", "tiff")

    @property
    def is_office(self) -> bool:
        return not self.is_image and self.kind != "pdf"


def inspect_file(path: Path, filename: str) -> Inspected:
    if extension(filename) in MACRO_EXTENSIONS:
        raise UnsupportedMediaError.because("dossier_macro_refused")
    with path.open("rb") as f:
        head = f.read(2048)
    if b"%PDF-" in head[:1024]:
        return Inspected("pdf", MEDIA_TYPES["pdf"], _pdf_pages(path))
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")):
        return _image(path)
    if head.startswith(b"PK\x03\x04"):
        return _zip_document(path)
    if head.startswith(olefile.MAGIC):
        return _ole_document(path)
    if head.startswith(b"{\\rtf"):
        return Inspected("rtf", MEDIA_TYPES["rtf"])
    raise UnsupportedMediaError.because("dossier_file_type")


def _pdf_pages(path: Path) -> int:
    size = path.stat().st_size
    with path.open("rb") as f:
        f.seek(max(0, size - 2048))
        tail = f.read()
    if b"%%EOF" not in tail:
        raise InvalidInputError.because("dossier_pdf_corrupt")
    with PDFIUM:  # PDFium: one thread at a time in the process
        try:
            pdf = pypdfium2.PdfDocument(str(path))
        except pypdfium2.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise InvalidInputError.because("dossier_pdf_encrypted") from None
            raise InvalidInputError.because("dossier_pdf_corrupt") from None
        try:
            pages = len(pdf)
            if pages == 0:
                raise InvalidInputError.because("dossier_pdf_corrupt")
            pdf[0].close()  # the first page must load too
        finally:
            pdf.close()
    return pages


def _image(path: Path) -> Inspected:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                kind = (image.format or "").lower()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInputError.because("dossier_image_too_large", max_pixels=MAX_PIXELS) from None
    except (OSError, SyntaxError, ValueError):
        raise InvalidInputError.because("dossier_image_corrupt") from None
    if width * height > MAX_PIXELS:
        raise InvalidInputError.because("dossier_image_too_large", max_pixels=MAX_PIXELS)
    if kind not in ("jpeg", "png", "tiff"):
        raise UnsupportedMediaError.because("dossier_file_type")
    return Inspected(kind, MEDIA_TYPES[kind])


def _zip_document(path: Path) -> Inspected:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            lowered = [n.lower() for n in names]
            if "mimetype" in names:
                with archive.open("mimetype") as part:  # read a little: never inflate a bomb
                    mimetype = part.read(100).decode("ascii", "replace").strip()
                if any(n.startswith("basic/") for n in lowered):
                    raise UnsupportedMediaError.because("dossier_macro_refused")
                kind = ODF_KINDS.get(mimetype)
            elif "[content_types].xml" in lowered:
                with archive.open(names[lowered.index("[content_types].xml")]) as part:
                    types = part.read(MAX_PART_BYTES)
                if any(n.endswith("vbaproject.bin") for n in lowered) or (b"macroEnabled" in types):
                    raise UnsupportedMediaError.because("dossier_macro_refused")
                kind = next(
                    (
                        k
                        for prefix, k in OOXML_KINDS.items()
                        if any(n.startswith(prefix) for n in names)
                    ),
                    None,
                )
            else:
                kind = None
    except zipfile.BadZipFile:
        raise InvalidInputError.because("dossier_office_corrupt") from None
    if kind is None:
        raise UnsupportedMediaError.because("dossier_file_type")
    return Inspected(kind, MEDIA_TYPES[kind])


def _ole_document(path: Path) -> Inspected:
    try:
        with olefile.OleFileIO(str(path)) as ole:
            entries = [
                [part.lower() for part in entry]
                for entry in ole.listdir(streams=True, storages=True)
            ]
    except (OSError, ValueError):
        raise InvalidInputError.because("dossier_office_corrupt") from None
    if any(part in OLE_MACRO_STORAGES for entry in entries for part in entry):
        raise UnsupportedMediaError.because("dossier_macro_refused")
    tops = {entry[0] for entry in entries if entry}
    if "worddocument" in tops:
        return Inspected("doc", MEDIA_TYPES["doc"])
    if "workbook" in tops or "book" in tops:
        return Inspected("xls", MEDIA_TYPES["xls"])
    raise UnsupportedMediaError.because("dossier_file_type")
