"""Breakdowns computed by the engine (``fee`` from tests/fees/conftest.py) as the notice's
lines, and a notice made from one: the figures are the worked examples of the 2007 schedule."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fees.documents.lines import basis_text, fee_lines
from fees.documents.model import FeeLine, NoticeDocument
from fees.documents.notice_pdf import notice_pdf
from tests.fees.conftest import Fee
from tests.fees.documents.conftest import pdf_text


def test_a_property_claim_in_three_tiers(fee: Fee) -> None:
    breakdown = fee("property", "123457")  # 50 + 90,000 × 2.5% + 23,457 × 2%
    assert fee_lines(breakdown) == (
        FeeLine("不超过 10,000 元", "每件", 5_000),
        FeeLine("超过 10,000 元至 100,000 元的部分", "90,000.00 × 2.5%", 225_000),
        FeeLine("超过 100,000 元至 200,000 元的部分", "23,457.00 × 2%", 46_914),
    )  # the subtotal only repeats the total: left out, as the total line is
    assert breakdown.total_fen == 276_914
    assert (
        basis_text(breakdown)
        == "财产案件（第十三条第（一）项），诉讼请求金额或者价额 123,457.00 元"
    )


def test_a_halving_keeps_its_subtotal(fee: Fee) -> None:
    breakdown = fee("property", "123457", grounds=("simplified",))
    lines = fee_lines(breakdown)
    assert lines[-2] == FeeLine("小计", "", 276_914, strong=True)
    assert lines[-1] == FeeLine("适用简易程序审理，减半交纳", "2,769.14 × 1/2", -138_457)
    assert sum(line.amount_fen for line in lines if not line.strong) == breakdown.total_fen


def test_a_divorce_with_a_range_chosen_by_the_court(fee: Fee) -> None:
    lines = fee_lines(fee("divorce", "500000"))
    assert lines[0] == FeeLine("离婚案件，每件", "本院标准（幅度 50–300 元）", 5_000)
    assert FeeLine("超过 200,000 元的部分", "300,000.00 × 0.5%", 150_000) in lines


def test_a_notice_made_from_a_breakdown(fee: Fee, notice: NoticeDocument, font: Path) -> None:
    breakdown = fee("property", "123457", grounds=("simplified",))
    doc = replace(
        notice,
        lines=fee_lines(breakdown),
        total_fen=breakdown.total_fen,
        basis=basis_text(breakdown),
    )
    (text,) = pdf_text(notice_pdf(doc, font=font))
    assert "适用简易程序审理，减半交纳" in text
    assert "-1,384.57" in text
    assert "人民币壹仟叁佰捌拾肆元伍角柒分" in text
