"""PDFium is not thread-safe: two parties reading pages at once (two threads of the server's pool
inside PDFium) aborted the whole server process. Pages are rendered under the process-wide lock
(``tingshen_platform.pdfium``), whatever else in the process uses PDFium at the same time."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from dossier.publish.pdf import page_count as dossier_page_count
from portal.watermark import page_count, watermarked_page


def _pdf(pages: int) -> bytes:
    out = io.BytesIO()
    drawing = canvas.Canvas(out, pagesize=A4)
    for number in range(pages):
        drawing.drawString(100, 700, f"page {number + 1}")
        drawing.showPage()
    drawing.save()
    return out.getvalue()


def test_pages_rendered_by_many_threads_at_once_all_come_out() -> None:
    pdf = _pdf(4)

    def render(n: int) -> bytes:
        if n % 3 == 0:
            assert dossier_page_count(pdf) == 4  # another service's use of PDFium, meanwhile
        return watermarked_page(pdf, n % 4, f"陈明 身份证尾号123X 第{n}次")

    with ThreadPoolExecutor(max_workers=8) as pool:
        pages = list(pool.map(render, range(48)))
    assert all(p.startswith(b"\x89PNG\r\n\x1a\n") for p in pages)
    assert page_count(pdf) == 4
