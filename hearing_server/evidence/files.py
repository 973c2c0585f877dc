"""Evidence files: what is accepted (PDF, PNG, JPEG up to :data:`MAX_BYTES`), their pages, and a
page as the PNG every viewer gets, stored on the platform's blob store.

    checked = inspect(data, media_type)         # InvalidInputError / UnsupportedMediaTypeError
    checked.sha256, checked.page_count
    store = EvidenceStore(LocalBlobStore(data_dir / "evidence"))
    key = store.put_original(hearing_id, material_id, data, checked.extension)
    png, media_type = store.page(key, media_type, page)   # rendered once, then kept

PDF pages are rendered on the server with PDFium (pypdfium2) rather than in each browser: one
well-kept renderer, the same pixels for every viewer, and a PDF that PDFium cannot open is
refused at upload instead of failing on a viewer's screen. The material source is pluggable:
a dossier material (once the dossier exists) needs only an original and a page count.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from hearing_server.errors import InvalidInputError, UnsupportedMediaTypeError
from tingshen_platform.blobs import BlobNotFoundError, BlobStore
from tingshen_platform.pdfium import PDFIUM

__all__ = [
    "MAX_BYTES",
    "MAX_MATERIALS",
    "MAX_PAGES",
    "MEDIA_TYPES",
    "CheckedFile",
    "EvidenceStore",
    "inspect",
]

MAX_BYTES = 20 * 1024 * 1024
MAX_PAGES = 500
MAX_MATERIALS = 300  # per hearing: bounds the materials list every page of the hearing reads
RENDER_WIDTH_PX = 1600
"""A rendered page's width: sharp on a large screen, a few hundred KB as PNG."""

MEDIA_TYPES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}

_pdfium = PDFIUM
"""PDFium is not thread-safe: one call at a time in this process (``tingshen_platform.pdfium``)."""


@dataclass(frozen=True, slots=True)
class CheckedFile:
    media_type: str
    extension: str
    sha256: str
    size: int
    page_count: int


def inspect(data: bytes, media_type: str) -> CheckedFile:
    """Validate an upload: type (declared and by its first bytes), size, readable pages."""
    if media_type not in MEDIA_TYPES:
        raise UnsupportedMediaTypeError("evidence must be a PDF, PNG or JPEG file")
    if not data:
        raise InvalidInputError("the file is empty")
    if len(data) > MAX_BYTES:
        raise InvalidInputError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if not any(data.startswith(magic) for magic in _MAGIC[media_type]):
        raise InvalidInputError(f"the file is not a {media_type} file")
    pages = _pdf_pages(data) if media_type == "application/pdf" else _image_pages(data)
    return CheckedFile(
        media_type, MEDIA_TYPES[media_type], hashlib.sha256(data).hexdigest(), len(data), pages
    )


def _pdf_pages(data: bytes) -> int:
    import pypdfium2

    with _pdfium:
        try:
            document = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError as exc:
            raise InvalidInputError("the PDF cannot be opened (damaged or encrypted)") from exc
        try:
            count = len(document)
        finally:
            document.close()
    if not 1 <= count <= MAX_PAGES:
        raise InvalidInputError(f"a PDF of evidence has 1 to {MAX_PAGES} pages")
    return count


def _image_pages(data: bytes) -> int:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InvalidInputError("the image cannot be read") from exc
    return 1


def _render_pdf_page(data: bytes, page: int) -> bytes:
    import pypdfium2

    with _pdfium:
        document = pypdfium2.PdfDocument(data)
        try:
            pdf_page = document[page - 1]
            width = pdf_page.get_width() or 1.0
            bitmap = pdf_page.render(scale=RENDER_WIDTH_PX / width)
            image = bitmap.to_pil()
        finally:
            document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


class EvidenceStore:
    """Originals and rendered pages under ``hearing-<id>/material-<id>/`` of a blob store."""

    def __init__(self, blobs: BlobStore) -> None:
        self.blobs = blobs

    @staticmethod
    def _prefix(hearing_id: int, material_id: int) -> str:
        return f"hearing-{int(hearing_id)}/material-{int(material_id)}"

    def put_original(self, hearing_id: int, material_id: int, data: bytes, extension: str) -> str:
        key = f"{self._prefix(hearing_id, material_id)}/original{extension}"
        self.blobs.put(key, data)
        return key

    def page(self, key: str, media_type: str, page: int) -> tuple[bytes, str]:
        """The page as an image: an image material is its own single page; a PDF page is
        rendered to PNG on first request and kept beside the original."""
        if media_type != "application/pdf":
            return self.blobs.get(key), media_type
        rendered = f"{key.rpartition('/')[0]}/page-{int(page)}.png"
        try:
            return self.blobs.get(rendered), "image/png"
        except BlobNotFoundError:
            pass
        png = _render_pdf_page(self.blobs.get(key), page)
        self.blobs.put(rendered, png)
        return png, "image/png"
