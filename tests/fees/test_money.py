"""Yuan input, the rounding rule and formatting (fees.money)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from fees.errors import FeeInputError, ScheduleDataError
from fees.money import (
    format_fraction,
    format_rate,
    format_ratio,
    format_yuan,
    parse_fraction,
    parse_rate,
    parse_yuan,
    round_half_up,
)


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("0", 0),
        ("1", 100),
        ("0.01", 1),
        ("10000", 1_000_000),
        ("10000.1", 1_000_010),
        ("1234567.89", 123_456_789),
        ("1,234,567.89", 123_456_789),
        (" 20,000,000 ", 2_000_000_000),
        ("007.50", 750),
    ],
)
def test_yuan_is_parsed_exactly_into_fen(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("-5", "negative"),
        ("-0.01", "negative"),
        ("abc", "not an amount"),
        ("", "not an amount"),
        ("1e5", "not an amount"),
        ("1,23", "not an amount"),
        ("12,3456", "not an amount"),
        ("\uff11\uff12\uff13", "not an amount"),  # full-width digits: refused, not guessed
        ("1.", "not an amount"),
        ("NaN", "not an amount"),
        ("1.234", "too many decimals"),
        ("0.001", "too many decimals"),
        ("1" * 30, "too large"),
    ],
)
def test_bad_yuan_is_refused_with_a_clear_message(text: str, fragment: str) -> None:
    with pytest.raises(FeeInputError, match=fragment) as caught:
        parse_yuan(text)
    assert caught.value.zh != caught.value.en  # a Chinese message too


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Fraction(1, 2), 1, 1),  # half a fen goes up (四舍五入), not to even
        (Fraction(5, 2), 1, 3),  # 2.5 → 3 (half-even would give 2)
        (Fraction(249, 100), 1, 2),
        (Fraction(211111101, 1000), 1, 211111),  # 2,111.11101 yuan → 2,111.11
        (Fraction(10862), 100, 10900),  # 108.62 yuan to the yuan → 109
        (Fraction(10850), 100, 10900),  # 108.50 → 109
        (Fraction(10849), 100, 10800),
        (Fraction(5), 10, 10),  # half a jiao up
        (Fraction(-1, 2), 1, -1),  # away from zero
        (Fraction(0), 1, 0),
    ],
)
def test_round_half_up(value: Fraction, unit: int, expected: int) -> None:
    assert round_half_up(value, unit) == expected


def test_formatting() -> None:
    assert format_yuan(123_456_789) == "1,234,567.89"
    assert format_yuan(-5) == "-0.05"
    assert format_yuan(100, grouped=False) == "1.00"
    assert format_rate(Fraction(1, 40)) == "2.5%"
    assert format_rate(Fraction(9, 1000)) == "0.9%"
    assert format_ratio(Fraction(1, 3)) == "1/3"
    assert format_fraction(Fraction(211111101, 1000)) == "211111.101"
    assert format_fraction(Fraction(1, 3)) == "1/3"
    assert format_fraction(Fraction(-5, 2)) == "-2.5"


def test_rates_and_fractions_of_the_data_are_exact() -> None:
    assert parse_rate("2.5%") == Fraction(1, 40)
    assert parse_rate("0.1%") == Fraction(1, 1000)
    assert parse_fraction("1/3") == Fraction(1, 3)
    for bad in ("2.5", "abc%", "-1%"):
        with pytest.raises(ScheduleDataError):
            parse_rate(bad)
    for bad in ("1/0", "0.5", "1:3"):
        with pytest.raises(ScheduleDataError):
            parse_fraction(bad)
