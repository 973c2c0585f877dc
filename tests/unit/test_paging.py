"""The paging module's cursors and in-memory pages (hearing_server/paging.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.responses import Response

from hearing_server.errors import InvalidInputError
from hearing_server.paging import Page, cut, decode_cursor, encode_cursor


def test_a_cursor_carries_ints_strings_and_times() -> None:
    key = (datetime(2026, 12, 5, 8, 0, tzinfo=UTC), 42, "seg-1")
    assert decode_cursor(encode_cursor(key), 3) == key


@pytest.mark.parametrize(
    "cursor", ["!!", "bm90IGpzb24", encode_cursor((1,)), encode_cursor((True, 1))]
)
def test_anything_else_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        decode_cursor(cursor, 2)
    assert refused.value.reason == "bad_cursor"


def test_pages_of_a_list_in_memory_cover_it_once_and_link_the_next() -> None:
    items = [5, 1, 4, 2, 3]
    seen: list[int] = []
    cursor: str | None = None
    links = []
    while True:
        page = Page(2, cursor, "/api/x", (("state", "pending"),))
        response = Response()
        shown = page.answer(response, cut(items, lambda i: (i,), page), lambda i: (i,))
        seen += shown
        link = response.headers.get("Link")
        if link is None:
            break
        links.append(link)
        cursor = encode_cursor((shown[-1],))
    assert seen == [1, 2, 3, 4, 5]
    assert links[0] == f'</api/x?state=pending&cursor={encode_cursor((2,))}&limit=2>; rel="next"'
    assert cut([], lambda i: (i, i), Page(2, encode_cursor((1,)), "/", ())) == []
