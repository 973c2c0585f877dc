"""Fee schedules from their data files (``fees/data/*.toml``), checked before any use.

A file is refused whole (:class:`~fees.errors.ScheduleDataError`, naming the file and the entry)
when its shape is wrong (unknown or missing keys: every entry must carry its ``article``), when
a tier table has a gap or an overlap, does not start at 0 or does not end open, when a
reference is unknown (a tier table, a category, a stage, a settings field), or when a kind could
be asked for a fee none of its components gives. :func:`load_schedules` reads every bundled
schedule; :meth:`Schedules.in_force` picks the one in force on a date (the latest effective).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from pydantic import ValidationError

from fees.errors import FeeInputError, ScheduleDataError
from fees.model import (
    AmountUse,
    Cap,
    Category,
    Component,
    FixedComponent,
    Kind,
    Multiplier,
    RangeComponent,
    Reduction,
    Schedule,
    Stage,
    Tier,
    TierComponent,
    TierTable,
    When,
)
from fees.money import FEN_PER_YUAN, parse_fraction, parse_rate
from fees.schema import RawComponent, RawFile, RawKind, RawTierTable
from fees.settings import FeeSettings

__all__ = [
    "Schedules",
    "bundled_schedule_files",
    "load_schedule",
    "load_schedules",
    "parse_schedule",
]

FIRST_STAGE = "first_instance"
_T = TypeVar("_T")


def _fen(yuan: int) -> int:
    return yuan * FEN_PER_YUAN


def _lookup(table: Mapping[str, _T], key: str, what: str, where: str) -> _T:
    if key not in table:
        known = ", ".join(sorted(table))
        raise ScheduleDataError(f"{where}: unknown {what} {key!r} (known: {known})")
    return table[key]


def _tier_table(table_id: str, raw: RawTierTable) -> TierTable:
    where = f"tiers.{table_id}"
    if not raw.tiers:
        raise ScheduleDataError(f"{where}: no tiers")
    tiers: list[Tier] = []
    previous_up_to = 0
    for number, item in enumerate(raw.tiers, start=1):
        at = f"{where} tier {number}"
        if number == 1 and item.over_yuan != 0:
            raise ScheduleDataError(f"{at}: gap: the first tier must start over 0 yuan")
        if item.over_yuan > previous_up_to:
            raise ScheduleDataError(
                f"{at}: gap: starts over {item.over_yuan} yuan, the tier before ends at "
                f"{previous_up_to} yuan"
            )
        if item.over_yuan < previous_up_to:
            raise ScheduleDataError(
                f"{at}: overlap: starts over {item.over_yuan} yuan, the tier before ends at "
                f"{previous_up_to} yuan"
            )
        last = number == len(raw.tiers)
        if item.up_to_yuan is None and not last:
            raise ScheduleDataError(f"{at}: only the last tier may be open-ended")
        if item.up_to_yuan is not None and last:
            raise ScheduleDataError(f"{at}: the last tier must be open-ended (no up_to_yuan)")
        if item.up_to_yuan is not None and item.up_to_yuan <= item.over_yuan:
            raise ScheduleDataError(f"{at}: up_to_yuan must be above over_yuan")
        if (item.rate is None) == (item.per_case_yuan is None):
            raise ScheduleDataError(f"{at}: give exactly one of rate and per_case_yuan")
        rate = None if item.rate is None else parse_rate(item.rate)
        if rate is not None and rate > 1:
            raise ScheduleDataError(f"{at}: a rate over 100%: {item.rate}")
        up_to = None if item.up_to_yuan is None else _fen(item.up_to_yuan)
        per_case = None if item.per_case_yuan is None else _fen(item.per_case_yuan)
        tiers.append(Tier(_fen(item.over_yuan), up_to, item.article, rate, per_case))
        previous_up_to = item.up_to_yuan or 0
    return TierTable(table_id, raw.name_zh, raw.name_en, raw.article, tuple(tiers))


def _component(raw: RawComponent, tables: Mapping[str, TierTable], where: str) -> Component:
    given = [raw.tiers is not None, raw.fixed_yuan is not None, raw.range_yuan is not None]
    if sum(given) != 1:
        raise ScheduleDataError(f"{where}: give exactly one of tiers, fixed_yuan, range_yuan")
    if raw.setting is not None and raw.range_yuan is None:
        raise ScheduleDataError(f"{where}: only a range names a setting")
    if raw.tiers is not None:
        table = _lookup(tables, raw.tiers, "tier table", where)
        when = raw.when or When.with_amount
        if when is not When.with_amount:
            raise ScheduleDataError(f"{where}: a tier table needs an amount (when = with_amount)")
        return TierComponent(table, when, raw.article or table.article)
    if raw.article is None:
        raise ScheduleDataError(f"{where}: no article")
    when = raw.when or When.always
    if raw.fixed_yuan is not None:
        return FixedComponent(_fen(raw.fixed_yuan), when, raw.article, raw.name_zh, raw.name_en)
    assert raw.range_yuan is not None
    low, high = raw.range_yuan
    if low > high:
        raise ScheduleDataError(f"{where}: range_yuan [{low}, {high}] is upside down")
    if raw.setting not in FeeSettings.range_fields():
        known = ", ".join(sorted(FeeSettings.range_fields()))
        raise ScheduleDataError(
            f"{where}: a range must name a settings field for the court's figure "
            f"(setting = one of {known}), not {raw.setting!r}"
        )
    return RangeComponent(
        _fen(low), _fen(high), raw.setting, when, raw.article, raw.name_zh, raw.name_en
    )


def _kind(
    kind_id: str,
    raw: RawKind,
    tables: Mapping[str, TierTable],
    categories: Mapping[str, Category],
) -> Kind:
    where = f"kinds.{kind_id}"
    category = _lookup(categories, raw.category, "category", where)
    components = tuple(
        _component(item, tables, f"{where} component {n}")
        for n, item in enumerate(raw.components, start=1)
    )
    states = {
        AmountUse.required: [True],
        AmountUse.optional: [True, False],
        AmountUse.none: [False],
    }[raw.amount]
    for has_amount in states:
        if not any(c.when.applies(has_amount=has_amount) for c in components):
            state = "with" if has_amount else "without"
            raise ScheduleDataError(f"{where}: no component gives a fee {state} an amount")
    if raw.amount is AmountUse.none and any(c.when is When.with_amount for c in components):
        raise ScheduleDataError(f"{where}: a component needs an amount, but amount = 'none'")
    multiplier = None
    if raw.multiplier is not None:
        fraction = parse_fraction(raw.multiplier.fraction)
        if not 0 < fraction <= 1:
            raise ScheduleDataError(f"{where}: multiplier must be in (0, 1]")
        multiplier = Multiplier(fraction, raw.multiplier.article)
    cap = None if raw.cap is None else Cap(_fen(raw.cap.yuan), raw.cap.article)
    return Kind(
        kind_id, raw.name_zh, raw.name_en, category, raw.article, raw.amount,
        raw.amount_zh, raw.amount_en, components, multiplier, cap,
    )  # fmt: skip


def _known(
    ids: Iterable[str], table: Mapping[str, object], what: str, where: str
) -> frozenset[str]:
    for key in ids:
        _lookup(table, key, what, where)
    return frozenset(ids)


def parse_schedule(data: Mapping[str, Any], name: str = "<data>") -> Schedule:
    """A schedule from parsed TOML (``name`` for messages)."""
    try:
        raw = RawFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise ScheduleDataError(f"{name}: {problems}") from None
    try:
        return _build(raw)
    except ScheduleDataError as exc:
        raise ScheduleDataError(f"{name}: {exc}") from None


def _build(raw: RawFile) -> Schedule:
    categories = {
        key: Category(key, item.name_zh, item.name_en, item.article)
        for key, item in raw.categories.items()
    }
    stages = {
        key: Stage(
            key,
            item.name_zh,
            item.name_en,
            item.article,
            item.amount_basis,
            _known(item.categories, categories, "category", f"stages.{key}"),
        )
        for key, item in raw.stages.items()
    }
    if FIRST_STAGE not in stages:
        raise ScheduleDataError(f"stages: no {FIRST_STAGE!r} stage")
    reductions: dict[str, Reduction] = {}
    for key, item in raw.reductions.items():
        factor = parse_fraction(item.factor)
        if not 0 < factor < 1:
            raise ScheduleDataError(f"reductions.{key}: factor must be in (0, 1)")
        where = f"reductions.{key}"
        reductions[key] = Reduction(
            key, item.name_zh, item.name_en, item.article, factor,
            _known(item.categories, categories, "category", where),
            _known(item.stages, stages, "stage", where),
        )  # fmt: skip
    tables = {key: _tier_table(key, item) for key, item in raw.tiers.items()}
    kinds = {key: _kind(key, item, tables, categories) for key, item in raw.kinds.items()}
    header = raw.schedule
    return Schedule(
        header.id, header.title_zh, header.title_en, header.instrument, header.issuer,
        header.promulgated, header.effective, header.source, MappingProxyType(kinds),
        MappingProxyType(stages), MappingProxyType(reductions),
    )  # fmt: skip


def load_schedule(path: Path) -> Schedule:
    """The schedule in the TOML file ``path``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScheduleDataError(f"{path.name}: cannot read: {exc}") from None
    return parse_schedule(data, path.name)


