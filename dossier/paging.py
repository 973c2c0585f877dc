"""Keyset (cursor) paging of the dossier's lists, in the project's style (``?limit=``,
``?cursor=``, a ``Link: <…>; rel="next"`` header while there is more; the cursor is base64url of
the JSON of the last item's sort key): :class:`DatePage` for lists sorted newest first by a date and
an id, :class:`TimePage` newest first by a moment (an aware datetime) and an id (the audit trail),
:class:`IdPage` for lists sorted by id alone (either direction).

The hearing server has its own (``hearing_server.paging``), which the dossier may not import;
this is the small part the register needs: a key of a date and an id, in descending order.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Query, Request, Response

from dossier.errors import InvalidInputError

__all__ = [
    "MAX_LIMIT",
    "DatePage",
    "DatePageDep",
    "IdPage",
    "IdPageDep",
    "TimePage",
    "TimePageDep",
    "decode_key",
    "decode_time_key",
    "encode_key",
]

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_CURSOR_CHARS = 100

T = TypeVar("T")
Key = tuple[date, int]
TimeKey = tuple[datetime, int]


def _encode(values: list[object]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _values(cursor: str, count: int) -> list[object]:
    """The ``count`` values a cursor carries (base64url of a JSON list); :class:`ValueError`
    (or a decoding error) for anything else."""
    values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    if not isinstance(values, list) or len(values) != count:
        raise ValueError
    return values


def _row_id(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**31:
        raise ValueError
    return value


def _next_link(
    url: str, query: tuple[tuple[str, str], ...], values: list[object], limit: int
) -> str:
    params = [*query, ("cursor", _encode(values)), ("limit", str(limit))]
    return f'<{url}?{urlencode(params)}>; rel="next"'


def _others(request: Request) -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, value)
        for name, value in request.query_params.multi_items()
        if name not in ("limit", "cursor")
    )


def encode_key(key: Key) -> str:
    return _encode([key[0].isoformat(), key[1]])


def decode_key(cursor: str) -> Key:
    """The key a cursor carries; ``dossier_bad_cursor`` (422) for anything else."""
    try:
        day, last_id = _values(cursor, 2)
        if not isinstance(day, str):
            raise ValueError
        return date.fromisoformat(day), _row_id(last_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInputError.because("dossier_bad_cursor") from None


@dataclass(frozen=True, slots=True)
class DatePage:
    limit: int
    after: Key | None
    url: str
    query: tuple[tuple[str, str], ...]

    def answer(self, response: Response, rows: Sequence[T], keys: Sequence[Key]) -> list[T]:
        """The page of ``rows`` (fetched with one more than :attr:`limit`; ``keys`` theirs),
        with the ``Link`` to the next page when there is one."""
        if len(rows) <= self.limit:
            return list(rows)
        day, last_id = keys[self.limit - 1]
        link = _next_link(self.url, self.query, [day.isoformat(), last_id], self.limit)
        response.headers["Link"] = link
        return list(rows[: self.limit])


def date_page(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=MAX_CURSOR_CHARS)] = None,
) -> DatePage:
    after = None if cursor is None else decode_key(cursor)
    return DatePage(limit, after, request.url.path, _others(request))


DatePageDep = Annotated[DatePage, Depends(date_page)]


def decode_id(cursor: str) -> int:
    """The id an :class:`IdPage` cursor carries; ``dossier_bad_cursor`` (422) for anything else."""
    try:
        (last_id,) = _values(cursor, 1)
        return _row_id(last_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInputError.because("dossier_bad_cursor") from None


@dataclass(frozen=True, slots=True)
class IdPage:
    """A page of a list in id order: fetch ``limit + 1`` rows past :attr:`after` (``id >`` it
    ascending, ``id <`` it descending), then :meth:`answer`."""

    limit: int
    after: int | None
    url: str
    query: tuple[tuple[str, str], ...]

    def answer(self, response: Response, rows: Sequence[T], ids: Sequence[int]) -> list[T]:
        if len(rows) <= self.limit:
            return list(rows)
        response.headers["Link"] = _next_link(
            self.url, self.query, [ids[self.limit - 1]], self.limit
        )
        return list(rows[: self.limit])


def id_page(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=MAX_CURSOR_CHARS)] = None,
) -> IdPage:
    after = None if cursor is None else decode_id(cursor)
    return IdPage(limit, after, request.url.path, _others(request))


IdPageDep = Annotated[IdPage, Depends(id_page)]


def decode_time_key(cursor: str) -> TimeKey:
    """The key a :class:`TimePage` cursor carries (an aware datetime and an id);
    ``dossier_bad_cursor`` (422) for anything else."""
    try:
        moment, last_id = _values(cursor, 2)
        if not isinstance(moment, str):
            raise ValueError
        at = datetime.fromisoformat(moment)
        if at.tzinfo is None:
            raise ValueError
        return at, _row_id(last_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInputError.because("dossier_bad_cursor") from None


@dataclass(frozen=True, slots=True)
class TimePage:
    """A page of a list newest first by a moment and an id: fetch ``limit + 1`` rows whose
    ``(moment, id)`` is below :attr:`after`, ordered by both descending, then :meth:`answer`."""

    limit: int
    after: TimeKey | None
    url: str
    query: tuple[tuple[str, str], ...]

    def answer(self, response: Response, rows: Sequence[T], keys: Sequence[TimeKey]) -> list[T]:
        if len(rows) <= self.limit:
            return list(rows)
        at, last_id = keys[self.limit - 1]
        link = _next_link(self.url, self.query, [at.isoformat(), last_id], self.limit)
        response.headers["Link"] = link
        return list(rows[: self.limit])


def time_page(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=MAX_CURSOR_CHARS)] = None,
) -> TimePage:
    after = None if cursor is None else decode_time_key(cursor)
    return TimePage(limit, after, request.url.path, _others(request))


TimePageDep = Annotated[TimePage, Depends(time_page)]
