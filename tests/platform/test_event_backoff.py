"""The back-off of a consumer's failed events and when it gives up (pure:
tingshen_platform.events.backoff)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tingshen_platform.events.backoff import RetryBudget, retry_delay


def test_the_delay_doubles_from_the_base_up_to_the_cap() -> None:
    delays = [
        retry_delay(n, base=timedelta(seconds=30), cap=timedelta(minutes=10)).total_seconds()
        for n in range(1, 9)
    ]
    assert delays == [30, 60, 120, 240, 480, 600, 600, 600]


def test_the_defaults_give_up_after_eight_attempts_about_35_minutes_on() -> None:
    budget = RetryBudget()
    assert (budget.max_attempts, budget.base, budget.cap) == (
        8,
        timedelta(seconds=30),
        timedelta(minutes=10),
    )
    waited = sum((budget.delay_after(n) for n in range(1, 8)), timedelta())
    assert waited == timedelta(seconds=2130)
    assert [budget.exhausted(n) for n in (1, 7, 8, 9)] == [False, False, True, True]


def test_odd_inputs_stay_in_range() -> None:
    cap = timedelta(minutes=10)
    assert retry_delay(0, base=timedelta(seconds=5), cap=cap) == timedelta(seconds=5)
    assert retry_delay(10**6, base=timedelta(seconds=5), cap=cap) == cap  # no overflow
    assert retry_delay(3, base=timedelta(0), cap=cap) == timedelta(0)
    assert retry_delay(2, base=timedelta(milliseconds=1), cap=cap) == timedelta(milliseconds=2)
    assert retry_delay(1, base=timedelta(hours=1), cap=cap) == cap  # the cap wins from the start


@pytest.mark.parametrize(
    ("max_attempts", "base", "cap"),
    [(0, timedelta(seconds=1), timedelta(seconds=1)), (3, timedelta(seconds=-1), timedelta(0))],
)
def test_a_budget_that_makes_no_sense_is_refused(
    max_attempts: int, base: timedelta, cap: timedelta
) -> None:
    with pytest.raises(ValueError):
        RetryBudget(max_attempts, base, cap)
