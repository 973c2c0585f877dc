"""Keyset (cursor) paging of the dossier's lists, on ``tingshen_platform.paging`` (``?limit=``,
``?cursor=``, a ``Link: <…>; rel="next"`` header while there is more; the cursor is base64url of
the JSON of the last item's sort key): :class:`DatePage` for lists sorted newest first by a date and
an id, :class:`TimePage` newest first by a moment (an aware datetime) and an id (the audit trail),
:class:`IdPage` for lists sorted by id alone (either direction).

Each page's cursor is read when the request is (a cursor not ours: 422 ``dossier_bad_cursor``,
before the route runs), so a route sees :attr:`after` as a key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Request, Response

from dossier.errors import InvalidInputError
from tingshen_platform import paging
from tingshen_platform.paging import DEFAULT_LIMIT, BadCursorError

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

MAX_LIMIT = 100
MAX_CURSOR_CHARS = 100

T = TypeVar("T")
Key = tuple[date, int]
TimeKey = tuple[datetime, int]
Params = tuple[tuple[str, str], ...]


@contextmanager
def _refusing() -> Iterator[None]:
    """A :class:`~tingshen_platform.paging.BadCursorError` as ``dossier_bad_cursor`` (422)."""
    try:
        yield
    except BadCursorError:
        raise InvalidInputError.because("dossier_bad_cursor") from None


def _answer(
    response: Response, rows: Sequence[T], limit: int, url: str, query: Params,
    values: Callable[[int], list[object]],
) -> list[T]:  # fmt: skip
    return paging.answer(
        response, rows, limit, lambda last: paging.next_url(url, query, values(last), limit)
    )


def encode_key(key: Key) -> str:
    return paging.encode_cursor([key[0].isoformat(), key[1]])


def decode_key(cursor: str) -> Key:
    """The key a cursor carries; ``dossier_bad_cursor`` (422) for anything else."""
    with _refusing():
        day, last_id = paging.decode_cursor(cursor, 2)
        if not isinstance(day, str):
            raise BadCursorError(cursor)
        try:
            return date.fromisoformat(day), paging.row_id(last_id, smallest=0)
        except ValueError:
            raise BadCursorError(cursor) from None


@dataclass(frozen=True, slots=True)
class DatePage:
    limit: int
    after: Key | None
    url: str
    query: Params

    def answer(self, response: Response, rows: Sequence[T], keys: Sequence[Key]) -> list[T]:
        """The page of ``rows`` (fetched with one more than :attr:`limit`; ``keys`` theirs),
        with the ``Link`` to the next page when there is one."""
        return _answer(
            response, rows, self.limit, self.url, self.query,
            lambda last: [keys[last][0].isoformat(), keys[last][1]],
        )  # fmt: skip


def date_page(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=MAX_CURSOR_CHARS)] = None,
) -> DatePage:
    after = None if cursor is None else decode_key(cursor)
    return DatePage(limit, after, request.url.path, paging.other_params(request))


DatePageDep = Annotated[DatePage, Depends(date_page)]


def decode_id(cursor: str) -> int:
    """The id an :class:`IdPage` cursor carries; ``dossier_bad_cursor`` (422) for anything else."""
    with _refusing():
        return paging.id_key(cursor, smallest=0)


@dataclass(frozen=True, slots=True)
class IdPage:
    """A page of a list in id order: fetch ``limit + 1`` rows past :attr:`after` (``id >`` it
    ascending, ``id <`` it descending), then :meth:`answer`."""

    limit: int
    after: int | None
    url: str
    query: Params

    def answer(self, response: Response, rows: Sequence[T], ids: Sequence[int]) -> list[T]:
        return _answer(response, rows, self.limit, self.url, self.query, lambda last: [ids[last]])


def id_page(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=MAX_CURSOR_CHARS)] = None,
) -> IdPage:
    after = None if cursor is None else decode_id(cursor)
    return IdPage(limit, after, request.url.path, paging.other_params(request))


IdPageDep = Annotated[IdPage, Depends(id_page)]


def decode_time_key(cursor: str) -> TimeKey:
    """The key a :class:`TimePage` cursor carries (an aware datetime and an id);
    ``dossier_bad_cursor`` (422) for anything else."""
    with _refusing():
        return paging.time_key(cursor, smallest=0)


@dataclass(frozen=True, slots=True)
class TimePage:
    """A page of a list newest first by a moment and an id: fetch ``limit + 1`` rows whose
    ``(moment, id)`` is below :attr:`after`, ordered by both descending, then :meth:`answer`."""

    limit: int
    after: TimeKey | None
    url: str
    query: Params

    def answer(self, response: Response, rows: Sequence[T], keys: Sequence[TimeKey]) -> list[T]:
        return _answer(
            response, rows, self.limit, self.url, self.query,
            lambda last: [keys[last][0].isoformat(), keys[last][1]],
        )  # fmt: skip


def time_page(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=MAX_CURSOR_CHARS)] = None,
) -> TimePage:
    after = None if cursor is None else decode_time_key(cursor)
    return TimePage(limit, after, request.url.path, paging.other_params(request))


TimePageDep = Annotated[TimePage, Depends(time_page)]
