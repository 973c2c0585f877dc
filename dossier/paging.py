"""Keyset (cursor) paging of the dossier's lists, in the project's style (``?limit=``,
``?cursor=``, a ``Link: <…>; rel="next"`` header while there is more; the cursor is base64url of
the JSON of the last item's sort key): :class:`DatePage` for lists sorted newest first by a date and
an id, :class:`IdPage` for lists sorted by id alone (either direction).

The hearing server has its own (``hearing_server.paging``), which the dossier may not import;
this is the small part the register needs: a key of a date and an id, in descending order.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
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
    "decode_key",
    "encode_key",
]

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_CURSOR_CHARS = 100

T = TypeVar("T")
Key = tuple[date, int]


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
        params = [*self.query, ("cursor", encode_key(keys[self.limit - 1]))]
        params.append(("limit", str(self.limit)))
        response.headers["Link"] = f'<{self.url}?{urlencode(params)}>; rel="next"'
        return list(rows[: self.limit])


def date_page(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=MAX_CURSOR_CHARS)] = None,
) -> DatePage:
    others = tuple(
        (name, value)
        for name, value in request.query_params.multi_items()
        if name not in ("limit", "cursor")
    )
    after = None if cursor is None else decode_key(cursor)
    return DatePage(limit, after, request.url.path, others)


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
        raw = json.dumps([ids[self.limit - 1]]).encode()
        cursor = base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
        params = [*self.query, ("cursor", cursor), ("limit", str(self.limit))]
        response.headers["Link"] = f'<{self.url}?{urlencode(params)}>; rel="next"'
        return list(rows[: self.limit])


def id_page(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=MAX_CURSOR_CHARS)] = None,
) -> IdPage:
    others = tuple(
        (name, value)
        for name, value in request.query_params.multi_items()
        if name not in ("limit", "cursor")
    )
    after = None if cursor is None else decode_id(cursor)
    return IdPage(limit, after, request.url.path, others)


IdPageDep = Annotated[IdPage, Depends(id_page)]
