"""Time limits of a case (审限), a pure rule: the due date, the days left, and whether an
extension is allowed.

The law is data (``dossier/data/time_limits.json``: 《中华人民共和国民事诉讼法》 arts. 152, 164,
168 and 183, 《中华人民共和国行政诉讼法》 arts. 81, 83 and 88, and the SPC's rules on enforcement
time limits art. 1, each with its source and effective date). Which rule a case follows comes
from its type code and procedure (:func:`rule_key`: 民初 by procedure, 民终, 行初, 行终, 执).
Periods are counted as the Civil Code counts them: the filing day is not counted, ``n`` days
end ``n`` days after it, and ``n`` months from 31 August end on the last day of the month that
has no 31st (:func:`add_months`). An extension adds months to the whole period from
filing; a suspension (公告, 鉴定 … periods not counted) pushes the due date back by its days,
both ends included; one not yet ended counts up to ``today``. A day covered by two recorded
periods (an appraisal during an announcement) is one day not counted (:func:`merge_periods`).

    >>> limit = compute(RULES, "simplified", date(2024, 1, 31), [], today=date(2024, 4, 20))
    >>> limit.due_on, limit.days_left, limit.state
    (datetime.date(2024, 4, 30), 10, 'due_soon')
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

__all__ = [
    "RULES",
    "Extension",
    "ProcedureRule",
    "Rules",
    "Suspension",
    "TimeLimit",
    "add_months",
    "compute",
    "extension_refusal",
    "load_rules",
    "merge_periods",
    "rule_key",
]

DATA = Path(__file__).resolve().parent / "data" / "time_limits.json"


@dataclass(frozen=True, slots=True)
class ExtensionStep:
    approver: str
    """``president`` (本院院长) or ``higher_court`` (上级人民法院)."""
    max_months: int | None
    repeatable: bool = False


@dataclass(frozen=True, slots=True)
class ProcedureRule:
    name: str
    article: str
    months: int | None
    """The period in months, or ``None`` when it is in :attr:`days`."""
    extensions: tuple[ExtensionStep, ...]
    source: str
    effective_on: date
    days: int | None = None


@dataclass(frozen=True, slots=True)
class Rules:
    source: str
    effective_on: date
    warn_within_days: int
    procedures: dict[str, ProcedureRule]
    suspension_grounds: dict[str, str]
    by_type: dict[str, dict[str, str]]
    """Type code → procedure (or ``*``, or an appeal's object) → a key of :attr:`procedures`."""


@dataclass(frozen=True, slots=True)
class Extension:
    months: int
    approver: str


@dataclass(frozen=True, slots=True)
class Suspension:
    starts_on: date
    ends_on: date | None
    """``None``: not ended yet (counted up to today)."""


@dataclass(frozen=True, slots=True)
class TimeLimit:
    procedure: str
    base_due_on: date
    due_on: date
    extended_months: int
    suspended_days: int
    days_left: int
    """Negative once overdue; for a closed case, the days that were left on its closing day."""
    state: str
    """``running``, ``due_soon`` (within the warning days), ``overdue``, ``suspended``,
    ``closed``."""


def load_rules(path: Path = DATA) -> Rules:
    raw: dict[str, Any] = json.loads(path.read_text("utf-8"))
    procedures = {
        key: ProcedureRule(
            name=value["name"],
            article=value["article"],
            months=int(value["months"]) if "months" in value else None,
            days=int(value["days"]) if "days" in value else None,
            extensions=tuple(
                ExtensionStep(s["approver"], s["max_months"], bool(s.get("repeatable", False)))
                for s in value["extensions"]
            ),
            source=value.get("source", raw["source"]),
            effective_on=date.fromisoformat(value.get("effective_on", raw["effective_on"])),
        )
        for key, value in raw["procedures"].items()
    }
    for key, rule in procedures.items():
        if (rule.months is None) == (rule.days is None):
            raise ValueError(f"time limit {key}: months or days, one of them")
    by_type = {k: dict(v) for k, v in raw["by_type"].items() if k != "note"}
    unknown = {key for keys in by_type.values() for key in keys.values()} - set(procedures)
    if unknown:
        raise ValueError(f"time limits: by_type names no rule {sorted(unknown)}")
    return Rules(
        source=raw["source"],
        effective_on=date.fromisoformat(raw["effective_on"]),
        warn_within_days=int(raw["warn_within_days"]),
        procedures=procedures,
        suspension_grounds=dict(raw["suspension_grounds"]["grounds"]),
        by_type=by_type,
    )


def rule_key(
    rules: Rules, type_code: str | None, procedure: str | None, *, appeal_of: str | None = None
) -> str | None:
    """The rule a case of ``type_code`` in ``procedure`` follows (``appeal_of``: ``ruling``
    for an appeal against a ruling); ``None``: no time limit in the data for it."""
    keys = rules.by_type.get(type_code or "")
    if keys is None:
        return None
    if appeal_of is not None and appeal_of in keys:
        return keys[appeal_of]
    return keys.get(procedure or "") or keys.get("*")


RULES = load_rules()


def add_months(start: date, months: int) -> date:
    """The day ``months`` months after ``start``: the same day of the month, or the month's last
    day when it has no such day (31 Jan + 1 month = 29 Feb in a leap year)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def merge_periods(suspensions: Sequence[Suspension], today: date) -> list[tuple[date, date]]:
    """The days the ``suspensions`` cover, as periods that neither overlap nor touch, in order:
    one not yet ended runs to ``today`` (or is its start day alone, if it starts later); two
    periods that overlap, or where one ends the day before the other starts, become one."""
    periods = sorted(
        (s.starts_on, s.ends_on if s.ends_on is not None else max(today, s.starts_on))
        for s in suspensions
    )
    merged: list[tuple[date, date]] = []
    for start, end in periods:
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _suspended_days(suspensions: Sequence[Suspension], today: date) -> tuple[int, bool]:
    """The days not counted (both ends of a period counted; a day covered by two periods once)
    and whether a period is still open."""
    days = sum((end - start).days + 1 for start, end in merge_periods(suspensions, today))
    return days, any(s.ends_on is None for s in suspensions)


def compute(
    rules: Rules,
    procedure: str | None,
    filed_on: date,
    events: Sequence[Extension | Suspension],
    *,
    today: date,
    closed_on: date | None = None,
) -> TimeLimit | None:
    """The case's time limit on ``today`` under the rule ``procedure`` (a key of
    ``rules.procedures``, see :func:`rule_key`; ``None``: no rule, e.g. an imported case whose
    procedure is not recorded, or a case type the data has no time limit for)."""
    rule = rules.procedures.get(procedure or "")
    if rule is None or procedure is None:
        return None
    as_of = closed_on or today
    extended = sum(e.months for e in events if isinstance(e, Extension))
    suspended, open_now = _suspended_days([e for e in events if isinstance(e, Suspension)], as_of)
    if rule.months is not None:
        base_due = add_months(filed_on, rule.months)
        due = add_months(filed_on, rule.months + extended) + timedelta(days=suspended)
    else:  # a period in days (no extension in the law: ``extended`` is 0)
        base_due = filed_on + timedelta(days=rule.days or 0)
        due = add_months(base_due, extended) + timedelta(days=suspended)
    left = (due - as_of).days
    if closed_on is not None:
        state = "closed"
    elif open_now:
        state = "suspended"
    elif left < 0:
        state = "overdue"
    elif left <= rules.warn_within_days:
        state = "due_soon"
    else:
        state = "running"
    return TimeLimit(procedure, base_due, due, extended, suspended, left, state)


def extension_refusal(
    rules: Rules, procedure: str | None, earlier: Sequence[Extension], new: Extension
) -> str | None:
    """Why the law does not allow ``new`` after the ``earlier`` extensions (a reason code), or
    ``None`` when it does. Ordinary procedure: one extension of up to 6 months by the court's
    president, further ones by the higher court; simplified and small claims: one, of up to one
    month, by the president."""
    rule = rules.procedures.get(procedure or "")
    if rule is None:
        return "dossier_time_limit_unknown"
    steps = rule.extensions
    position = len(earlier)
    if position >= len(steps):
        if not steps or not steps[-1].repeatable:
            return "dossier_extension_exhausted"
        step = steps[-1]
    else:
        step = steps[position]
    if new.approver != step.approver:
        return "dossier_extension_approver"
    if step.max_months is not None and new.months > step.max_months:
        return "dossier_extension_too_long"
    return None
