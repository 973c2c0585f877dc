"""财产案件 (art. 13(一)): worked examples computed by hand, tier by tier, and the boundaries.

The scale (yuan): ≤10,000: 50 per case; 10,000–100,000: 2.5%; 100,000–200,000: 2%;
200,000–500,000: 1.5%; 500,000–1,000,000: 1%; 1,000,000–2,000,000: 0.9%; 2,000,000–5,000,000:
0.8%; 5,000,000–10,000,000: 0.7%; 10,000,000–20,000,000: 0.6%; above: 0.5%.

Cumulative fee at each boundary, by hand:
    10,000: 50
    100,000: 50 + 90,000 × 2.5% (2,250) = 2,300
    200,000: 2,300 + 100,000 × 2% (2,000) = 4,300
    500,000: 4,300 + 300,000 × 1.5% (4,500) = 8,800
    1,000,000: 8,800 + 500,000 × 1% (5,000) = 13,800
    2,000,000: 13,800 + 1,000,000 × 0.9% (9,000) = 22,800
    5,000,000: 22,800 + 3,000,000 × 0.8% (24,000) = 46,800
    10,000,000: 46,800 + 5,000,000 × 0.7% (35,000) = 81,800
    20,000,000: 81,800 + 10,000,000 × 0.6% (60,000) = 141,800
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from fees.breakdown import LineStep
from fees.settings import FeeSettings
from tests.fees.conftest import Fee, steps


def test_worked_example_1234567_89(fee: Fee) -> None:
    # 1,234,567.89 yuan:
    #   ≤ 10,000                                  50.00
    #   10,000–100,000:    90,000 × 2.5%        2,250.00
    #   100,000–200,000:  100,000 × 2%          2,000.00
    #   200,000–500,000:  300,000 × 1.5%        4,500.00
    #   500,000–1,000,000: 500,000 × 1%         5,000.00
    #   above 1,000,000:  234,567.89 × 0.9%     2,111.11101 → 2,111.11
    #   total 15,911.11101 → 15,911.11 yuan (half up to the fen)
    b = fee("property", "1234567.89")
    assert steps(b, LineStep.tier) == [5_000, 225_000, 200_000, 450_000, 500_000, 211_111]
    top = [line for line in b.lines if line.step is LineStep.tier][-1]
    assert top.base_fen == 23_456_789
    assert top.rate == Fraction(9, 1000)
    assert top.exact_fen == Fraction(211_111_101, 1000)
    assert top.article == "第十三条第（一）项第6目"
    assert (top.over_fen, top.up_to_fen) == (100_000_000, 200_000_000)
    assert b.total_fen == 1_591_111
    assert steps(b, LineStep.rounding) == []  # only the partial tier has a fraction of a fen


@pytest.mark.parametrize(
    ("yuan", "fee_fen"),
    [
        ("0.01", 5_000),
        ("1", 5_000),
        ("10000", 5_000),
        ("100000", 230_000),
        ("200000", 430_000),
        ("500000", 880_000),
        ("1000000", 1_380_000),
        ("2000000", 2_280_000),
        ("5000000", 4_680_000),
        ("10000000", 8_180_000),
        ("20000000", 14_180_000),
        # above 20,000,000: 141,800 + 0.5% of the rest; 100,000,000: + 80,000,000 × 0.5%
        # (400,000) = 541,800
        ("100000000", 54_180_000),
    ],
)
def test_cumulative_fee_at_each_boundary(fee: Fee, yuan: str, fee_fen: int) -> None:
    assert fee("property", yuan).total_fen == fee_fen


def test_just_over_a_boundary_rounds_half_up(fee: Fee) -> None:
    # 10,000.01: 0.01 × 2.5% = 0.00025 yuan = 0.025 fen → 0: still 50.00, the tier line shows 0
    b = fee("property", "10000.01")
    assert steps(b, LineStep.tier) == [5_000, 0]
    assert b.total_fen == 5_000
    # 10,000.19: 0.19 × 2.5% = 0.475 fen → 0;  10,000.20: 0.5 fen → 1 (half up)
    assert fee("property", "10000.19").total_fen == 5_000
    assert fee("property", "10000.20").total_fen == 5_001
    # 20,000,000.01: 141,800 + 0.01 × 0.5% (0.005 fen → 0)
    assert fee("property", "20000000.01").total_fen == 14_180_000
    # 12,345: 50 + 2,345 × 2.5% = 50 + 58.625 → 108.63 (half up; half-even would give 108.62)
    assert fee("property", "12345").total_fen == 10_863


def test_exactly_10000_touches_one_tier_only(fee: Fee) -> None:
    b = fee("property", "10000")
    assert [line.step for line in b.lines] == [LineStep.tier, LineStep.subtotal, LineStep.total]


def test_rounding_to_the_yuan_shows_its_adjustment(fee: Fee) -> None:
    # 12,345 to the yuan: 108.625 → 109 yuan; the tier lines (to the fen) show 50.00 + 58.63,
    # the rounding line the remaining +0.37
    b = fee("property", "12345", settings=FeeSettings(rounding_unit_fen=100))
    assert steps(b, LineStep.tier) == [5_000, 5_863]
    assert steps(b, LineStep.rounding) == [37]
    assert b.total_fen == 10_900
    # 1,234,567.89 to the yuan: 15,911.11101 → 15,911
    assert fee("property", "1234567.89", settings=FeeSettings(rounding_unit_fen=100)).total_fen == (
        1_591_100
    )


def test_property_needs_a_positive_amount(fee: Fee) -> None:
    from fees.errors import FeeInputError

    with pytest.raises(FeeInputError, match="give the amount"):
        fee("property")
    with pytest.raises(FeeInputError, match="more than 0"):
        fee("property", "0")
