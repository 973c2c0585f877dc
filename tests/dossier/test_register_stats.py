"""Statistics of the court's cases: the pure computation on a hand-counted set, and the routes
(JSON and CSV with a byte-order mark) for administrators and judges only."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from dossier.register.stats import CaseFacts, compute_stats, months_between
from dossier.time_limits import TimeLimit
from tests.dossier.register_world import court_a_cases, staff_of


def facts(i, filed, closed=None, cause="民间借贷纠纷", judge="甲", limit=None) -> CaseFacts:
    return CaseFacts(i, f"(2026)粤0104民初{i}号", cause, judge, "closed" if closed else "open",
                     filed, closed, limit)  # fmt: skip


def limit(days_left: int, state: str) -> TimeLimit:
    return TimeLimit("simplified", date(2026, 6, 1), date(2026, 6, 1), 0, 0, days_left, state)


def test_months_between_crosses_the_year() -> None:
    assert months_between(date(2025, 11, 30), date(2026, 2, 1)) == [
        "2025-11", "2025-12", "2026-01", "2026-02",
    ]  # fmt: skip


def test_the_statistics_of_a_hand_counted_court() -> None:
    cases = [
        facts(1, date(2026, 1, 5), date(2026, 2, 10)),
        facts(2, date(2026, 1, 20), cause="房屋租赁合同纠纷", judge="乙",
              limit=limit(5, "due_soon")),
        facts(3, date(2026, 2, 1), judge="乙", limit=limit(-3, "overdue")),
        facts(4, date(2025, 12, 30), date(2026, 3, 1), judge=None),  # filed before the range
        facts(5, date(2026, 3, 31), cause="买卖合同纠纷", limit=limit(40, "running")),
        facts(6, date(2025, 1, 1), judge="乙", limit=limit(2, "suspended")),  # open 455 days
    ]  # fmt: skip
    s = compute_stats(cases, start=date(2026, 1, 1), end=date(2026, 3, 31),
                      today=date(2026, 4, 1), top_causes=2)  # fmt: skip
    assert s.months == [("2026-01", 2, 0), ("2026-02", 1, 1), ("2026-03", 1, 1)]
    assert s.causes == [("民间借贷纠纷", 2), ("房屋租赁合同纠纷", 1), ("", 1)]
    assert s.judges == [("乙", 2, 0, 3), ("甲", 2, 1, 1), ("", 0, 1, 0)]
    # Open on 2026-04-01: #2 (72 days), #3 (59), #5 (1), #6 (455).
    assert s.open_by_age == [("0-30", 1), ("31-90", 2), ("91-180", 0), ("181-365", 0),
                             ("365+", 1)]  # fmt: skip
    assert [(w.case_id, w.state) for w in s.warnings] == [
        (3, "overdue"), (6, "suspended"), (2, "due_soon"),
    ]  # fmt: skip


@pytest.fixture
def cases(app, ctx, dossier_world):
    return court_a_cases(app, staff_of(ctx), dossier_world)


def test_the_stats_routes_for_an_administrator(cases, staff_client) -> None:
    admin = staff_client("admin_a")
    answer = admin.get("/api/dossier/stats", params={"from": "2026-03-01", "to": "2026-11-30"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    months = {m: (f, c) for m, f, c in body["months"]}
    assert months["2026-03"] == (1, 0) and months["2026-05"] == (0, 1)
    assert months["2026-09"] == (2, 0) and months["2026-11"] == (2, 0)  # imported A, A2
    # 1001 (simplified, filed 09-01, due 12-01): 3 days left on 2026-11-28; 1003 (small claims,
    # filed 10-20, due 12-20): 22 days, no warning; 1002 ordinary: 2027-03-15, none.
    assert [(w["case_number"], w["days_left"], w["state"]) for w in body["warnings"]] == [
        ("(2026)粤0104民初1001号", 3, "due_soon"),
    ]
    exported = admin.get("/api/dossier/stats.csv", params={"from": "2026-03-01"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["统计区间", "2026-03-01", "2026-11-28"]
    assert ["(2026)粤0104民初1001号", "judge_a", "2026-12-01", "3", "due_soon"] in rows


@pytest.mark.parametrize(
    ("user", "query", "status"),
    [
        ("judge_a", {}, 200),
        ("clerk_a", {}, 403),
        ("recorder_a", {}, 403),
        ("filing_a", {}, 403),
        ("admin_a", {"from": "2026-05-01", "to": "2026-04-01"}, 422),
        ("admin_a", {"from": "2000-01-01", "to": "2026-04-01"}, 422),
        ("admin_a", {"from": "2026-02-30"}, 422),
    ],
)
def test_who_may_see_statistics(cases, staff_client, client, user, query, status) -> None:
    assert staff_client(user).get("/api/dossier/stats", params=query).status_code == status
    assert client.get("/api/dossier/stats.csv").status_code == 401
