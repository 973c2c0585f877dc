"""Amounts in capital numerals: worked examples computed by hand, then properties over any
amount (a small reader of capital numerals written here reads every output back)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fees.documents.capital import MAX_CAPITAL_FEN, fen_to_capital

# fen → capitals; each worked out by hand from the rules in fees/documents/capital.py
WORKED = [
    (0, "人民币零元整"),  # nothing at all
    (1, "人民币壹分"),  # less than a yuan: no 元, no 整 after 分
    (10, "人民币壹角整"),  # 整 after 角
    (15, "人民币壹角伍分"),
    (100, "人民币壹元整"),
    (1_000, "人民币壹拾元整"),  # 壹拾 in full
    (1_000_000, "人民币壹万元整"),  # 10,000 yuan
    (276_914, "人民币贰仟柒佰陆拾玖元壹角肆分"),  # 2,769.14 yuan
    (1_000_500, "人民币壹万零伍元整"),  # 10,005 yuan: one 零 for the zeros between
    (32_504, "人民币叁佰贰拾伍元零肆分"),  # 325.04: 角 zero, 分 not → 零 after 元
    (1_640_902, "人民币壹万陆仟肆佰零玖元零贰分"),  # 16,409.02
    (168_032, "人民币壹仟陆佰捌拾元叁角贰分"),  # 1,680.32: no 零 where the rules allow none
    (10_700_053, "人民币壹拾万柒仟元伍角叁分"),  # 107,000.53: the same
    (100_000_500, "人民币壹佰万零伍元整"),  # 1,000,005 yuan
    (2_000_000_100, "人民币贰仟万零壹元整"),  # 20,000,001 yuan
    (10_000_000_000, "人民币壹亿元整"),  # 100,000,000 yuan: the empty 万 group is not written
    (10_050_000_000, "人民币壹亿零伍拾万元整"),  # 100,500,000 yuan: 零 across the groups
    (100_000_000_500, "人民币壹拾亿零伍元整"),  # 1,000,000,005 yuan
    (100_000_000_000_000_000, "人民币壹仟万亿元整"),  # 10^15 yuan, the largest claim accepted
]


@pytest.mark.parametrize(("fen", "capital"), WORKED)
def test_worked_examples(fen: int, capital: str) -> None:
    assert fen_to_capital(fen) == capital


def test_negative_and_too_large_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        fen_to_capital(-1)
    with pytest.raises(ValueError, match="too large"):
        fen_to_capital(MAX_CAPITAL_FEN + 1)
    assert fen_to_capital(MAX_CAPITAL_FEN).endswith("玖元玖角玖分")


DIGIT = {c: n for n, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
SMALL = {"拾": 10, "佰": 100, "仟": 1000}
LARGE = {"兆": 10**12, "亿": 10**8, "万": 10**4}


def read_capital(text: str) -> int:
    """Capitals back to fen (this test's own reader: groups in descending order)."""
    assert text.startswith("人民币")
    body = text.removeprefix("人民币").removesuffix("整").replace("万亿", "兆")
    yuan_part, _, cents_part = body.rpartition("元") if "元" in body else ("", "", body)
    total = section = number = 0
    for char in yuan_part:
        if char in DIGIT:
            number = DIGIT[char]
        elif char in SMALL:
            section += number * SMALL[char]
            number = 0
        else:
            total += (section + number) * LARGE[char]
            section = number = 0
    fen = (total + section + number) * 100
    for digit, unit in re.findall(r"([壹贰叁肆伍陆柒捌玖])([角分])", cents_part):
        fen += DIGIT[digit] * (10 if unit == "角" else 1)
    return fen


@given(st.integers(min_value=0, max_value=MAX_CAPITAL_FEN))
def test_every_amount_reads_back(fen: int) -> None:
    assert read_capital(fen_to_capital(fen)) == fen


@given(st.integers(min_value=1, max_value=10**13))
def test_the_rules_hold_for_any_amount(fen: int) -> None:
    text = fen_to_capital(fen)
    assert "零零" not in text
    assert not re.search(r"零[元万亿角分整]", text)  # a 零 is always followed by a digit
    assert not text.startswith("人民币零")  # nothing is led by 零 but 零元整
    assert text.endswith("整") == (fen % 10 == 0)
    assert ("元" in text) == (fen >= 100)
    assert set(text) <= set("人民币零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整")
