"""The refund notice PDF: its fields read back in Chinese, the seal's place free."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from fees.documents.layout import SEAL_BOX
from fees.documents.model import PaymentChannel, RefundDocument
from fees.documents.refund_pdf import refund_pdf
from tests.fees.documents.conftest import chars_in_box, ink_in_box, page_count, pdf_text


def test_the_refund_notice_prints_every_field(refund: RefundDocument, font: Path) -> None:
    data = refund_pdf(refund, font=font)
    assert page_count(data) == 1
    (text,) = pdf_text(data)
    for expected in (
        "北京市朝阳区人民法院",
        "退费通知书",
        "退费编号 TF2026-000042",
        "张三（原告）：",
        "(2026)京0105民初1234号",
        "原告申请撤诉，依照《诉讼费用交纳办法》第十五条减半交纳案件受理费",
        "退还你方已交纳的诉讼费用",
        "1,384.57 元（人民币壹仟叁佰捌拾肆元伍角柒分）",
        "4401 0620 2612 0500 0017",
        "京财(2026)0000123",
        "¥1,384.57",
        "微信支付（原路退回至你方付款所用的微信支付账户）",
        "王五（2027年1月10日批准）",
        "二〇二七年一月十一日",
    ):
        assert expected in text, expected
    assert chars_in_box(data, 0, SEAL_BOX) == ""
    assert ink_in_box(data, 0, SEAL_BOX) == 0


@pytest.mark.parametrize(
    ("channel", "how"),
    [
        (PaymentChannel.bank_transfer, "退回至你方转账所用的银行账户"),
        (PaymentChannel.cash, "到本院诉讼服务中心领取"),
    ],
)
def test_the_money_goes_back_by_the_payments_channel(
    refund: RefundDocument, font: Path, channel: PaymentChannel, how: str
) -> None:
    (text,) = pdf_text(refund_pdf(replace(refund, channel=channel), font=font))
    assert how in text
