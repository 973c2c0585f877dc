"""The shape of a fee schedule data file (``fees/data/*.toml``), as read by :mod:`fees.loader`.

Only the shape: unknown keys are refused (a misspelt ``up_to_yuan`` must not silently make an
open-ended tier), every entry carries its ``article``, ids are lower-case identifiers, sums are
whole non-negative yuan. What the entries mean together (contiguous tiers, known references) is
checked by the loader.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from fees.model import AmountBasis, AmountUse, When

__all__ = [
    "RawCap",
    "RawComponent",
    "RawFile",
    "RawHeader",
    "RawKind",
    "RawMultiplier",
    "RawNamed",
    "RawReduction",
    "RawStage",
    "RawTier",
    "RawTierTable",
]

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Yuan = Annotated[int, Field(ge=0)]
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RawTier(_Strict):
    over_yuan: Yuan
    up_to_yuan: Yuan | None = None
    rate: str | None = None
    per_case_yuan: Yuan | None = None
    article: Text


class RawTierTable(_Strict):
    name_zh: Text
    name_en: Text
    article: Text
    tiers: list[RawTier]


class RawComponent(_Strict):
    tiers: Id | None = None
    fixed_yuan: Yuan | None = None
    range_yuan: tuple[Yuan, Yuan] | None = None
    setting: str | None = None
    when: When | None = None
    name_zh: str = ""
    name_en: str = ""
    article: str | None = None


class RawMultiplier(_Strict):
    fraction: str
    article: Text


class RawCap(_Strict):
    yuan: Yuan
    article: Text


class RawKind(_Strict):
    name_zh: Text
    name_en: Text
    category: Id
    article: Text
    amount: AmountUse
    amount_zh: str = ""
    amount_en: str = ""
    components: list[RawComponent] = Field(min_length=1)
    multiplier: RawMultiplier | None = None
    cap: RawCap | None = None


class RawNamed(_Strict):
    name_zh: Text
    name_en: Text
    article: Text


class RawStage(RawNamed):
    amount_basis: AmountBasis
    categories: list[Id]


class RawReduction(RawNamed):
    factor: str
    categories: list[Id]
    stages: list[Id]


class RawHeader(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    title_zh: Text
    title_en: Text
    instrument: Text
    issuer: Text
    promulgated: date
    effective: date
    source: Text


class RawFile(_Strict):
    schedule: RawHeader
    categories: dict[Id, RawNamed]
    stages: dict[Id, RawStage]
    reductions: dict[Id, RawReduction]
    tiers: dict[Id, RawTierTable]
    kinds: dict[Id, RawKind]
