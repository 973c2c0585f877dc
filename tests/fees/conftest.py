"""Fee computation fixtures: the bundled 2007 schedule, default settings (no ``TINGSHEN_FEES_*``
from the environment), and ``fee(kind, yuan, ...)`` returning a breakdown.

Amounts in test names and comments are in yuan; assertions are in fen (分)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from fees.breakdown import Breakdown, LineStep
from fees.engine import FeeRequest, compute_fee
from fees.loader import load_schedules
from fees.model import Schedule
from fees.money import parse_yuan
from fees.settings import FeeSettings

Fee = Callable[..., Breakdown]


@pytest.fixture(autouse=True)
def no_fee_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("TINGSHEN_FEES_"):
            monkeypatch.delenv(name)
    yield


@pytest.fixture(scope="session")
def schedule() -> Schedule:
    return load_schedules().in_force(date(2024, 1, 1))


@pytest.fixture
def fee(schedule: Schedule) -> Fee:
    """``fee("property", "1234567.89", grounds=("simplified",), settings=FeeSettings(...))``."""

    def compute(
        kind: str,
        yuan: str | None = None,
        *,
        settings: FeeSettings | None = None,
        disputed: str | None = None,
        **request: Any,
    ) -> Breakdown:
        breakdown = compute_fee(
            schedule,
            FeeRequest(
                kind,
                None if yuan is None else parse_yuan(yuan),
                disputed_fen=None if disputed is None else parse_yuan(disputed),
                **request,
            ),
            settings or FeeSettings(),
        )
        assert_consistent(breakdown)
        return breakdown

    return compute


def assert_consistent(breakdown: Breakdown) -> None:
    """The counting lines add up to the total, the last line is the total, every rule line names
    its article."""
    assert sum(line.amount_fen for line in breakdown.lines if line.counts) == breakdown.total_fen
    assert breakdown.lines[-1].step is LineStep.total
    assert breakdown.lines[-1].amount_fen == breakdown.total_fen
    for line in breakdown.lines:
        if line.step is not LineStep.rounding:
            assert line.article.startswith("第"), line


def steps(breakdown: Breakdown, step: LineStep) -> list[int]:
    return [line.amount_fen for line in breakdown.lines if line.step is step]
