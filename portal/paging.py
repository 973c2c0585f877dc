"""Keyset (cursor) paging of the portal's lists, on ``tingshen_platform.paging`` (the
convention, cursors and ``Link`` headers shared with the hearing server and the dossier).

A list route takes ``?limit=`` (1..:data:`MAX_LIMIT`, default :data:`DEFAULT_LIMIT`) and
``?cursor=`` and answers a JSON array of at most ``limit`` items in the list's own stable order;
while there is more, a ``Link: <…?cursor=…&limit=…>; rel="next"`` header (RFC 8288). The cursor
is the sort key of the last item given, base64url of its JSON (opaque to clients), so each page is
one indexed query and every item is seen once while the list grows. A cursor that is not one of
ours is refused: 422 ``bad_cursor``.

A query function takes a :class:`Page`, reads :meth:`Page.after_id` or :meth:`Page.after_time`
and fetches ``limit + 1`` rows; the route hands them to :meth:`Page.answer`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from portal.errors import InvalidInputError
from tingshen_platform import paging
from tingshen_platform.paging import DEFAULT_LIMIT, BadCursorError

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "Page",
    "PageDep",
    "by_id",
    "by_time",
    "decode_cursor",
    "encode_cursor",
]

MAX_LIMIT = 200
MAX_CURSOR_CHARS = 200

KeyValue = int | str


def encode_cursor(key: Sequence[KeyValue]) -> str:
    return paging.encode_cursor(key)


def _bad_cursor() -> InvalidInputError:
    return InvalidInputError(
        "the cursor is not one this list gave", "翻页标记无效，请从第一页重新查看",
        reason="bad_cursor",
    )  # fmt: skip


@contextmanager
def _refusing() -> Iterator[None]:
    """A :class:`~tingshen_platform.paging.BadCursorError` as the portal's ``bad_cursor`` (422)."""
    try:
        yield
    except BadCursorError:
        raise _bad_cursor() from None


def decode_cursor(cursor: str, width: int) -> list[object]:
    """The ``width`` JSON values a cursor carries; ``bad_cursor`` (422) for anything else."""
    with _refusing():
        return paging.decode_cursor(cursor, width)


class Page(paging.Page):
    __slots__ = ()

    @classmethod
    def first(cls, url: str, limit: int = DEFAULT_LIMIT) -> Page:
        return cls(limit, None, url)

    def after_id(self) -> int | None:
        """The last id given, for a list in id order (None: from the start)."""
        if self.cursor is None:
            return None
        with _refusing():
            return paging.id_key(self.cursor)

    def after_time(self) -> tuple[datetime, int] | None:
        """The last (aware moment, id) given, for a list newest first by a moment and an id."""
        if self.cursor is None:
            return None
        with _refusing():
            return paging.time_key(self.cursor)


def page_params(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=MAX_CURSOR_CHARS)] = None,
) -> Page:
    return Page(limit, cursor, request.url.path, paging.other_params(request))


PageDep = Annotated[Page, Depends(page_params)]


def by_id(view: dict[str, object]) -> list[KeyValue]:
    """The key of a view in id order."""
    value = view["id"]
    assert isinstance(value, int)
    return [value]


def by_time(field: str, id_field: str = "id") -> Callable[[dict[str, object]], list[KeyValue]]:
    """The key of a view newest first by a moment (its ISO text) and an id."""

    def key(view: dict[str, object]) -> list[KeyValue]:
        moment, row_id = view[field], view[id_field]
        assert isinstance(moment, str) and isinstance(row_id, int)
        return [moment, row_id]

    return key
