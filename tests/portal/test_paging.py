"""Every list the portal answers is paged (issue 14): walked page by page by its ``Link`` header,
each item once and none missed, in the list's own order, even when items share a moment and the
list grows during the walk; a cursor not ours is refused; the limit is bounded; the home page
gives each list's first page and the link to the next."""

from __future__ import annotations

import base64
import re
from typing import Any

from fastapi.testclient import TestClient

from hearing_server.context import ServerContext
from portal.paging import MAX_LIMIT, encode_cursor
from tests.portal.conftest import (
    CHEN,
    LICENCE,
    WANG,
    PortalWorld,
    file_case,
    filed,
    serve,
)

NEXT = re.compile(r'<([^>]*)>; rel="next"')


def walk(client: TestClient, url: str) -> tuple[list[dict[str, Any]], int]:
    """Every item of a list by following ``Link: rel="next"``; and how many pages it took."""
    items: list[dict[str, Any]] = []
    pages = 0
    next_url: str | None = url
    while next_url is not None:
        answer = client.get(next_url)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert isinstance(page, list)
        items += page
        pages += 1
        found = NEXT.fullmatch(answer.headers.get("link", ""))
        next_url = found.group(1) if found else None
        assert pages < 50
    return items, pages


def _cases(app: Any, ctx: ServerContext, world: PortalWorld, count: int) -> list[Any]:
    cases = [filed(world.court_a, 701 + n, f"（2026）粤0104民初{701 + n}号") for n in range(count)]
    for case in cases:
        file_case(app, ctx, case)
    return cases


def test_a_partys_lists_walk_in_pages_each_item_once(
    app, ctx: ServerContext, world: PortalWorld, party
) -> None:
    cases = _cases(app, ctx, world, 5)
    for n in range(7):  # all sent at the same moment: the id orders them
        serve(app, ctx, cases[n % 2], "p-1", service_id=31 + n, title=f"文书{n}")
    chen = party(CHEN)
    for n in range(5):
        asked = chen.post(
            "/api/portal/reviews", json={"dossier_case_id": 701, "reason": f"查阅{n}"}
        )
        assert asked.status_code == 201, asked.text

    docs, pages = walk(chen, "/api/portal/documents?limit=3")
    assert pages == 3
    assert [d["service_id"] for d in docs] == list(range(37, 30, -1))  # newest (highest id) first
    whole = chen.get(f"/api/portal/documents?limit={MAX_LIMIT}")
    assert "link" not in whole.headers and whole.json() == docs

    listed, pages = walk(chen, "/api/portal/cases?limit=2")
    assert pages == 3
    assert [c["dossier_case_id"] for c in listed] == [705, 704, 703, 702, 701]

    reviews, pages = walk(chen, "/api/portal/reviews?limit=4")
    assert pages == 2
    assert [r["reason"] for r in reviews] == [f"查阅{n}" for n in range(4, -1, -1)]

    # The home page: the first page of each list and where the rest is.
    home = chen.get("/api/portal/home").json()
    assert home["documents"] == docs and home["next"]["documents"] is None
    assert home["cases"] == listed and home["reviews"] == reviews


def test_a_list_growing_during_the_walk_loses_and_repeats_nothing(
    app, ctx: ServerContext, world: PortalWorld, party
) -> None:
    (case,) = _cases(app, ctx, world, 1)
    for n in range(4):
        serve(app, ctx, case, "p-1", service_id=41 + n, title=f"文书{n}")
    chen = party(CHEN)
    first = chen.get("/api/portal/documents?limit=2")
    found = NEXT.fullmatch(first.headers["link"])
    assert found is not None and "limit=2" in found.group(1)
    serve(app, ctx, case, "p-1", service_id=45, title="新文书")  # newer: before the cursor
    rest, _ = walk(chen, found.group(1))
    seen = [d["service_id"] for d in first.json() + rest]
    assert seen == [44, 43, 42, 41]
    assert [d["service_id"] for d in walk(chen, "/api/portal/documents")[0]] == [45, *seen]


def test_the_staffs_lists_reach_every_item(
    app, ctx: ServerContext, world: PortalWorld, party, staff
) -> None:
    cases = _cases(app, ctx, world, 1)
    chen = party(CHEN)
    lawyer = party(WANG, kind="lawyer", licence=LICENCE)
    for n in range(5):
        assert chen.post("/api/portal/reviews",
                         json={"dossier_case_id": 701, "reason": f"查阅{n}"}).status_code == 201  # fmt: skip
        asked = lawyer.post("/api/portal/representations",
                            json={"case_number": cases[0].case_number, "party_name": "李华"})  # fmt: skip
        assert asked.status_code == 201, asked.text
    judge = staff("judge_a")
    reviews, pages = walk(judge, "/api/portal/staff/reviews?limit=2")
    assert pages == 3 and [r["reason"] for r in reviews] == [f"查阅{n}" for n in range(4, -1, -1)]
    assert {r["party_name"] for r in reviews} == {"陈明"}
    reps, pages = walk(judge, "/api/portal/staff/representations?limit=2")
    assert pages == 3 and len({r["id"] for r in reps}) == 5
    assert [r["id"] for r in reps] == sorted((r["id"] for r in reps), reverse=True)
    assert walk(staff("clerk_b"), "/api/portal/staff/reviews?limit=1") == ([], 1)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_a_cursor_not_ours_is_refused_and_the_limit_bounded(
    app, ctx: ServerContext, world: PortalWorld, party, staff
) -> None:
    _cases(app, ctx, world, 1)
    chen = party(CHEN)
    bad = [
        "!!!",  # not base64url
        _b64(b"not json"),
        _b64(b'{"id": 3}'),  # not a list
        encode_cursor([3]),  # a key of the wrong width for documents (moment, id)
        encode_cursor(["yesterday", 3]),
        encode_cursor(["2026-03-01T09:00:00", 3]),  # a moment without its zone
        encode_cursor(["2026-03-01T09:00:00+00:00", -1]),
    ]
    for cursor in bad:
        answer = chen.get("/api/portal/documents", params={"cursor": cursor})
        assert answer.status_code == 422, (cursor, answer.text)
        assert answer.json()["error"]["reason"] == "bad_cursor"
    for url in ("/api/portal/reviews", "/api/portal/passkeys"):
        for cursor in (encode_cursor(["2026-03-01T09:00:00+00:00", 3]), encode_cursor([True])):
            answer = chen.get(url, params={"cursor": cursor})
            assert answer.json()["error"]["reason"] == "bad_cursor", (url, cursor)
    judge = staff("judge_a")
    answer = judge.get("/api/portal/staff/representations", params={"cursor": encode_cursor(["x"])})
    assert answer.status_code == 422 and answer.json()["error"]["reason"] == "bad_cursor"
    for limit in (0, MAX_LIMIT + 1, -5):
        assert chen.get("/api/portal/cases", params={"limit": limit}).status_code == 422
        assert judge.get("/api/portal/staff/reviews", params={"limit": limit}).status_code == 422
    assert chen.get("/api/portal/cases", params={"limit": MAX_LIMIT}).status_code == 200
    too_long = "A" * 201
    assert chen.get("/api/portal/reviews", params={"cursor": too_long}).status_code == 422
