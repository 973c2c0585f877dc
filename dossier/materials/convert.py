"""Turning an accepted file into a PDF and reading its text (blocking; run in jobs).

- Office documents: headless LibreOffice (``soffice --headless --convert-to pdf``) with a private
  profile directory per conversion (two conversions never share one, nothing of the user's),
  a timeout, and nothing to reach but the files it is given.
- Scans: every frame of the image (a multi-page TIFF has several) becomes a PDF page at the
  scan's resolution (Pillow).
- Text: the PDF's text layer per page (pdfium); a page without one is rendered at
  :data:`OCR_DPI` (pdfium) and read by Tesseract (``chi_sim+eng``); a scan is read as it came.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
from PIL import Image, ImageSequence

from tingshen_platform.pdfium import PDFIUM

__all__ = ["ConversionError", "PdfText", "image_to_pdf", "office_to_pdf", "pdf_text"]

OFFICE_TIMEOUT_S = 180.0
OCR_TIMEOUT_S = 120.0
MAX_FRAME_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
MAX_FRAMES = 500
"""A multi-page TIFF: every page is checked, not only the first (upload inspection)."""
OCR_DPI = 200
"""Enough for print at 10 pt and up; 300 dpi took twice as long here for the same text."""
MIN_TEXT_CHARS = 8
"""A page with fewer characters in its text layer is read by OCR (a scan with a stray mark)."""

_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<={_CJK})[ \t]+(?={_CJK})")


class ConversionError(Exception):
    """The file could not be made into a PDF or read (a permanent failure of its job)."""


@dataclass(frozen=True, slots=True)
class PdfText:
    page_count: int
    text: str
    ocr_pages: int


def office_to_pdf(source: Path, kind: str, out_dir: Path, *, soffice: str = "soffice") -> Path:
    """``source`` (an Office document of ``kind``: docx, xlsx, odt …) converted to a PDF in
    ``out_dir``."""
    with tempfile.TemporaryDirectory(prefix="soffice-") as work:
        workdir = Path(work)
        document = workdir / f"document.{kind}"
        document.write_bytes(source.read_bytes())
        profile = workdir / "profile"
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir / "out"),
            str(document),
        ]
        try:
            subprocess.run(
                command,
                capture_output=True,
                timeout=OFFICE_TIMEOUT_S,
                check=False,
                cwd=workdir,
                env={"HOME": str(workdir), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
            )
        except subprocess.TimeoutExpired:
            raise ConversionError("LibreOffice took too long") from None
        produced = workdir / "out" / "document.pdf"
        if not produced.is_file() or produced.stat().st_size == 0:
            raise ConversionError("LibreOffice could not convert the document")
        target = out_dir / "converted.pdf"
        target.write_bytes(produced.read_bytes())
        return target


def image_to_pdf(source: Path, out_dir: Path) -> tuple[Path, list[Path]]:
    """The scan as a PDF, and each of its pages as a grayscale PNG (what OCR reads: the scan
    itself, not a rendering of it)."""
    target = out_dir / "scan.pdf"
    try:
        with Image.open(source) as image:
            dpi = image.info.get("dpi", (300, 300))
            resolution = float(dpi[0]) if dpi and dpi[0] else 300.0
            pages: list[Image.Image] = []
            for frame in ImageSequence.Iterator(image):
                width, height = frame.size
                if width * height > MAX_FRAME_PIXELS or len(pages) >= MAX_FRAMES:
                    raise ConversionError("the scan has too many pages or too many pixels")
                pages.append(frame.convert("RGB"))
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ConversionError(f"the image could not be read: {exc}") from None
    first, rest = pages[0], pages[1:]
    first.save(target, "PDF", resolution=resolution, save_all=True, append_images=rest)
    images = []
    for number, page in enumerate(pages, start=1):
        path = out_dir / f"scan-{number}.png"
        page.convert("L").save(path, "PNG")
        images.append(path)
    return target, images


def pdf_text(
    pdf_path: Path,
    *,
    tesseract: str = "tesseract",
    languages: str = "chi_sim+eng",
    page_images: list[Path] | None = None,
) -> PdfText:
    """The text of every page (pages separated by a form feed), OCR where a page has none
    (of ``page_images[i]`` when given: the scan a page was made from, else a rendering)."""
    with PDFIUM:  # PDFium: one thread at a time in the process (released during OCR)
        try:
            pdf = pypdfium2.PdfDocument(str(pdf_path))
        except pypdfium2.PdfiumError as exc:
            raise ConversionError(f"the PDF could not be read: {exc}") from None
    texts: list[str] = []
    ocr_pages = 0
    try:
        with PDFIUM:
            count = len(pdf)
        for index in range(count):
            with PDFIUM:
                page = pdf[index]
                textpage = page.get_textpage()
                text = textpage.get_text_range()
                textpage.close()
            if len(text.strip()) < MIN_TEXT_CHARS:
                if page_images is not None and index < len(page_images):
                    read = ocr_image(page_images[index], tesseract=tesseract, languages=languages)
                else:
                    read = ocr_page(page, index + 1, tesseract=tesseract, languages=languages)
                ocr_pages += 1
                # a short text layer stays unless OCR found more (a title page, a signature)
                if len(tidy(read)) > len(text.strip()):
                    text = read
            with PDFIUM:
                page.close()
            texts.append(tidy(text))
    finally:
        with PDFIUM:
            pdf.close()
    return PdfText(page_count=count, text="\f".join(texts), ocr_pages=ocr_pages)


def ocr_page(page: pypdfium2.PdfPage, number: int, *, tesseract: str, languages: str) -> str:
    """A page rendered at :data:`OCR_DPI` in gray (pdfium: 0.6 s a scanned A4 page here,
    where ``pdftoppm`` took 4 s), then read."""
    with tempfile.TemporaryDirectory(prefix="ocr-") as work:
        image = Path(work) / f"page-{number}.png"
        try:
            with PDFIUM:
                bitmap = page.render(scale=OCR_DPI / 72, grayscale=True)
                rendered = bitmap.to_pil()
            rendered.save(image, "PNG")
        except (pypdfium2.PdfiumError, OSError, ValueError) as exc:
            raise ConversionError(f"page {number} could not be rendered: {exc}") from None
        return ocr_image(image, tesseract=tesseract, languages=languages)


def ocr_image(image: Path, *, tesseract: str, languages: str) -> str:
    command = [tesseract, str(image), "stdout", "-l", languages, "--psm", "3"]
    return _run(command, image.name).decode("utf-8", "replace")


def _run(command: list[str], what: str) -> bytes:
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            timeout=OCR_TIMEOUT_S,
            check=True,
            env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
        )
    except subprocess.TimeoutExpired:
        raise ConversionError(f"reading {what} took too long") from None
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode("utf-8", "replace")[-300:]
        raise ConversionError(f"{what} could not be read: {message}") from None
    except OSError as exc:
        raise ConversionError(f"{what} could not be read: {exc}") from None
    return result.stdout


def tidy(text: str) -> str:
    """OCR puts spaces between Chinese characters; a text layer may use ``\\r\\n``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _SPACE_BETWEEN_CJK.sub("", text).strip()
