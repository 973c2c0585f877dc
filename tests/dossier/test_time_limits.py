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
    merge_periods,
    rule_key,
)


def test_the_rules_name_their_source_and_articles() -> None:
    assert "民事诉讼法" in RULES.source and RULES.effective_on == date(2024, 1, 1)
    periods = {k: (r.months, r.days, r.article) for k, r in RULES.procedures.items()}
    assert periods == {
        "ordinary": (6, None, "第一百五十二条"),
        "simplified": (3, None, "第一百六十四条"),
        "small_claims": (2, None, "第一百六十八条"),
        "civil_appeal_judgment": (3, None, "第一百八十三条第一款"),
        "civil_appeal_ruling": (None, 30, "第一百八十三条第二款"),
        "admin_ordinary": (6, None, "第八十一条"),
        "admin_simplified": (None, 45, "第八十三条"),
        "admin_appeal": (3, None, "第八十八条"),
        "enforcement": (6, None, "第一条"),
    }
    rules = RULES.procedures
    for key, law, effective in [
        ("civil_appeal_ruling", "《中华人民共和国民事诉讼法》(2023年修正)", date(2024, 1, 1)),
        ("admin_simplified", "《中华人民共和国行政诉讼法》(2017年修正)", date(2017, 7, 1)),
        (
            "enforcement",
            "《最高人民法院关于人民法院办理执行案件若干期限的规定》",
            date(2006, 12, 23),
        ),
    ]:
        assert rules[key].source.startswith(law) and rules[key].effective_on == effective
    assert RULES.warn_within_days == 15
    assert {"announcement", "appraisal"} <= set(RULES.suspension_grounds)


def test_the_enforcement_rule_is_the_published_article_1() -> None:
    """法发〔2006〕35号 art. 1 as published (checked against its text on 2026-12-06): 6 months
    from filing where the debtor has property, extended by the president or a vice-president."""
    import json
    from pathlib import Path

    import dossier

    data = Path(dossier.__file__).parent / "data" / "time_limits.json"
    raw = json.loads(data.read_text("utf-8"))["procedures"]["enforcement"]
    assert raw["text"] == (
        "被执行人有财产可供执行的案件，一般应当在立案之日起6个月内执结；"
        "非诉执行案件一般应当在立案之日起3个月内执结。"
        "有特殊情况须延长执行期限的，应当报请本院院长或副院长批准。"
        "申请延长执行期限的，应当在期限届满前5日内提出。"
    )
    assert "check" not in raw and "unverified" in raw["verified"]
    rule = RULES.procedures["enforcement"]
    assert (rule.months, rule.days, rule.article) == (6, None, "第一条")
    assert [e.approver for e in rule.extensions] == ["president"]


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


# Periods not counted that share days: a day is not counted once, however many periods cover
# it. Every example: ordinary procedure filed 2025-01-15, so 6 months end on 2025-07-15; the due
# date is that day plus the days not counted (July has 31 days, so +16 is 2025-07-31, +17 is
# 2025-08-01). Worked on the calendar: March has 31 days, April 30.
FILED = date(2025, 1, 15)
BASE_DUE = date(2025, 7, 15)
D = date


