"""Every list the API answers is a page: one shape, one place.

    @router.get("/cases")
    def list_cases(page: PageDep, response: Response, ...) -> list[CaseOut]:
        rows = keyset(session, select(Case).where(...), (Case.id,), page)
        return [case_out(c) for c in page.answer(response, rows, key=lambda c: (c.id,))]

A list route takes ``?limit=`` (1..:data:`MAX_LIMIT`, default :data:`DEFAULT_LIMIT`) and
``?cursor=`` and answers a JSON array of at most ``limit`` items, in the list's own order. When
there is more, the answer has a ``Link: <...?cursor=…&limit=…>; rel="next"`` header (RFC 8288, as
GitHub's API): a page follows it until there is none (``web/static/paging.js``). The cursor is
the sort key of the last item given (opaque to clients: base64url of JSON), so the walk is
*keyset* paging: every item is seen exactly once even while the list grows, and each page is one
indexed query (:func:`keyset`), whatever the list's length. Lists computed in memory that are
small by nature (a hearing's jobs, notices, documents) are cut the same way (:func:`cut`), so a
client cannot tell the two apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request, Response
from sqlalchemy import ColumnElement, Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from hearing_server.errors import InvalidInputError
from tingshen_platform import paging
from tingshen_platform.paging import DEFAULT_LIMIT, BadCursorError

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "Page",
    "PageDep",
    "cut",
    "decode_cursor",
    "encode_cursor",
    "keyset",
]

MAX_LIMIT = 200
MAX_CURSOR_CHARS = 200

T = TypeVar("T")
Key = tuple[int | str | datetime, ...]


def _json_values(key: Sequence[object]) -> list[object]:
    """A key's values as the cursor's JSON carries them: a moment as ``{"t": its ISO text}``."""
    return [{"t": v.isoformat()} if isinstance(v, datetime) else v for v in key]


def encode_cursor(key: Key) -> str:
    return paging.encode_cursor(_json_values(key))


def _bad_cursor() -> InvalidInputError:
    return InvalidInputError.because("bad_cursor")


def decode_cursor(cursor: str, width: int) -> Key:
    """The key a cursor of this list carries; ``bad_cursor`` (422) for anything else."""
    try:
        values = paging.decode_cursor(cursor, width)
    except BadCursorError:
        raise _bad_cursor() from None
    key: list[int | str | datetime] = []
    for value in values:
        if isinstance(value, dict) and isinstance(value.get("t"), str):
            try:
                key.append(datetime.fromisoformat(value["t"]))
            except ValueError:
                raise _bad_cursor() from None
        elif (isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63) or (
            isinstance(value, str) and len(value) <= MAX_CURSOR_CHARS
        ):
            key.append(value)
        else:
            raise _bad_cursor()
    return tuple(key)


class Page(paging.Page):
    """A page asked for (``tingshen_platform.paging.Page``): its limit, cursor, the request's
    path and other query parameters (the next page's link keeps them); keys may hold moments."""

    __slots__ = ()

    def after(self, width: int) -> Key | None:
        return None if self.cursor is None else decode_cursor(self.cursor, width)

    def after_id(self) -> int:
        """The last id given, for a list in id order (0: from the start)."""
        after = self.after(1)
        if after is None:
            return 0
        if not isinstance(after[0], int):
            raise _bad_cursor()
        return after[0]

    def answer(
        self, response: Response, items: Sequence[T], key: Callable[[T], Sequence[object]]
    ) -> list[T]:
        """The page of ``items`` (fetched with one more than :attr:`limit`), the ``Link`` to the
        next page set on ``response`` when there is one."""
        return super().answer(response, items, lambda item: _json_values(key(item)))


def page_params(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=MAX_CURSOR_CHARS)] = None,
) -> Page:
    return Page(limit, cursor, request.url.path, paging.other_params(request))


PageDep = Annotated[Page, Depends(page_params)]

Column = InstrumentedAttribute[Any]


def keyset(session: Session, query: Select[T], columns: Sequence[Column], page: Page) -> list[T]:
    """One page of ``query`` in the order of ``columns`` (ascending; the last one unique): the
    rows after the cursor's key, one more than the limit (for :meth:`Page.answer`)."""
    after = page.after(len(columns))
    if after is not None:
        condition: ColumnElement[bool] = (
            columns[0] > after[0] if len(columns) == 1 else tuple_(*columns) > tuple_(*after)
        )
        query = query.where(condition)
    return list(session.scalars(query.order_by(*columns).limit(page.limit + 1)))


def cut(items: Sequence[T], key: Callable[[T], Key], page: Page) -> list[T]:
    """The same page of a list already in memory, sorted by ``key``."""
    if not items:
        return []
    after = page.after(len(key(items[0])))
    chosen = sorted(items, key=key)
    if after is not None:
        chosen = [item for item in chosen if key(item) > after]
    return chosen[: page.limit + 1]