@dataclass(frozen=True, slots=True)
class Schedules:
    """Every schedule, oldest first."""

    items: tuple[Schedule, ...]

    def in_force(self, on: date) -> Schedule:
        """The schedule in force on ``on``: the latest one effective on or before it."""
        candidates = [s for s in self.items if s.effective <= on]
        if not candidates:
            first = min((s.effective for s in self.items), default=None)
            raise FeeInputError(
                f"no fee schedule in force on {on.isoformat()} (the first is effective "
                f"from {first})",
                f"{on.isoformat()} 没有施行中的诉讼费标准（最早的自 {first} 起施行）",
            )
        return candidates[-1]


def bundled_schedule_files() -> list[Path]:
    folder = resources.files("fees") / "data"
    return sorted(Path(str(item)) for item in folder.iterdir() if item.name.endswith(".toml"))


def load_schedules(paths: Iterable[Path] | None = None) -> Schedules:
    """The schedules of ``paths`` (default: the bundled data files)."""
    items = [load_schedule(p) for p in (bundled_schedule_files() if paths is None else paths)]
    items.sort(key=lambda s: s.effective)
    for before, after in pairwise(items):
        if before.effective == after.effective:
            raise ScheduleDataError(
                f"two schedules take effect on {after.effective}: {before.id}, {after.id}"
            )
    return Schedules(tuple(items))