@pytest.mark.parametrize(
    ("periods", "merged", "days", "due_on"),
    [
        pytest.param(
            # 鉴定 1–20 March (20 days) and 中止 10–31 March (22 days) share 10–20 March
            # (11 days): 1–31 March, 31 days (20 + 22 - 11), not 42. 15 July + 31 = 15 August.
            [(D(2025, 3, 1), D(2025, 3, 20)), (D(2025, 3, 10), D(2025, 3, 31))],
            [(D(2025, 3, 1), D(2025, 3, 31))], 31, D(2025, 8, 15), id="overlapping",
        ),
        pytest.param(
            # 公告 1–31 March (31 days) with 鉴定 5–10 March (6 days) inside it: 31, not 37.
            [(D(2025, 3, 1), D(2025, 3, 31)), (D(2025, 3, 5), D(2025, 3, 10))],
            [(D(2025, 3, 1), D(2025, 3, 31))], 31, D(2025, 8, 15), id="nested",
        ),
        pytest.param(
            # 1–10 March (10 days), then 11–20 March (10 days): one period 1–20 March, 20 days.
            # 15 July + 16 = 31 July, + 4 = 4 August.
            [(D(2025, 3, 11), D(2025, 3, 20)), (D(2025, 3, 1), D(2025, 3, 10))],
            [(D(2025, 3, 1), D(2025, 3, 20))], 20, D(2025, 8, 4), id="adjacent",
        ),
        pytest.param(
            # The same period recorded twice, 1–20 March: 20 days, not 40.
            [(D(2025, 3, 1), D(2025, 3, 20)), (D(2025, 3, 1), D(2025, 3, 20))],
            [(D(2025, 3, 1), D(2025, 3, 20))], 20, D(2025, 8, 4), id="identical",
        ),
        pytest.param(
            # 1–10 March (10 days) and 1–5 April (5 days), a gap between: 15 days.
            # 15 July + 15 = 30 July.
            [(D(2025, 4, 1), D(2025, 4, 5)), (D(2025, 3, 1), D(2025, 3, 10))],
            [(D(2025, 3, 1), D(2025, 3, 10)), (D(2025, 4, 1), D(2025, 4, 5))], 15,
            D(2025, 7, 30), id="disjoint",
        ),
        pytest.param(
            # 1–10 March and 12–20 March: 11 March is counted, so two periods, 10 + 9 = 19 days.
            # 15 July + 16 = 31 July, + 3 = 3 August.
            [(D(2025, 3, 1), D(2025, 3, 10)), (D(2025, 3, 12), D(2025, 3, 20))],
            [(D(2025, 3, 1), D(2025, 3, 10)), (D(2025, 3, 12), D(2025, 3, 20))], 19,
            D(2025, 8, 3), id="one-day-apart",
        ),
        pytest.param(
            # Three: 1–5 March, 3–12 March, 12–14 March chain into 1–14 March: 14 days
            # (5 + 10 + 3 = 18 if counted apart). 15 July + 14 = 29 July.
            [(D(2025, 3, 12), D(2025, 3, 14)), (D(2025, 3, 1), D(2025, 3, 5)),
             (D(2025, 3, 3), D(2025, 3, 12))],
            [(D(2025, 3, 1), D(2025, 3, 14))], 14, D(2025, 7, 29), id="chain",
        ),
    ],
)  # fmt: skip
def test_days_covered_by_two_periods_are_not_counted_twice(periods, merged, days, due_on) -> None:
    events = [Suspension(start, end) for start, end in periods]
    today = date(2025, 5, 1)
    assert merge_periods(events, today) == merged
    limit = compute(RULES, "ordinary", FILED, events, today=today)
    assert limit is not None
    assert (limit.base_due_on, limit.suspended_days, limit.due_on) == (BASE_DUE, days, due_on)
    assert limit.state == "running"


def test_an_open_period_overlapping_a_closed_one_counts_the_shared_days_once() -> None:
    # 鉴定 1–20 March (closed, 20 days); 中止 from 15 March, not ended, on 10 April. Together
    # 1 March – 10 April: 31 days of March and 10 of April, 41 days. Counted apart it would be
    # 20 + 27 (15–31 March, 17 days, and 1–10 April, 10 days) = 47. Due 15 July + 41 days:
    # + 16 = 31 July, + 25 = 25 August. From 10 April: 20 days to 30 April, 31 in May, 30 in
    # June, 31 in July, 25 in August = 137 days left; the case is suspended.
    events = [Suspension(D(2025, 3, 1), D(2025, 3, 20)), Suspension(D(2025, 3, 15), None)]
    today = date(2025, 4, 10)
    assert merge_periods(events, today) == [(D(2025, 3, 1), D(2025, 4, 10))]
    limit = compute(RULES, "ordinary", FILED, events, today=today)
    assert limit is not None
    assert (limit.suspended_days, limit.due_on, limit.days_left, limit.state) == (
        41, D(2025, 8, 25), 137, "suspended",
    )  # fmt: skip
    # A day later the open period has grown by one day, the closed one not at all: 42 days.
    later = compute(RULES, "ordinary", FILED, events, today=date(2025, 4, 11))
    assert later is not None and later.suspended_days == 42
    # An open period that began inside the closed one and is still open on the day the closed
    # one ends covers it entirely from its own start: 1–14 March closed (14 days) and from
    # 10 March open, on 20 March: 1–20 March, 20 days.
    inside = [Suspension(D(2025, 3, 1), D(2025, 3, 14)), Suspension(D(2025, 3, 10), None)]
    limit = compute(RULES, "ordinary", FILED, inside, today=D(2025, 3, 20))
    assert limit is not None and limit.suspended_days == 20


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


