"""Halving (art. 15, 16, 18), appeals on the disputed part (art. 17), and what does not apply."""

from __future__ import annotations

import pytest

from fees.breakdown import LineStep
from fees.errors import FeeInputError
from fees.settings import FeeSettings
from tests.fees.conftest import Fee, steps


def test_simplified_procedure_halves_an_odd_fen_half_up(fee: Fee) -> None:
    # 12,345: 108.63 (odd fen); halved 54.315 → 54.32
    b = fee("property", "12345", grounds=("simplified",))
    assert steps(b, LineStep.subtotal) == [10_863]
    assert steps(b, LineStep.reduction) == [5_432 - 10_863]
    reduction = next(line for line in b.lines if line.step is LineStep.reduction)
    assert reduction.article == "第十六条"
    assert b.total_fen == 5_432


def test_two_grounds_halve_once_unless_the_court_stacks_them(fee: Fee) -> None:
    # simplified + mediation: once by default (108.63 → 54.32), the second shown as not applied
    b = fee("property", "12345", grounds=("mediation", "simplified"))
    assert steps(b, LineStep.reduction) == [-5_431]
    assert steps(b, LineStep.reduction_not_stacked) == [0]
    assert [line.article for line in b.lines if line.step is LineStep.reduction] == ["第十六条"]
    assert b.total_fen == 5_432
    # stacked: 54.32 → 27.16
    stacked = fee(
        "property", "12345", grounds=("simplified", "mediation"),
        settings=FeeSettings(stack_reductions=True),
    )  # fmt: skip
    assert steps(stacked, LineStep.reduction) == [-5_431, -2_716]
    assert stacked.total_fen == 2_716


def test_halving_after_rounding_to_the_yuan(fee: Fee) -> None:
    # to the yuan: 12,345 → 109; halved 54.5 → 55
    settings = FeeSettings(rounding_unit_fen=100)
    assert fee("property", "12345", grounds=("withdrawal",), settings=settings).total_fen == 5_500


@pytest.mark.parametrize(
    ("kind", "yuan", "full_fen", "half_fen"),
    [
        ("labour", None, 1_000, 500),  # 10 → 5
        ("admin_other", None, 5_000, 2_500),
        ("divorce", "500000", 155_000, 77_500),  # 50 + 1,500 = 1,550 → 775
        ("property", "200000", 430_000, 215_000),  # 4,300 → 2,150
    ],
)
def test_each_ground_halves_an_acceptance_fee(
    fee: Fee, kind: str, yuan: str | None, full_fen: int, half_fen: int
) -> None:
    assert fee(kind, yuan).total_fen == full_fen
    for ground in ("simplified", "mediation", "withdrawal", "counterclaim", "third_party"):
        assert fee(kind, yuan, grounds=(ground,)).total_fen == half_fen, ground


def test_counterclaim_is_halved_under_article_18(fee: Fee) -> None:
    b = fee("property", "200000", grounds=("counterclaim",))
    assert [line.article for line in b.lines if line.step is LineStep.reduction] == ["第十八条"]


def test_application_fees_are_not_halved(fee: Fee) -> None:
    with pytest.raises(
        FeeInputError, match=r"does not apply to application for preservation \(application fee\)"
    ):
        fee("preservation", "50000", grounds=("simplified",))
    with pytest.raises(FeeInputError, match="does not apply"):
        fee("jurisdiction_objection", grounds=("mediation",))


def test_unknown_ground_is_refused(fee: Fee) -> None:
    with pytest.raises(FeeInputError, match="unknown halving ground 'hardship'"):
        fee("property", "100", grounds=("hardship",))


def test_appeal_is_charged_on_the_disputed_part(fee: Fee) -> None:
    # claim 1,000,000, judgment appealed as to 300,000: 50 + 2,250 + 2,000 + 100,000 × 1.5%
    # (1,500) = 5,800
    b = fee("property", "1000000", stage="appeal", disputed="300000")
    assert b.claim_fen == 100_000_000
    assert b.basis_fen == 30_000_000
    assert b.stage_article == "第十七条"
    assert b.total_fen == 580_000
    # appeal against the whole judgment: the whole amount
    assert fee("property", "1000000", stage="appeal").total_fen == 1_380_000
    # only the disputed part known
    assert fee("property", stage="appeal", disputed="300000").total_fen == 580_000
    # an appeal withdrawn: halved (art. 15) → 2,900
    assert (
        fee(
            "property", "1000000", stage="appeal", disputed="300000", grounds=("withdrawal",)
        ).total_fen
        == 290_000
    )
    # a per-case kind on appeal: the same fee
    assert fee("divorce", stage="appeal").total_fen == 5_000


def test_what_an_appeal_refuses(fee: Fee) -> None:
    with pytest.raises(FeeInputError, match="more than the amount"):
        fee("property", "100000", stage="appeal", disputed="100000.01")
    with pytest.raises(FeeInputError, match="only for a stage charged on it"):
        fee("property", "100000", disputed="50000")
    with pytest.raises(FeeInputError, match="does not apply at the stage appeal"):
        fee("property", "100000", stage="appeal", grounds=("simplified",))
    with pytest.raises(
        FeeInputError, match=r"application for preservation \(application fee\) has no appeal fee"
    ):
        fee("preservation", "50000", stage="appeal")
    with pytest.raises(FeeInputError, match="has no appeal fee"):
        fee("jurisdiction_objection", stage="appeal")
    with pytest.raises(FeeInputError, match="unknown stage"):
        fee("property", "100", stage="third_instance")
