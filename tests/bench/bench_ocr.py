"""OCR pages per minute and Office conversion time on this machine (the dossier's materials).

    .venv/bin/python tests/bench/bench_ocr.py [--pages 6] [--docx-pages 20] [--runs 3]

- *OCR, scans*: scanned-like A4 pages (Chinese text of a complaint drawn with Noto Sans CJK at
  200 dpi, speckle noise, a slight blur and tilt; no text layer) each wrapped into a PDF and read
  the way a material job reads them (``dossier.materials.convert``: Tesseract ``chi_sim+eng`` on
  the scan itself, one thread per process), one page after another; and the same pages as one
  scanned PDF rendered by pdfium at 200 dpi first (an uploaded scanned PDF). Reports pages
  per minute and the character accuracy against the drawn text.
- *Conversion*: a 20-page docx (one paragraph per page, page breaks) converted to PDF by headless
  LibreOffice with a fresh private profile (what every Office upload costs, cold).

Medians over ``--runs``; the machine's load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from dossier.materials.convert import image_to_pdf, office_to_pdf, pdf_text
from tests.dossier.material_files import docx, scan_image

PAGE_TEXT = [
    "民事起诉状",
    "原告：王五，男，汉族，住广州市越秀区中山路十号。",
    "被告：赵六，男，汉族，住广州市天河区体育西路二十号。",
    "诉讼请求：",
    "一、判令被告归还借款本金人民币叁万元；",
    "二、判令被告支付逾期利息；",
    "三、本案诉讼费用由被告承担。",
    "事实与理由：二〇二五年三月一日，被告向原告借款，",
    "约定于同年九月一日前归还，到期后经多次催讨未还。",
    "此致 广州市越秀区人民法院",
]


def _bare(text: str) -> str:
    return "".join(text.split())


def accuracy(expected: str, got: str) -> float:
    return difflib.SequenceMatcher(None, _bare(expected), _bare(got)).ratio()


def bench_scans(pages: int, work: Path) -> dict[str, float]:
    images = []
    for n in range(pages):
        path = work / f"scan-{n}.png"
        scan_image(PAGE_TEXT, seed=n).save(path, "PNG", dpi=(200, 200))
        images.append(path)
    start = time.perf_counter()
    texts = []
    for n, image in enumerate(images):
        out = work / f"out-{n}"
        out.mkdir()
        pdf, page_images = image_to_pdf(image, out)
        texts.append(pdf_text(pdf, page_images=page_images).text)
    direct_s = time.perf_counter() - start
    # the same pages as one scanned PDF (no text layer): rendered with pdfium, then read
    from PIL import Image

    frames = [Image.open(p).convert("RGB") for p in images]
    scanned = work / "scanned.pdf"
    frames[0].save(scanned, "PDF", resolution=200.0, save_all=True, append_images=frames[1:])
    start = time.perf_counter()
    rendered = pdf_text(scanned)
    rendered_s = time.perf_counter() - start
    assert rendered.ocr_pages == pages, rendered
    expected = "\n".join(PAGE_TEXT)
    return {
        "scan_pages_per_min": pages / direct_s * 60,
        "scanned_pdf_pages_per_min": pages / rendered_s * 60,
        "char_accuracy": statistics.mean(accuracy(expected, t) for t in texts),
    }


def bench_docx(pages: int, work: Path) -> float:
    source = work / "twenty.docx"
    paragraphs = [
        f"第{n + 1}页：" + "本院认为，当事人对自己提出的主张，有责任提供证据。" * 8
        for n in range(pages)
    ]
    source.write_bytes(docx(paragraphs, page_breaks=True))
    out = work / "docx-out"
    out.mkdir(exist_ok=True)
    start = time.perf_counter()
    pdf = office_to_pdf(source, "docx", out)
    elapsed = time.perf_counter() - start
    read = pdf_text(pdf)
    assert read.page_count == pages and read.ocr_pages == 0, read
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--docx-pages", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()
    scans: list[dict[str, float]] = []
    docx_s: list[float] = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            scans.append(bench_scans(args.pages, Path(tmp)))
            docx_s.append(bench_docx(args.docx_pages, Path(tmp)))
    figures: dict[str, object] = {
        key: round(statistics.median(run[key] for run in scans), 3) for key in scans[0]
    }
    figures["docx_20_pages_s"] = round(statistics.median(docx_s), 2)
    figures["runs"] = args.runs
    figures["load_average_before"] = [round(x, 2) for x in load_before]
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    figures["cpus"] = os.cpu_count() or 0
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
