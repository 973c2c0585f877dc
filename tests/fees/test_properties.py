"""Properties of the fee over any amount: monotonic, continuous at tier boundaries, caps hold,
lines add up (hypothesis)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from fees.engine import FeeRequest, compute_fee
from fees.model import Schedule, TierComponent
from fees.money import round_half_up
from fees.settings import FeeSettings
from tests.fees.conftest import assert_consistent

DEFAULTS = FeeSettings()
AMOUNTS = st.integers(min_value=1, max_value=10**12)  # up to 10,000,000,000 yuan
AMOUNT_KINDS = ["property", "divorce", "personality_rights", "ip", "execution", "preservation",
                "payment_order", "bankruptcy"]  # fmt: skip


def total(schedule: Schedule, kind: str, fen: int, *grounds: str) -> int:
    breakdown = compute_fee(schedule, FeeRequest(kind, fen, grounds=grounds), DEFAULTS)
    assert_consistent(breakdown)
    return breakdown.total_fen


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(AMOUNT_KINDS), a=AMOUNTS, b=AMOUNTS)
def test_monotonic_in_the_amount(schedule: Schedule, kind: str, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert total(schedule, kind, low) <= total(schedule, kind, high)


def test_continuous_at_every_tier_boundary(schedule: Schedule) -> None:
    # one fen over a boundary adds at most one fen (rates ≤ 2.5% of a fen, rounded), and a
    # multiplier only shrinks that
    for kind in AMOUNT_KINDS:
        for component in schedule.kinds[kind].components:
            if not isinstance(component, TierComponent):
                continue
            for tier in component.table.tiers:
                if tier.up_to_fen is None:
                    continue
                at = total(schedule, kind, tier.up_to_fen)
                assert 0 <= total(schedule, kind, tier.up_to_fen + 1) - at <= 1, (kind, tier)


@settings(max_examples=200, deadline=None)
@given(fen=AMOUNTS)
def test_caps_hold(schedule: Schedule, fen: int) -> None:
    assert total(schedule, "preservation", fen) <= 500_000
    assert total(schedule, "bankruptcy", fen) <= 30_000_000


@settings(max_examples=200, deadline=None)
@given(fen=AMOUNTS, ground=st.sampled_from(["simplified", "mediation", "counterclaim"]))
def test_halving_is_half_of_the_full_fee_rounded_half_up(
    schedule: Schedule, fen: int, ground: str
) -> None:
    full = total(schedule, "property", fen)
    assert total(schedule, "property", fen, ground) == round_half_up(Fraction(full, 2))


@settings(max_examples=200, deadline=None)
@given(fen=AMOUNTS, unit=st.sampled_from([1, 10, 100]), stack=st.booleans(),
       grounds=st.lists(st.sampled_from(["simplified", "mediation", "withdrawal"]), max_size=3))  # fmt: skip
def test_lines_add_up_whatever_the_settings(
    schedule: Schedule, fen: int, unit: int, stack: bool, grounds: list[str]
) -> None:
    fee_settings = FeeSettings(rounding_unit_fen=unit, stack_reductions=stack)
    breakdown = compute_fee(
        schedule, FeeRequest("divorce", fen, grounds=tuple(grounds)), fee_settings
    )
    assert_consistent(breakdown)
    assert breakdown.total_fen % unit == 0
