"""Fixtures of the fee document tests: the CJK font, one sample notice, receipt and refund
(``dataclasses.replace`` them for variants), and helpers that read a PDF back:

- ``pdf_text(data)``: the text of every page (pypdfium2), for asserting fields in Chinese;
- ``qr_modules(data, page)``: the QR codes drawn on a page, read back from a rendering as module
  matrices (to compare with segno's matrix for the same text);
- ``ink_in_box(data, page, box)``: whether anything is drawn in a box of PDF points.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image

from fees.documents.model import (
    BankAccount,
    Contact,
    FeeLine,
    NoticeDocument,
    Payer,
    PaymentChannel,
    ReceiptDocument,
    RefundDocument,
)
from tingshen_platform.fonts import find_cjk_font

COURT = "北京市朝阳区人民法院"
CASE = "(2026)京0105民初1234号"
CODE = "44010620261205000017"
PAY_URL = "https://fees.court.example/pay/44010620261205000017"
VERIFY_URL = "https://fees.court.example/verify/R20260000123?c=8F3A21C9"


@pytest.fixture(scope="session")
def font() -> Path:
    return find_cjk_font()


@pytest.fixture
def notice() -> NoticeDocument:
    """Property case, claim 123,457 yuan: 50 + 90,000 × 2.5% + 23,457 × 2% = 2,769.14 yuan."""
    return NoticeDocument(
        court=COURT,
        case_number=CASE,
        cause="买卖合同纠纷",
        payers=(Payer("张三", "原告"),),
        notice_code=CODE,
        version=1,
        issued_on=date(2026, 12, 5),
        deadline=date(2026, 12, 12),
        lines=(
            FeeLine("不超过 1 万元", "每件", 5_000),
            FeeLine("超过 1 万元至 10 万元的部分", "90,000.00 × 2.5%", 225_000),
            FeeLine("超过 10 万元至 20 万元的部分", "23,457.00 × 2%", 46_914),
        ),
        total_fen=276_914,
        pay_url=PAY_URL,
        bank=BankAccount(COURT, "中国工商银行北京朝阳支行", "0200001234567890123"),
        contact=Contact("赵六", "010-87654321"),
        basis="诉讼请求金额 123,457.00 元",
    )


@pytest.fixture
def receipt() -> ReceiptDocument:
    return ReceiptDocument(
        court=COURT,
        receipt_number="京财(2026)0000123",
        verification_code="8F3A21C9",
        payer=Payer("张三", "原告"),
        case_number=CASE,
        notice_code=CODE,
        amount_fen=276_914,
        channel=PaymentChannel.wechat,
        transaction_id="4200002612202612061234567890",
        paid_at=datetime(2026, 12, 6, 6, 3, 5, tzinfo=UTC),  # 14:03:05 in Beijing
        verify_url=VERIFY_URL,
    )


@pytest.fixture
def refund() -> RefundDocument:
    return RefundDocument(
        court=COURT,
        refund_number="TF2026-000042",
        payee=Payer("张三", "原告"),
        case_number=CASE,
        notice_code=CODE,
        receipt_number="京财(2026)0000123",
        amount_fen=138_457,
        channel=PaymentChannel.wechat,
        reason="原告申请撤诉，依照《诉讼费用交纳办法》第十五条减半交纳案件受理费",
        approved_by="王五",
        approved_on=date(2027, 1, 10),
        issued_on=date(2027, 1, 11),
    )


def pdf_text(data: bytes) -> list[str]:
    """Each page's text, line breaks removed (a wrapped field reads as one string)."""
    document = pdfium.PdfDocument(data)
    try:
        pages = []
        for page in document:
            text = page.get_textpage().get_text_range()
            pages.append(text.replace("\r\n", "").replace("\n", ""))
        return pages
    finally:
        document.close()


def page_count(data: bytes) -> int:
    document = pdfium.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


SCALE = 4.0  # pixels per PDF point in renderings read back


def _render(data: bytes, page_index: int) -> tuple[Image.Image, float]:
    document = pdfium.PdfDocument(data)
    try:
        page = document[page_index]
        height = page.get_height()
        image = page.render(scale=SCALE, grayscale=True).to_pil().convert("L")
        return image, height
    finally:
        document.close()


@dataclass(frozen=True)
class Box:
    left: float
    bottom: float
    right: float
    top: float


def _filled_squares(data: bytes, page_index: int, min_side: float) -> list[Box]:
    """Bounds of the page's path objects that are square and at least ``min_side`` points
    wide, but not the white square behind each code (it holds the dark modules' square)."""
    document = pdfium.PdfDocument(data)
    try:
        page = document[page_index]
        found = []
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]):
            left, bottom, right, top = obj.get_bounds()
            width, height = right - left, top - bottom
            if width >= min_side and abs(width - height) < 0.5:
                found.append(Box(left, bottom, right, top))
        return [box for box in found if not any(_inside(other, box) for other in found)]
    finally:
        document.close()


def _grey(pixel: object) -> float:
    """A pixel of a greyscale ("L") image: 0 black, 255 white."""
    assert isinstance(pixel, int | float)
    return float(pixel)


def _inside(inner: Box, outer: Box) -> bool:
    return inner != outer and (
        outer.left < inner.left < inner.right < outer.right
        and outer.bottom < inner.bottom < inner.top < outer.top
    )


def qr_modules(data: bytes, page_index: int, size: int) -> list[list[list[bool]]]:
    """Every QR code of ``size`` × ``size`` modules on the page, read from a rendering: the
    bounds of each dark square path, sampled at the centre of each module (True: dark)."""
    image, height = _render(data, page_index)
    codes = []
    for box in _filled_squares(data, page_index, min_side=40):
        module = (box.right - box.left) / size
        rows = []
        for row in range(size):
            y_pt = box.top - (row + 0.5) * module
            cells = []
            for col in range(size):
                x_pt = box.left + (col + 0.5) * module
                pixel = image.getpixel((round(x_pt * SCALE), round((height - y_pt) * SCALE)))
                cells.append(_grey(pixel) < 128)
            rows.append(cells)
        quiet = [
            image.getpixel(
                (
                    round((box.left - 2 * module) * SCALE),
                    round((height - box.top + module * k) * SCALE),
                )
            )
            for k in range(size)
        ]
        assert all(_grey(p) > 200 for p in quiet), "no white quiet zone"
        codes.append(rows)
    return codes


def ink_in_box(data: bytes, page_index: int, box: tuple[float, float, float, float]) -> int:
    """How many pixels of a rendering inside ``box`` (x1, y1, x2, y2 in points) are not white."""
    image, height = _render(data, page_index)
    x1, y1, x2, y2 = box
    crop = image.crop(
        (
            round(x1 * SCALE),
            round((height - y2) * SCALE),
            round(x2 * SCALE),
            round((height - y1) * SCALE),
        )
    )
    histogram = crop.histogram()
    return sum(histogram[:250])


def chars_in_box(data: bytes, page_index: int, box: tuple[float, float, float, float]) -> str:
    """The characters whose boxes meet ``box`` (x1, y1, x2, y2 in points)."""
    document = pdfium.PdfDocument(data)
    try:
        textpage = document[page_index].get_textpage()
        x1, y1, x2, y2 = box
        found = []
        for index in range(textpage.count_chars()):
            left, bottom, right, top = textpage.get_charbox(index)
            if left < x2 and right > x1 and bottom < y2 and top > y1:
                found.append(textpage.get_text_range(index, 1))
        return "".join(found).strip()
    finally:
        document.close()
