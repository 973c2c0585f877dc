"""Time limits (审限) as the law counts them, on examples worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from dossier.time_limits import (
    RULES,
    Extension,
    Suspension,
    add_months,
    compute,
    extension_refusal,
)


def test_the_rules_name_their_source_and_articles() -> None:
    assert "民事诉讼法" in RULES.source and RULES.effective_on == date(2024, 1, 1)
    months = {k: (r.months, r.article) for k, r in RULES.procedures.items()}
    assert months == {
        "ordinary": (6, "第一百五十二条"),
        "simplified": (3, "第一百六十四条"),
        "small_claims": (2, "第一百六十八条"),
    }
    assert RULES.warn_within_days == 15
    assert {"announcement", "appraisal"} <= set(RULES.suspension_grounds)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2024, 1, 15), 3, date(2024, 4, 15)),  # the corresponding day
        (date(2023, 11, 30), 3, date(2024, 2, 29)),  # no 30 Feb: the month's last day (leap)
        (date(2024, 11, 30), 3, date(2025, 2, 28)),  # … and in a common year
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (
            date(2024, 8, 31),
            12,
            date(2025, 8, 31),
        ),  # extension counted from filing, not from 28 Feb
        (date(2025, 10, 31), 2, date(2025, 12, 31)),
        (date(2025, 12, 1), 1, date(2026, 1, 1)),  # over the year's end
    ],
)
def test_months_end_on_the_corresponding_day_or_the_last_day(start, months, end) -> None:
    assert add_months(start, months) == end


def test_simplified_procedure_three_months_with_the_warning_window() -> None:
    # Filed 31 Jan 2024: 3 months end 30 April (no 31 April). On 15 April: 15 days left, a warning.
    filed = date(2024, 1, 31)
    limit = compute(RULES, "simplified", filed, [], today=date(2024, 4, 15))
    assert limit is not None
    assert (limit.base_due_on, limit.due_on, limit.days_left, limit.state) == (
        date(2024, 4, 30), date(2024, 4, 30), 15, "due_soon",
    )  # fmt: skip
    early = compute(RULES, "simplified", filed, [], today=date(2024, 4, 14))
    assert early is not None and (early.days_left, early.state) == (16, "running")
    late = compute(RULES, "simplified", filed, [], today=date(2024, 5, 2))
    assert late is not None and (late.days_left, late.state) == (-2, "overdue")


def test_ordinary_procedure_extended_and_suspended() -> None:
    # Filed 2024-02-29 (leap day). 6 months: 2024-08-29. Extended 6 months by the president:
    # 12 months from filing, 2025-02-28 (no 29 Feb in 2025). An appraisal from 2024-05-01 to
    # 2024-05-31 (31 days, both ends counted) is not counted: due 2025-03-31.
    events: list[Extension | Suspension] = [
        Extension(6, "president"),
        Suspension(date(2024, 5, 1), date(2024, 5, 31)),
    ]
    limit = compute(RULES, "ordinary", date(2024, 2, 29), events, today=date(2025, 3, 1))
    assert limit is not None
    assert (limit.base_due_on, limit.due_on) == (date(2024, 8, 29), date(2025, 3, 31))
    assert (limit.extended_months, limit.suspended_days, limit.days_left) == (6, 31, 30)
    assert limit.state == "running"


def test_an_open_suspension_counts_up_to_today_and_says_suspended() -> None:
    # Small claims filed 2025-01-10: due 2025-03-10. Announcement from 2025-03-01, still open on
    # 2025-03-20: 20 days not counted so far, due 2025-03-30, 10 days left, state suspended.
    events = [Suspension(date(2025, 3, 1), None)]
    limit = compute(RULES, "small_claims", date(2025, 1, 10), events, today=date(2025, 3, 20))
    assert limit is not None
    assert (limit.due_on, limit.suspended_days, limit.days_left, limit.state) == (
        date(2025, 3, 30), 20, 10, "suspended",
    )  # fmt: skip


def test_a_closed_case_is_measured_on_its_closing_day() -> None:
    limit = compute(
        RULES, "simplified", date(2025, 1, 1), [], today=date(2026, 1, 1),
        closed_on=date(2025, 3, 1),
    )  # fmt: skip
    assert limit is not None and (limit.days_left, limit.state) == (31, "closed")


def test_no_procedure_on_record_has_no_time_limit() -> None:
    assert compute(RULES, None, date(2025, 1, 1), [], today=date(2025, 2, 1)) is None
    assert compute(RULES, "appeal", date(2025, 1, 1), [], today=date(2025, 2, 1)) is None


@pytest.mark.parametrize(
    ("procedure", "earlier", "new", "refusal"),
    [
        ("ordinary", [], Extension(6, "president"), None),
        ("ordinary", [], Extension(7, "president"), "dossier_extension_too_long"),
        ("ordinary", [], Extension(3, "higher_court"), "dossier_extension_approver"),
        ("ordinary", [Extension(6, "president")], Extension(3, "president"),
         "dossier_extension_approver"),
        ("ordinary", [Extension(6, "president")], Extension(12, "higher_court"), None),
        ("ordinary", [Extension(6, "president"), Extension(3, "higher_court")],
         Extension(3, "higher_court"), None),
        ("simplified", [], Extension(1, "president"), None),
        ("simplified", [], Extension(2, "president"), "dossier_extension_too_long"),
        ("simplified", [Extension(1, "president")], Extension(1, "president"),
         "dossier_extension_exhausted"),
        ("small_claims", [], Extension(1, "president"), None),
        ("small_claims", [Extension(1, "president")], Extension(1, "higher_court"),
         "dossier_extension_exhausted"),
        (None, [], Extension(1, "president"), "dossier_time_limit_unknown"),
    ],
)  # fmt: skip
def test_which_extensions_the_law_allows(procedure, earlier, new, refusal) -> None:
    assert extension_refusal(RULES, procedure, earlier, new) == refusal
