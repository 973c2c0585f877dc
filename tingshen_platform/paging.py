"""Keyset (cursor) paging: the part every service's lists share (``hearing_server.paging``,
``portal.paging`` and ``dossier.paging`` build on it, each mapping :class:`BadCursorError` to
its own 422 error).

A list route takes ``?limit=`` and ``?cursor=`` and answers a JSON array of at most ``limit``
items in the list's own stable order; while there is more, a ``Link: <…?cursor=…&limit=…>;
rel="next"`` header (RFC 8288). The cursor is the sort key of the last item given, base64url of
its JSON (opaque to clients), so each page is one indexed query and every item is seen once while
the list grows. A query fetches ``limit + 1`` rows; :meth:`Page.answer` (or :func:`answer`) cuts
them and sets the header.

Nothing here knows a service's errors: a cursor that is not one of ours raises
:class:`BadCursorError`, which each service turns into its own refusal.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

__all__ = [
    "DEFAULT_LIMIT",
    "BadCursorError",
    "Page",
    "answer",
    "aware_moment",
    "decode_cursor",
    "encode_cursor",
    "id_key",
    "next_url",
    "other_params",
    "row_id",
    "time_key",
]

DEFAULT_LIMIT = 50
MAX_MOMENT_CHARS = 40
"""Longer than any ISO 8601 moment ``datetime.isoformat`` gives (32 characters)."""

T = TypeVar("T")
Query = tuple[tuple[str, str], ...]


class BadCursorError(ValueError):
    """A cursor that no list of ours gave (not base64url JSON, the wrong width, a value of the
    wrong kind)."""


def encode_cursor(values: Sequence[object]) -> str:
    """base64url (unpadded) of the JSON of ``values`` (JSON-able: ints, strings, small dicts)."""
    raw = json.dumps(list(values), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[object]:
    """The ``width`` JSON values a cursor carries; :class:`BadCursorError` for anything else."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):  # UnicodeDecodeError and JSONDecodeError among them
        raise BadCursorError(cursor) from None
    if not isinstance(values, list) or len(values) != width:
        raise BadCursorError(cursor)
    return values


def row_id(value: object, *, smallest: int = 1) -> int:
    """A row id of a cursor: an int (not a bool) from ``smallest`` up to 2**31 - 1 (the int4
    range PostgreSQL keys take)."""
    if not isinstance(value, int) or isinstance(value, bool) or not smallest <= value < 2**31:
        raise BadCursorError(repr(value))
    return value


def aware_moment(value: object) -> datetime:
    """An aware moment of a cursor, given as its ISO 8601 text."""
    if not isinstance(value, str) or len(value) > MAX_MOMENT_CHARS:
        raise BadCursorError(repr(value))
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise BadCursorError(value) from None
    if at.tzinfo is None:
        raise BadCursorError(value)
    return at


def id_key(cursor: str, *, smallest: int = 1) -> int:
    """The last id a cursor of a list in id order carries."""
    (last_id,) = decode_cursor(cursor, 1)
    return row_id(last_id, smallest=smallest)


def time_key(cursor: str, *, smallest: int = 1) -> tuple[datetime, int]:
    """The last (aware moment, id) a cursor of a list newest first by both carries."""
    moment, last_id = decode_cursor(cursor, 2)
    return aware_moment(moment), row_id(last_id, smallest=smallest)


def next_url(url: str, query: Query, values: Sequence[object], limit: int) -> str:
    """The URL of the page after the item whose key is ``values``; ``query`` the request's
    other parameters, kept."""
    params = [*query, ("cursor", encode_cursor(values)), ("limit", str(limit))]
    return f"{url}?{urlencode(params)}"


def answer(
    response: Response, items: Sequence[T], limit: int, next_after: Callable[[int], str]
) -> list[T]:
    """The page of ``items`` (fetched with ``limit + 1``): the first ``limit`` of them and, when
    there is more, ``Link: <next_after(limit - 1)>; rel="next"`` on ``response`` (the argument:
    the index of the last item given)."""
    if len(items) <= limit:
        return list(items)
    response.headers["Link"] = f'<{next_after(limit - 1)}>; rel="next"'
    return list(items[:limit])


def other_params(request: Request) -> Query:
    """The request's query parameters but ``limit`` and ``cursor`` (the next link keeps them)."""
    return tuple(
        (name, value)
        for name, value in request.query_params.multi_items()
        if name not in ("limit", "cursor")
    )


@dataclass(frozen=True, slots=True)
class Page:
    """One page asked for: its limit, the cursor (``None``: from the start), the request's path
    and other query parameters. A service subclasses it to read the cursor as its lists need,
    raising its own error for a :class:`BadCursorError`."""

    limit: int
    cursor: str | None
    url: str
    query: Query = ()

    def next_link(self, items: Sequence[T], key: Callable[[T], Sequence[object]]) -> str | None:
        """The URL of the next page, when ``items`` (fetched with ``limit + 1``) has more."""
        if len(items) <= self.limit:
            return None
        return next_url(self.url, self.query, key(items[self.limit - 1]), self.limit)

    def answer(
        self, response: Response, items: Sequence[T], key: Callable[[T], Sequence[object]]
    ) -> list[T]:
        """The page of ``items``, the ``Link`` to the next page set on ``response``."""
        return answer(
            response,
            items,
            self.limit,
            lambda last: next_url(self.url, self.query, key(items[last]), self.limit),
        )
