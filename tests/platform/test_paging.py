"""The shared keyset paging (tingshen_platform/paging.py): cursors round-trip, anything not ours
is a BadCursorError, pages cut at the limit with the next link keeping the request's other
parameters, and a walk by cursors covers a list once."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest
from starlette.requests import Request
from starlette.responses import Response

from tingshen_platform.paging import (
    BadCursorError,
    Page,
    answer,
    aware_moment,
    decode_cursor,
    encode_cursor,
    id_key,
    next_url,
    other_params,
    row_id,
    time_key,
)


def test_a_cursor_round_trips_opaque_and_unpadded() -> None:
    values = ["2026-12-05T08:00:00+08:00", 42, "陈明"]
    cursor = encode_cursor(values)
    assert "=" not in cursor and set(cursor) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )
    assert decode_cursor(cursor, 3) == values
    assert id_key(encode_cursor([7])) == 7
    moment = datetime(2026, 12, 5, 8, tzinfo=timezone(timedelta(hours=8)))
    assert time_key(encode_cursor([moment.isoformat(), 9])) == (moment, 9)


@pytest.mark.parametrize(
    "cursor",
    [
        "!!",  # not base64url
        base64.urlsafe_b64encode(b"not json").decode().rstrip("="),
        base64.urlsafe_b64encode(b"\xff\xfe").decode().rstrip("="),  # not UTF-8
        encode_cursor([1]),  # the wrong width
        base64.urlsafe_b64encode(b'{"a": 1}').decode().rstrip("="),  # not a list
    ],
)
def test_a_cursor_not_ours_is_refused(cursor: str) -> None:
    with pytest.raises(BadCursorError):
        decode_cursor(cursor, 2)


@pytest.mark.parametrize("value", [0, -1, 2**31, True, "3", 1.5, None])
def test_a_row_id_is_a_positive_int4(value: object) -> None:
    with pytest.raises(BadCursorError):
        row_id(value)


def test_a_row_id_may_start_at_zero_where_a_list_says_so() -> None:
    assert row_id(0, smallest=0) == 0
    assert row_id(2**31 - 1) == 2**31 - 1
    with pytest.raises(BadCursorError):
        id_key(encode_cursor([0]))
    assert id_key(encode_cursor([0]), smallest=0) == 0


@pytest.mark.parametrize(
    "value", ["yesterday", "2026-03-01T09:00:00", 20260301, "2026-03-01T09:00:00+00:00" + " " * 20]
)
def test_a_moment_is_aware_iso_text(value: object) -> None:
    with pytest.raises(BadCursorError):
        aware_moment(value)
    assert aware_moment("2026-03-01T09:00:00+00:00") == datetime(2026, 3, 1, 9, tzinfo=UTC)


def test_the_next_url_keeps_the_other_parameters() -> None:
    url = next_url("/api/x", (("state", "待签收"), ("tag", "a&b")), [5, "k"], 10)
    assert url == (
        f"/api/x?state=%E5%BE%85%E7%AD%BE%E6%94%B6&tag=a%26b&cursor={encode_cursor([5, 'k'])}"
        "&limit=10"
    )
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/api/x",
        "query_string": b"limit=3&state=a&cursor=abc&state=b",
        "headers": [],
    }
    assert other_params(Request(scope)) == (("state", "a"), ("state", "b"))


def test_answer_cuts_at_the_limit_and_links_only_when_there_is_more() -> None:
    response = Response()
    assert answer(response, [1, 2, 3], 3, lambda last: f"/next/{last}") == [1, 2, 3]
    assert "link" not in response.headers
    assert answer(response, [1, 2, 3, 4], 3, lambda last: f"/next/{last}") == [1, 2, 3]
    assert response.headers["link"] == '</next/2>; rel="next"'


def test_walking_by_cursors_covers_a_list_once_in_its_order() -> None:
    items = list(range(1, 12))
    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = Page(4, cursor, "/api/items", (("q", "x"),))
        after = 0 if page.cursor is None else id_key(page.cursor)
        fetched = [i for i in items if i > after][: page.limit + 1]
        response = Response()
        shown = page.answer(response, fetched, lambda i: [i])
        assert page.next_link(fetched, lambda i: [i]) == (
            None if "link" not in response.headers else response.headers["link"][1:-13]
        )
        seen += shown
        pages += 1
        link = response.headers.get("link")
        if link is None:
            break
        assert link.startswith("</api/items?q=x&cursor=") and link.endswith('&limit=4>; rel="next"')
        cursor = link.split("cursor=")[1].split("&")[0]
    assert seen == items and pages == 3
