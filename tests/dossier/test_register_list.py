"""The court's case list: filters, newest first, keyset pages; who may ask (court staff only);
the case page's summary for staff and for a party."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.dossier.register_world import court_a_cases, staff_of


@pytest.fixture
def cases(app, ctx, dossier_world):
    return court_a_cases(app, staff_of(ctx), dossier_world)


def numbers(answer) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [row["case_number"] for row in answer.json()]


def test_staff_see_their_court_newest_first(cases, staff_client, dossier_world) -> None:
    listed = numbers(staff_client("recorder_a").get("/api/dossier/cases"))
    # Imported cases A and A2 were filed on the clock's day (2026-11-28); then by date, id.
    assert listed == [
        "(2026)粤0104民初124号",
        "(2026)粤0104民初123号",
        "(2026)粤0104民初1004号",
        "(2026)粤0104民初1003号",
        "(2026)粤0104民初1002号",
        "(2026)粤0104民初1001号",
        "(2026)粤0104民初0999号",
    ]
    assert numbers(staff_client("clerk_b").get("/api/dossier/cases")) == [
        "(2026)粤0106民初9号",
        "(2026)粤0106民初500号",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"number": "民初100"}, ["1004", "1003", "1002", "1001"]),
        ({"number": "0999"}, ["0999"]),
        ({"party": "陈"}, ["1002", "1001"]),  # 陈小明 (plaintiff) and 陈大明 (defendant)
        ({"party": "贸易"}, ["1001"]),
        ({"party": "50%_"}, ["1003"]),  # % and _ are the user's characters, not wildcards
        ({"party": "%"}, ["1003"]),
        ({"cause": "10"}, ["1002"]),  # cause code 10 and the causes below it (10.3)
        ({"cause": "租赁"}, ["1002"]),
        ({"status": "closed"}, ["0999"]),
        ({"filed_from": "2026-09-15", "filed_to": "2026-10-20"}, ["1004", "1003", "1002"]),
        ({"closed_from": "2026-05-01", "closed_to": "2026-05-31"}, ["0999"]),
        ({"number": "1001", "party": "黄"}, []),
    ],
)
def test_filters(cases, staff_client, query, expected) -> None:
    listed = numbers(staff_client("clerk_a").get("/api/dossier/cases", params=query))
    assert [n.split("民初")[1].rstrip("号") for n in listed] == expected


def test_filter_by_judge_and_the_row_shows_the_parties(cases, staff_client, ctx) -> None:
    judge2 = staff_of(ctx).ids["judge2_a"]
    answer = staff_client("clerk_a").get("/api/dossier/cases", params={"judge_id": judge2})
    rows = answer.json()
    assert [r["case_number"] for r in rows] == ["(2026)粤0104民初1002号", "(2026)粤0104民初0999号"]
    assert rows[0]["parties"] == ["黄丽丽", "陈大明"] and rows[0]["judge_name"] == "孙强"


def test_pages_follow_the_link_and_see_every_case_once(cases, staff_client) -> None:
    clerk = staff_client("clerk_a")
    seen: list[str] = []
    url: str | None = "/api/dossier/cases?limit=2&number=号"
    pages = 0
    while url:
        answer = clerk.get(url)
        seen += numbers(answer)
        pages += 1
        link = answer.headers.get("link")
        url = None
        if link:
            target = urlparse(link.split(";")[0].strip("<>"))
            url = f"{target.path}?{target.query}"
            assert "number=" in target.query  # the filters are kept
    assert pages == 4 and len(seen) == len(set(seen)) == 7


@pytest.mark.parametrize(
    "query",
    [
        {"cursor": "not-a-cursor"},
        {"cursor": "WyIyMDI2LTEzLTAxIiwxXQ"},  # ["2026-13-01",1]
        {"cursor": "WzEsMl0"},  # [1,2]
        {"limit": "101"},
        {"limit": "0"},
        {"status": "deleted"},
        {"filed_from": "2026-02-30"},
        {"filed_from": "9999-01-01"},
        {"judge_id": "2147483648"},
        {"number": "x" * 101},
    ],
)
def test_bad_queries_are_refused_with_422(cases, staff_client, query) -> None:
    answer = staff_client("clerk_a").get("/api/dossier/cases", params=query)
    assert answer.status_code == 422, answer.text


def test_parties_and_strangers_may_not_list(app, client, dossier_world, staff_client) -> None:
    assert client.get("/api/dossier/cases").status_code == 401


def test_the_summary_masks_id_numbers_for_staff(cases, staff_client) -> None:
    answer = staff_client("recorder_a").get(f"/api/dossier/cases/{cases['loan']}/summary")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["viewer"] == "staff"
    assert [(p["name"], p["id_number_masked"]) for p in body["parties"]] == [
        ("陈小明", "**************1234"),
        ("广州某某贸易有限公司", None),
    ]
    assert "440104199001011234" not in answer.text
    limit = body["time_limit"]
    assert (limit["procedure_name"], limit["due_on"], limit["article"]) == (
        "简易程序", "2026-12-01", "第一百六十四条",
    )  # fmt: skip
    assert (limit["days_left"], limit["state"]) == (3, "due_soon")  # today: 2026-11-28
    assert (body["may_close"], body["may_read_dossier"]) == (False, False)
    judge = staff_client("judge_a").get(f"/api/dossier/cases/{cases['loan']}/summary").json()
    assert (judge["may_close"], judge["may_record_time_limit"], judge["may_read_dossier"]) == (
        True, True, True,
    )  # fmt: skip
    other = staff_client("clerk_b").get(f"/api/dossier/cases/{cases['loan']}/summary")
    assert other.status_code == 404