@pytest.mark.parametrize(
    ("type_code", "procedure", "appeal_of", "key"),
    [
        ("民初", "ordinary", None, "ordinary"),
        ("民初", "simplified", None, "simplified"),
        ("民初", "small_claims", None, "small_claims"),
        ("民终", "ordinary", None, "civil_appeal_judgment"),
        ("民终", "ordinary", "ruling", "civil_appeal_ruling"),
        ("行初", "ordinary", None, "admin_ordinary"),
        ("行初", "simplified", None, "admin_simplified"),
        ("行终", "ordinary", None, "admin_appeal"),
        ("执", "ordinary", None, "enforcement"),
        ("刑初", "ordinary", None, None),  # criminal time limits are not data yet
        ("行初", "small_claims", None, None),  # no such procedure for administrative cases
        (None, "ordinary", None, None),
    ],
)
def test_the_rule_follows_the_case_type_and_procedure(type_code, procedure, appeal_of, key) -> None:
    assert rule_key(RULES, type_code, procedure, appeal_of=appeal_of) == key


@pytest.mark.parametrize(
    ("key", "filed", "today", "due", "left", "state"),
    [
        # 民终, appeal against a judgment: filed 30 Nov 2024, 3 months: no 30 Feb in 2025, so
        # the last day of February, 28 Feb 2025. On 20 Feb: 8 days left, within the 15 days.
        ("civil_appeal_judgment", D(2024, 11, 30), D(2025, 2, 20), D(2025, 2, 28), 8, "due_soon"),
        # 民终, appeal against a ruling: 30 days from 1 March (the 1st not counted) end 31
        # March. On 1 April: one day overdue.
        ("civil_appeal_ruling", D(2025, 3, 1), D(2025, 4, 1), D(2025, 3, 31), -1, "overdue"),
        # 行初 simplified: 45 days from 20 Jan 2025: 11 in January (21–31), 28 in February,
        # 6 in March: 6 March 2025. On 1 Feb: 33 days left.
        ("admin_simplified", D(2025, 1, 20), D(2025, 2, 1), D(2025, 3, 6), 33, "running"),
        # 行初 ordinary: 6 months from 31 Aug 2024: 28 Feb 2025 (no 31 Feb).
        ("admin_ordinary", D(2024, 8, 31), D(2024, 9, 1), D(2025, 2, 28), 180, "running"),
        # 行终: 3 months from 15 May 2025: 15 Aug 2025; on 1 Aug 14 days left.
        ("admin_appeal", D(2025, 5, 15), D(2025, 8, 1), D(2025, 8, 15), 14, "due_soon"),
        # 执: 6 months from 29 Feb 2024: 29 Aug 2024; on 30 Aug one day overdue.
        ("enforcement", D(2024, 2, 29), D(2024, 8, 30), D(2024, 8, 29), -1, "overdue"),
    ],
)
def test_time_limits_beyond_first_instance_civil(key, filed, today, due, left, state) -> None:
    limit = compute(RULES, key, filed, [], today=today)
    assert limit is not None
    assert (limit.base_due_on, limit.due_on, limit.days_left, limit.state) == (
        due, due, left, state,
    )  # fmt: skip


def test_a_day_period_is_pushed_back_by_the_days_not_counted() -> None:
    # 行初 simplified filed 20 Jan 2025 (due 6 March), an announcement 1–10 Feb (10 days, both
    # ends counted): due 16 March 2025.
    events = [Suspension(D(2025, 2, 1), D(2025, 2, 10))]
    limit = compute(RULES, "admin_simplified", D(2025, 1, 20), events, today=D(2025, 3, 1))
    assert limit is not None and (limit.due_on, limit.suspended_days) == (D(2025, 3, 16), 10)


@pytest.mark.parametrize(
    ("key", "earlier", "new", "refusal"),
    [
        ("civil_appeal_judgment", [], Extension(2, "president"), None),  # 由本院院长批准
        ("civil_appeal_judgment", [], Extension(2, "higher_court"), "dossier_extension_approver"),
        ("civil_appeal_ruling", [], Extension(1, "president"), "dossier_extension_exhausted"),
        ("admin_ordinary", [], Extension(3, "higher_court"), None),  # 由高级人民法院批准
        ("admin_ordinary", [], Extension(3, "president"), "dossier_extension_approver"),
        ("admin_simplified", [], Extension(1, "president"), "dossier_extension_exhausted"),
        ("admin_appeal", [Extension(3, "higher_court")], Extension(3, "higher_court"), None),
        ("enforcement", [], Extension(3, "president"), None),  # 报请本院院长或副院长批准
    ],
)  # fmt: skip
def test_which_extensions_the_other_laws_allow(key, earlier, new, refusal) -> None:
    assert extension_refusal(RULES, key, earlier, new) == refusal
