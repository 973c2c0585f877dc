"""The result of a computation: every line a person needs to check the fee by hand.

Lines come in the order they were applied. Every line but ``subtotal`` and ``total`` *counts*:
its ``amount_fen`` is what it adds (tiers, fixed and chosen sums, a rounding adjustment) or
takes away (a fraction, a cap, a halving: negative), so the counting lines always add up to the
total. ``subtotal`` and ``total`` show the running figure. Each line names its article.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Any

from fees.money import format_fraction, format_rate, format_ratio, format_yuan

__all__ = ["Breakdown", "Line", "LineStep", "breakdown_to_dict"]


class LineStep(StrEnum):
    tier = "tier"
    """The part of the amount inside one tier × its rate, or the tier's sum per case."""
    fixed = "fixed"
    """A sum per case."""
    range = "range"
    """A sum per case the court chose in the law's range (``setting`` names the choice)."""
    rounding = "rounding"
    """The exact sum rounded to the rounding unit (shown only when it changes something)."""
    subtotal = "subtotal"
    multiplier = "multiplier"
    """A fraction of the fee so far (支付令 1/3, 破产 1/2)."""
    cap = "cap"
    """The fee so far was above the article's maximum."""
    reduction = "reduction"
    """A halving ground applied (art. 15, 16, 18)."""
    reduction_not_stacked = "reduction_not_stacked"
    """A further halving ground, not applied again (``stack_reductions`` off)."""
    total = "total"


@dataclass(frozen=True, slots=True)
class Line:
    step: LineStep
    article: str
    amount_fen: int
    label_zh: str = ""
    label_en: str = ""
    over_fen: int | None = None
    up_to_fen: int | None = None
    base_fen: int | None = None
    """What the rate or fraction applies to: the part of the amount in the tier, the fee before
    a multiplier, a cap or a halving."""
    rate: Fraction | None = None
    """A tier's rate; a multiplier's or halving's fraction."""
    exact_fen: Fraction | None = None
    """A tier's part before rounding (fractions of a fen)."""
    range_fen: tuple[int, int] | None = None
    setting: str | None = None

    @property
    def counts(self) -> bool:
        return self.step not in (LineStep.subtotal, LineStep.total)


@dataclass(frozen=True, slots=True)
class Breakdown:
    schedule_id: str
    schedule_title_zh: str
    schedule_title_en: str
    instrument: str
    effective: date
    kind: str
    kind_zh: str
    kind_en: str
    category: str
    category_zh: str
    category_en: str
    article: str
    stage: str
    stage_zh: str
    stage_en: str
    stage_article: str
    amount_zh: str
    amount_en: str
    claim_fen: int | None
    """The amount asked about (claim, property divided, amount to execute …)."""
    basis_fen: int | None
    """The amount the fee is computed on: the claim, or on appeal the disputed part."""
    grounds: tuple[str, ...]
    rounding_unit_fen: int
    lines: tuple[Line, ...]
    total_fen: int


def _rate_text(line: Line) -> str | None:
    if line.rate is None:
        return None
    return format_rate(line.rate) if line.step is LineStep.tier else format_ratio(line.rate)


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else format_yuan(fen, grouped=False)


def _line_dict(line: Line) -> dict[str, Any]:
    item: dict[str, Any] = {
        "step": line.step.value,
        "article": line.article,
        "amount_fen": line.amount_fen,
        "amount_yuan": _yuan(line.amount_fen),
    }
    optional: dict[str, Any] = {
        "label_zh": line.label_zh or None,
        "label_en": line.label_en or None,
        "over_fen": line.over_fen,
        "up_to_fen": line.up_to_fen,
        "base_fen": line.base_fen,
        "rate": _rate_text(line),
        "exact_fen": None if line.exact_fen is None else format_fraction(line.exact_fen),
        "range_fen": None if line.range_fen is None else list(line.range_fen),
        "setting": line.setting,
    }
    item.update({key: value for key, value in optional.items() if value is not None})
    return item


def breakdown_to_dict(breakdown: Breakdown) -> dict[str, Any]:
    """The breakdown as JSON-ready data (fen as integers, yuan as exact decimal strings,
    rates as written in the law: ``"2.5%"``, fractions as ``"1/3"``)."""
    b = breakdown
    return {
        "schedule": {
            "id": b.schedule_id,
            "title_zh": b.schedule_title_zh,
            "title_en": b.schedule_title_en,
            "instrument": b.instrument,
            "effective": b.effective.isoformat(),
        },
        "kind": {
            "id": b.kind,
            "name_zh": b.kind_zh,
            "name_en": b.kind_en,
            "category": b.category,
            "article": b.article,
        },
        "stage": {
            "id": b.stage,
            "name_zh": b.stage_zh,
            "name_en": b.stage_en,
            "article": b.stage_article,
        },
        "claim_fen": b.claim_fen,
        "basis_fen": b.basis_fen,
        "grounds": list(b.grounds),
        "rounding": {"unit_fen": b.rounding_unit_fen, "mode": "half_up"},
        "lines": [_line_dict(line) for line in b.lines],
        "total_fen": b.total_fen,
        "total_yuan": _yuan(b.total_fen),
    }
