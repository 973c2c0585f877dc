"""A fee schedule in memory: what :mod:`fees.loader` makes of a data file and
:mod:`fees.engine` interprets. Frozen, checked on load, money in fen, rates exact.

The engine knows only these shapes, never a kind by name:

- :class:`TierComponent`: a tier table applied to the amount, each tier a rate of the part of
  the amount inside it ("超过…至…的部分，按照…%交纳") or a sum per case ("每件交纳50元");
- :class:`FixedComponent`: a sum per case;
- :class:`RangeComponent`: a sum per case the court chooses in a range (its choice is a setting);
- per kind, optionally a :class:`Multiplier` of the sum ("1/3", "减半") and a :class:`Cap`;
- per request, :class:`Reduction` grounds (halving) and a :class:`Stage` (first instance, appeal
  on the disputed part).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction

__all__ = [
    "AmountBasis",
    "AmountUse",
    "Cap",
    "Category",
    "Component",
    "FixedComponent",
    "Kind",
    "Multiplier",
    "RangeComponent",
    "Reduction",
    "Schedule",
    "Stage",
    "Tier",
    "TierComponent",
    "TierTable",
    "When",
]


class AmountUse(StrEnum):
    """Whether a kind's fee depends on an amount."""

    required = "required"
    optional = "optional"
    none = "none"


class When(StrEnum):
    """Which requests a component applies to: with an amount, without one, or always."""

    always = "always"
    with_amount = "with_amount"
    without_amount = "without_amount"

    def applies(self, *, has_amount: bool) -> bool:
        if self is When.always:
            return True
        return has_amount is (self is When.with_amount)


class AmountBasis(StrEnum):
    """What a stage computes on: the claim, or the disputed part (art. 17, 19)."""

    claim = "claim"
    disputed = "disputed"


@dataclass(frozen=True, slots=True)
class Tier:
    """``over_fen < amount ≤ up_to_fen`` (``None``: no upper bound). Exactly one of ``rate``
    (of the part of the amount in the tier) and ``per_case_fen`` (once, if the amount reaches
    into the tier) is set."""

    over_fen: int
    up_to_fen: int | None
    article: str
    rate: Fraction | None = None
    per_case_fen: int | None = None


@dataclass(frozen=True, slots=True)
class TierTable:
    id: str
    name_zh: str
    name_en: str
    article: str
    tiers: tuple[Tier, ...]


@dataclass(frozen=True, slots=True)
class TierComponent:
    table: TierTable
    when: When
    article: str


@dataclass(frozen=True, slots=True)
class FixedComponent:
    amount_fen: int
    when: When
    article: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class RangeComponent:
    min_fen: int
    max_fen: int
    setting: str
    """The :class:`~fees.settings.FeeSettings` field holding the court's figure (in fen)."""
    when: When
    article: str
    name_zh: str
    name_en: str


Component = TierComponent | FixedComponent | RangeComponent


@dataclass(frozen=True, slots=True)
class Multiplier:
    fraction: Fraction
    article: str


@dataclass(frozen=True, slots=True)
class Cap:
    max_fen: int
    article: str


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    name_zh: str
    name_en: str
    article: str


@dataclass(frozen=True, slots=True)
class Kind:
    id: str
    name_zh: str
    name_en: str
    category: Category
    article: str
    amount: AmountUse
    amount_zh: str
    amount_en: str
    components: tuple[Component, ...]
    multiplier: Multiplier | None = None
    cap: Cap | None = None


@dataclass(frozen=True, slots=True)
class Stage:
    id: str
    name_zh: str
    name_en: str
    article: str
    amount_basis: AmountBasis
    categories: frozenset[str]


@dataclass(frozen=True, slots=True)
class Reduction:
    id: str
    name_zh: str
    name_en: str
    article: str
    factor: Fraction
    categories: frozenset[str]
    stages: frozenset[str]


@dataclass(frozen=True, slots=True)
class Schedule:
    id: str
    title_zh: str
    title_en: str
    instrument: str
    issuer: str
    promulgated: date
    effective: date
    source: str
    kinds: Mapping[str, Kind]
    stages: Mapping[str, Stage]
    reductions: Mapping[str, Reduction]
    """In the order of the data file (the order the engine applies and shows them)."""
