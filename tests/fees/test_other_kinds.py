"""Every other kind of the 2007 schedule, worked by hand (amounts in yuan in the comments)."""

from __future__ import annotations

import pytest

from fees.breakdown import LineStep
from fees.errors import FeeInputError, FeeSettingError
from fees.settings import FeeSettings
from tests.fees.conftest import Fee, steps


def test_divorce_without_and_with_property(fee: Fee) -> None:
    # art. 13(二)1: 50–300 per case (the court's figure; default the low end, 50)
    assert fee("divorce").total_fen == 5_000
    assert fee("divorce", settings=FeeSettings(divorce_base_fen=30_000)).total_fen == 30_000
    # property 150,000: ≤ 200,000 adds nothing → 50
    assert fee("divorce", "150000").total_fen == 5_000
    # base 200 + property 500,000: 0 on the first 200,000, 300,000 × 0.5% = 1,500 → 1,700
    b = fee("divorce", "500000", settings=FeeSettings(divorce_base_fen=20_000))
    assert steps(b, LineStep.range) == [20_000]
    assert steps(b, LineStep.tier) == [0, 150_000]
    assert b.total_fen == 170_000
    range_line = next(line for line in b.lines if line.step is LineStep.range)
    assert range_line.range_fen == (5_000, 30_000)
    assert range_line.setting == "divorce_base_fen"


def test_a_court_figure_outside_the_range_is_refused(fee: Fee) -> None:
    with pytest.raises(FeeSettingError, match="TINGSHEN_FEES_DIVORCE_BASE_FEN") as caught:
        fee("divorce", settings=FeeSettings(divorce_base_fen=30_001))
    assert "第十三条第（二）项第1目" in caught.value.zh
    with pytest.raises(FeeSettingError):
        fee("other_non_property", settings=FeeSettings(other_non_property_fen=4_999))


def test_personality_rights_with_damages(fee: Fee) -> None:
    # art. 13(二)2: 100–500 per case; damages ≤ 50,000 nothing, 50,000–100,000 1%, above 0.5%
    assert fee("personality_rights").total_fen == 10_000
    assert fee("personality_rights", "50000").total_fen == 10_000
    # 80,000: 100 + 30,000 × 1% (300) = 400
    assert fee("personality_rights", "80000").total_fen == 40_000
    # 300,000: 100 + 50,000 × 1% (500) + 200,000 × 0.5% (1,000) = 1,600
    b = fee("personality_rights", "300000")
    assert steps(b, LineStep.tier) == [0, 50_000, 100_000]
    assert b.total_fen == 160_000


@pytest.mark.parametrize(
    ("kind", "fen"),
    [
        ("other_non_property", 5_000),  # 50–100, default 50
        ("ip", 50_000),  # no amount: 500–1,000, default 500
        ("labour", 1_000),  # 10
        ("admin_trademark_patent_maritime", 10_000),  # 100
        ("admin_other", 5_000),  # 50
        ("jurisdiction_objection", 5_000),  # 50–100, default 50
        ("execution", 5_000),  # no amount: 50–500, default 50
        ("preservation", 3_000),  # no property value: 30
        ("public_summons", 10_000),  # 100
        ("arbitration_set_aside", 40_000),  # 400
        ("arbitration_agreement", 40_000),  # 400
        ("maritime_liability_fund", 100_000),  # 1,000–10,000, default 1,000
        ("maritime_injunction", 100_000),  # 1,000–5,000
        ("maritime_lien_summons", 100_000),  # 1,000–5,000
        ("maritime_claim_registration", 100_000),  # 1,000
        ("general_average", 100_000),  # 1,000
    ],
)
def test_per_case_fees(fee: Fee, kind: str, fen: int) -> None:
    assert fee(kind).total_fen == fen


def test_ip_with_an_amount_follows_the_property_scale(fee: Fee) -> None:
    assert fee("ip", "1000000").total_fen == 1_380_000  # as a property case: 13,800


def test_a_per_case_kind_refuses_an_amount(fee: Fee) -> None:
    with pytest.raises(FeeInputError, match="per case"):
        fee("labour", "5000")


def test_execution_tiers(fee: Fee) -> None:
    # 600,000: 50 + 490,000 × 1.5% (7,350) + 100,000 × 1% (1,000) = 8,400
    assert fee("execution", "600000").total_fen == 840_000
    # 20,000,000: 50 + 7,350 + 4,500,000 × 1% (45,000) + 5,000,000 × 0.5% (25,000)
    #             + 10,000,000 × 0.1% (10,000) = 87,400
    assert fee("execution", "20000000").total_fen == 8_740_000
    # no amount, the court's figure 200
    settings = FeeSettings(execution_without_amount_fen=20_000)
    assert fee("execution", settings=settings).total_fen == 20_000


def test_preservation_and_its_cap(fee: Fee) -> None:
    # ≤ 1,000: 30 per case; 1,000–100,000: 1%; above 0.5%; at most 5,000
    assert fee("preservation", "500").total_fen == 3_000
    # 50,000: 30 + 49,000 × 1% (490) = 520
    assert fee("preservation", "50000").total_fen == 52_000
    # 896,000: 30 + 990 + 796,000 × 0.5% (3,980) = 5,000: exactly the cap, no cap line
    b = fee("preservation", "896000")
    assert b.total_fen == 500_000
    assert steps(b, LineStep.cap) == []
    # 1,000,000: 30 + 990 + 900,000 × 0.5% (4,500) = 5,520 → capped at 5,000 (-520)
    b = fee("preservation", "1000000")
    assert steps(b, LineStep.subtotal) == [552_000]
    assert steps(b, LineStep.cap) == [-52_000]
    assert b.total_fen == 500_000
    assert fee("preservation", "1000000000").total_fen == 500_000


def test_payment_order_is_a_third_of_the_property_fee(fee: Fee) -> None:
    # 100,000: property fee 2,300; ÷ 3 = 766.666… → 766.67
    b = fee("payment_order", "100000")
    assert steps(b, LineStep.subtotal) == [230_000]
    assert steps(b, LineStep.multiplier) == [76_667 - 230_000]
    assert b.total_fen == 76_667
    # 12,345: property fee 108.63 (see test_property_cases); ÷ 3 = 36.21 exactly
    assert fee("payment_order", "12345").total_fen == 3_621


def test_bankruptcy_is_half_the_property_fee_capped(fee: Fee) -> None:
    # 1,000,000: 13,800 ÷ 2 = 6,900
    assert fee("bankruptcy", "1000000").total_fen == 690_000
    # 111,640,000: 141,800 + 91,640,000 × 0.5% (458,200) = 600,000; half 300,000 = the cap
    b = fee("bankruptcy", "111640000")
    assert b.total_fen == 30_000_000
    assert steps(b, LineStep.cap) == []
    # 200,000,000: 141,800 + 180,000,000 × 0.5% (900,000) = 1,041,800; half 520,900;
    # capped at 300,000 (-220,900)
    b = fee("bankruptcy", "200000000")
    assert steps(b, LineStep.subtotal) == [104_180_000]
    assert steps(b, LineStep.multiplier) == [-52_090_000]
    assert steps(b, LineStep.cap) == [-22_090_000]
    assert b.total_fen == 30_000_000


def test_unknown_kind_names_the_kinds(fee: Fee) -> None:
    with pytest.raises(FeeInputError, match=r"unknown kind 'propety'.*property, divorce"):
        fee("propety", "100")
