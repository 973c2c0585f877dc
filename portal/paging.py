"""Keyset (cursor) paging of the portal's lists, in the project's convention (as
``hearing_server.paging`` and ``dossier.paging``, which the portal may not import).

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

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Query, Request, Response

from portal.errors import InvalidInputError

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

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR_CHARS = 200

T = TypeVar("T")
KeyValue = int | str


def encode_cursor(key: Sequence[KeyValue]) -> str:
    raw = json.dumps(list(key), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _bad_cursor() -> InvalidInputError:
    return InvalidInputError(
        "the cursor is not one this list gave", "翻页标记无效，请从第一页重新查看",
        reason="bad_cursor",
    )  # fmt: skip


def _row_id(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**31:
        raise _bad_cursor()
    return value


def decode_cursor(cursor: str, width: int) -> list[object]:
    """The ``width`` JSON values a cursor carries; ``bad_cursor`` (422) for anything else."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        raise _bad_cursor() from None
    if not isinstance(values, list) or len(values) != width:
        raise _bad_cursor()
    return values


@dataclass(frozen=True, slots=True)
class Page:
    limit: int
    cursor: str | None
    url: str
    """The request's path; :attr:`query` its other query parameters (the next link keeps them)."""
    query: tuple[tuple[str, str], ...] = ()

    @classmethod
    def first(cls, url: str, limit: int = DEFAULT_LIMIT) -> Page:
        return cls(limit, None, url)

    def after_id(self) -> int | None:
        """The last id given, for a list in id order (None: from the start)."""
        if self.cursor is None:
            return None
        (last_id,) = decode_cursor(self.cursor, 1)
        return _row_id(last_id)

    def after_time(self) -> tuple[datetime, int] | None:
        """The last (aware moment, id) given, for a list newest first by a moment and an id."""
        if self.cursor is None:
            return None
        moment, last_id = decode_cursor(self.cursor, 2)
        if not isinstance(moment, str) or len(moment) > 40:
            raise _bad_cursor()
        try:
            at = datetime.fromisoformat(moment)
        except ValueError:
            raise _bad_cursor() from None
        if at.tzinfo is None:
            raise _bad_cursor()
        return at, _row_id(last_id)

    def next_link(self, items: Sequence[T], key: Callable[[T], Sequence[KeyValue]]) -> str | None:
        """The URL of the next page, when ``items`` (fetched with ``limit + 1``) has more."""
        if len(items) <= self.limit:
            return None
        params = [
            *self.query,
            ("cursor", encode_cursor(key(items[self.limit - 1]))),
            ("limit", str(self.limit)),
        ]
        return f"{self.url}?{urlencode(params)}"

    def answer(
        self, response: Response, items: Sequence[T], key: Callable[[T], Sequence[KeyValue]]
    ) -> list[T]:
        """The page of ``items``, the ``Link`` to the next page set on ``response``."""
        link = self.next_link(items, key)
        if link is not None:
            response.headers["Link"] = f'<{link}>; rel="next"'
        return list(items[: self.limit])


def page_params(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=MAX_CURSOR_CHARS)] = None,
) -> Page:
    others = tuple(
        (name, value)
        for name, value in request.query_params.multi_items()
        if name not in ("limit", "cursor")
    )
    return Page(limit, cursor, request.url.path, others)


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
