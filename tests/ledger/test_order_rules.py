"""The order's rules as data, with hand-worked examples: its number, its validity, narrowing."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest
import segno

from ledger.order_pdf import qr_drawing
from ledger.order_rules import (
    NUMBER_RULE,
    OrderRuleError,
    Scope,
    court_code,
    digest,
    effective_status,
    order_number,
    valid_until,
)


def test_the_number_is_year_court_code_type_and_sequence() -> None:
    assert NUMBER_RULE.effective == date(2016, 1, 1) and "法〔2015〕137号" in NUMBER_RULE.source
    assert court_code("（2026）粤0104民初701号") == "粤0104"
    assert court_code("(2025)京0105执1234号") == "京0105"
    assert order_number("（2026）粤0104民初701号", 2026, 1) == "（2026）粤0104调令1号"
    assert order_number("（2025）粤0104民初9号", 2026, 37) == "（2026）粤0104调令37号"
    with pytest.raises(OrderRuleError):
        court_code("民初701号")
    with pytest.raises(OrderRuleError):
        order_number("（2026）粤0104民初701号", 2026, 0)


def test_validity_counts_the_day_of_issue_in_beijing_time() -> None:
    # 2026-12-06 17:00 UTC is 2026-12-07 01:00 in Beijing: day one is the 7th.
    issued = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)
    assert valid_until(issued, 15) == date(2026, 12, 21)
    last = date(2026, 12, 21)
    # 2026-12-21 15:59 UTC = 23:59 on the 21st in Beijing: still valid; a minute later expired.
    assert effective_status("issued", last, datetime(2026, 12, 21, 15, 59, tzinfo=UTC)) == "issued"
    assert effective_status("issued", last, datetime(2026, 12, 21, 16, 0, tzinfo=UTC)) == "expired"
    assert effective_status("revoked", last, datetime(2027, 1, 1, tzinfo=UTC)) == "revoked"


def test_a_judge_narrows_never_widens() -> None:
    applied = Scope("bank", "中国银行", ("流水", "开户资料"), "查明借款", 15)
    assert not applied.narrows(applied)
    assert Scope("bank", "中国银行", ("流水",), "查明借款", 10).narrows(applied)
    for wider in (
        Scope("bank", "中国银行", ("流水", "征信"), "查明借款", 15),
        Scope("bank", "中国银行", ("流水",), "查明借款", 16),
        Scope("bank", "工商银行", ("流水",), "查明借款", 15),
    ):
        with pytest.raises(OrderRuleError, match="judge"):
            wider.narrows(applied)
    with pytest.raises(OrderRuleError):
        Scope("court", "x", ("a",), "r", 1)
    with pytest.raises(OrderRuleError):
        Scope("bank", "x", ("a",), "r", 31)


def test_the_digest_is_of_canonical_json() -> None:
    # sha256 of the literal text '{"a":1,"b":"调令"}' (keys sorted, no spaces, UTF-8).
    text = '{"a":1,"b":"调令"}'
    assert digest({"b": "调令", "a": 1}) == hashlib.sha256(text.encode()).hexdigest()


def test_the_qr_code_draws_the_link() -> None:
    url = "http://127.0.0.1:8000/ledger/verify.html#n=x&t=abc"
    drawing = qr_drawing(url)
    dark = sum(sum(1 for cell in row if cell) for row in segno.make(url, error="m").matrix)
    assert len(drawing.contents) == dark
