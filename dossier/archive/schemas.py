"""Request and answer bodies of the archive's routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from tingshen_platform.bounded import Id, Note

__all__ = [
    "ArchiveItemOut",
    "ArchiveOut",
    "ArrangementIn",
    "BorrowingIn",
    "BorrowingOut",
    "DecisionIn",
    "FixityOut",
    "FixityRowOut",
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArrangementIn(_In):
    material_ids: Annotated[list[Id], Field(max_length=2000)] | None = None
    """The main volume's materials in order, each once; absent: the default order."""


class BorrowingIn(_In):
    reason: Note
    days: Annotated[int, Field(ge=1, le=90)]


class DecisionIn(_In):
    approve: bool


class ArchiveItemOut(BaseModel):
    material_id: int
    title: str
    material_type: str
    author: str
    added_on: date
    item_number: int | None
    """None: no PDF yet (it cannot be archived until it has one)."""
    first_page: int | None
    last_page: int | None


class ArchiveOut(BaseModel):
    case_id: int
    case_number: str
    court_name: str
    cause_name: str
    status: str
    arranged: bool
    arranged_by: str | None
    arranged_at: datetime | None
    retention: str
    retention_label: str
    archive_number: str | None
    submitted_by: str | None
    submitted_at: datetime | None
    page_count: int | None
    evolume_sha256: str | None
    may_arrange: bool
    may_read: bool
    borrowing_ends_on: date | None
    items: list[ArchiveItemOut]


class BorrowingOut(BaseModel):
    id: int
    case_id: int
    case_number: str
    user_name: str
    user_role: str | None
    """The borrower's role when they asked (``judge`` …), from the request's audit row."""
    reason: str
    days: int
    status: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    ends_on: date | None
    active: bool


class FixityRowOut(BaseModel):
    archive_number: str
    case_id: int
    case_number: str
    checked_at: datetime
    ok: bool
    problems: list[dict[str, Any]]


class FixityOut(BaseModel):
    packages: int
    """Packages checked (of the court, or of the case asked for)."""
    failures: int
    """Of those, how many failed their latest check."""
    unchecked: int
    """Packages submitted and never checked yet."""
    last_checked_at: datetime | None
    """The latest check of any of them (``None``: never)."""
    interval_hours: float
    """How often the scheduled round checks every package."""
    latest: list[FixityRowOut]
    """The latest check of every package (only the failing ones when asked), failures first."""
