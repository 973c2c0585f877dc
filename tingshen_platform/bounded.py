"""Bounded types for request fields: every id, number, date, string and list has a limit.

    class ParticipantIn(_In):
        display_name: Name                     # one line, 1-200 characters, no control characters
        staff_user_id: Id | None = None        # 1 .. 2**31-1 (the id columns' range)
        scheduled_at: CourtDatetime            # timezone-aware, years 1900-2200

A value outside its bound is a 422 naming the field (``hearing_server.errors`` maps the pydantic
error types used here to ``field_<problem>``). Without the bounds, an id beyond 32 bits reached
the database driver and a date near year 9999 overflowed in date arithmetic: both were 500s.

Free text from users refuses control characters and the invisible characters that reorder or
disguise text (bidirectional overrides and isolates, marks, byte-order mark, lone surrogates):
one of them in a name can make "张三" display as someone else in the clerk's editor or the
signed record. Multi-line text keeps newline and tab. :func:`control_characters` is the pure
check (``tingshen_platform.clean_text``, also used on the transcript's edits).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from tingshen_platform.clean_text import control_characters

MAX_ID = 2**31 - 1
"""The largest id a record has (32-bit, PostgreSQL's ``integer``)."""

__all__ = [
    "MAX_ID",
    "MAX_YEAR",
    "MIN_YEAR",
    "CourtDate",
    "CourtDatetime",
    "Id",
    "MultiLine",
    "Name",
    "Note",
    "SingleLine",
    "Text",
    "Version",
    "control_characters",
    "multi_line",
    "single_line",
]

MIN_YEAR = 1900
MAX_YEAR = 2200


def _refuse(text: str, multiline: bool) -> str:
    found = control_characters(text, multiline=multiline)
    if found:
        raise PydanticCustomError(
            "control_characters",
            "must not contain control or text-direction characters ({found})",
            {"found": ", ".join(found[:5])},
        )
    return text


def single_line(text: str) -> str:
    """Pydantic validator: ``text`` unchanged, or a ``control_characters`` error."""
    return _refuse(text, multiline=False)


def multi_line(text: str) -> str:
    """Pydantic validator: like :func:`single_line`, newlines and tabs allowed."""
    return _refuse(text, multiline=True)


def _court_years(value: datetime) -> datetime:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise PydanticCustomError(
            "datetime_out_of_range",
            "must be between the years {low} and {high}",
            {"low": MIN_YEAR, "high": MAX_YEAR},
        )
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A record's id (the id columns' range)."""
Version = Annotated[int, Field(ge=0, le=MAX_ID)]
"""A record's version counter (optimistic locking)."""
CourtDatetime = Annotated[AwareDatetime, AfterValidator(_court_years)]
"""A timezone-aware instant between :data:`MIN_YEAR` and :data:`MAX_YEAR`."""
CourtDate = Annotated[
    date,
    Field(ge=date(1900, 1, 1), le=date(2200, 12, 31)),
    WithJsonSchema({"type": "string", "format": "date", "maxLength": 10}),
]
"""A court date (Beijing), ``YYYY-MM-DD`` between the years 1900 and 2200."""


SingleLine = AfterValidator(single_line)
"""Marks a ``str`` as one line of free text: ``Annotated[str, Field(...), SingleLine]``."""
MultiLine = AfterValidator(multi_line)
"""Marks a ``str`` as multi-line free text (newlines and tabs kept)."""

_Stripped = StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
Name = Annotated[str, _Stripped, SingleLine]
"""A person's or a place's name, a title, a cause of action: one line, 1-200 characters."""
Note = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), MultiLine
]
"""A short reason or note (1-500 characters)."""
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), MultiLine
]
"""An objection, a correction, an erratum's reason (1-2000 characters)."""
