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


def _next_link(
    url: str, query: tuple[tuple[str, str], ...], values: list[object], limit: int
) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    cursor = base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
    params = [*query, ("cursor", cursor), ("limit", str(limit))]
    return f'<{url}?{urlencode(params)}>; rel="next"'


def _others(request: Request) -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, value)
        for name, value in request.query_params.multi_items()
        if name not in ("limit", "cursor")
    )


def encode_key(key: Key) -> str:
    raw = json.dumps([key[0].isoformat(), key[1]], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_key(cursor: str) -> Key:
    """The key a cursor carries; ``dossier_bad_cursor`` (422) for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != 2:
            raise ValueError
        day, last_id = values
        if not isinstance(day, str) or not isinstance(last_id, int) or isinstance(last_id, bool):
            raise ValueError
        if not 0 <= last_id < 2**31:
            raise ValueError
        return date.fromisoformat(day), last_id
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
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != 1:
            raise ValueError
        (last_id,) = values
        if not isinstance(last_id, int) or isinstance(last_id, bool) or not 0 <= last_id < 2**31:
            raise ValueError
        return last_id
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
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != 2:
            raise ValueError
        moment, last_id = values
        if not isinstance(moment, str) or not isinstance(last_id, int) or isinstance(last_id, bool):
            raise ValueError
        if not 0 <= last_id < 2**31:
            raise ValueError
        at = datetime.fromisoformat(moment)
        if at.tzinfo is None:
            raise ValueError
        return at, last_id
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
