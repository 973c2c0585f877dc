"""Statistics of a court's cases for its management, a pure computation over the cases' rows.

- filed and closed per month (Beijing months) in ``[start, end]``;
- the causes of the cases filed in the range (top N, the rest as one line);
- per judge: filed in the range, closed in the range, open now;
- open cases now by age since filing (buckets of days);
- time-limit warnings: open cases due within the warning days, overdue or suspended.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from dossier.time_limits import TimeLimit

__all__ = ["AGE_BUCKETS", "CaseFacts", "Stats", "Warning", "compute_stats", "months_between"]

AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    ("365+", 366, None),
)
"""Label, first and last day of age (``None``: no end)."""


@dataclass(frozen=True, slots=True)
class CaseFacts:
    id: int
    case_number: str
    cause_name: str
    judge_name: str | None
    status: str
    filed_on: date
    closed_on: date | None
    time_limit: TimeLimit | None


@dataclass(frozen=True, slots=True)
class Warning:
    case_id: int
    case_number: str
    judge_name: str | None
    due_on: date
    days_left: int
    state: str


@dataclass(frozen=True, slots=True)
class Stats:
    start: date
    end: date
    months: list[tuple[str, int, int]]
    """``("2026-03", filed, closed)`` for every month of the range."""
    causes: list[tuple[str, int]]
    judges: list[tuple[str, int, int, int]]
    """``(judge, filed, closed, open now)``, most filed first."""
    open_by_age: list[tuple[str, int]]
    warnings: list[Warning] = field(default_factory=list)


def months_between(start: date, end: date) -> list[str]:
    out, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _age_bucket(days: int) -> str:
    for label, first, last in AGE_BUCKETS:
        if days >= first and (last is None or days <= last):
            return label
    return AGE_BUCKETS[0][0]


def compute_stats(
    cases: Iterable[CaseFacts], *, start: date, end: date, today: date, top_causes: int = 10
) -> Stats:
    months = months_between(start, end)
    filed: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    causes: Counter[str] = Counter()
    by_judge: dict[str, list[int]] = {}
    ages: Counter[str] = Counter()
    warnings: list[Warning] = []
    for case in cases:
        judge = case.judge_name or ""
        counts = by_judge.setdefault(judge, [0, 0, 0])
        if start <= case.filed_on <= end:
            filed[case.filed_on.strftime("%Y-%m")] += 1
            causes[case.cause_name] += 1
            counts[0] += 1
        if case.closed_on is not None and start <= case.closed_on <= end:
            closed[case.closed_on.strftime("%Y-%m")] += 1
            counts[1] += 1
        if case.status == "open":
            counts[2] += 1
            ages[_age_bucket(max(0, (today - case.filed_on).days))] += 1
            limit = case.time_limit
            if limit is not None and limit.state in ("due_soon", "overdue", "suspended"):
                warnings.append(
                    Warning(case.id, case.case_number, case.judge_name, limit.due_on,
                            limit.days_left, limit.state)
                )  # fmt: skip
    top = causes.most_common(top_causes)
    rest = sum(causes.values()) - sum(n for _, n in top)
    if rest:
        top.append(("", rest))  # "other causes"
    judges = sorted(
        ((name, c[0], c[1], c[2]) for name, c in by_judge.items() if any(c)),
        key=lambda row: (-row[1], -row[3], row[0]),
    )
    warnings.sort(key=lambda w: (w.days_left, w.case_number))
    return Stats(
        start=start,
        end=end,
        months=[(m, filed[m], closed[m]) for m in months],
        causes=top,
        judges=judges,
        open_by_age=[(label, ages[label]) for label, _, _ in AGE_BUCKETS],
        warnings=warnings,
    )


def csv_rows(stats: Stats) -> list[list[str | int]]:
    """The statistics as the rows of one CSV sheet (sections one after another)."""
    rows: list[list[str | int]] = [["统计区间", stats.start.isoformat(), stats.end.isoformat()]]
    rows.extend([[], ["月份", "收案", "结案"]])
    rows.extend([m, f, c] for m, f, c in stats.months)
    rows.extend([[], ["案由", "收案"]])
    rows.extend([c or "其他案由", n] for c, n in stats.causes)
    rows.extend([[], ["承办法官", "收案", "结案", "未结"]])
    rows.extend([j or "未分配", f, c, o] for j, f, c, o in stats.judges)
    rows.extend([[], ["未结案件案龄（天）", "件数"]])
    rows.extend([a, n] for a, n in stats.open_by_age)
    rows.extend([[], ["审限预警：案号", "承办法官", "审限届满日", "剩余天数", "状态"]])
    rows.extend(
        [w.case_number, w.judge_name or "", w.due_on.isoformat(), w.days_left, w.state]
        for w in stats.warnings
    )
    return rows
