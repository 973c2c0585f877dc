"""Request and answer bodies of publishing, grants, review comments and the audit trail."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from tingshen_platform.bounded import MAX_YEAR, MIN_YEAR, Id, Text

__all__ = [
    "AuditEntryOut",
    "AuditFactOut",
    "CommentIn",
    "CommentOut",
    "CourtDate",
    "GrantIn",
    "GrantOut",
    "MyCaseOut",
    "MyMaterialOut",
    "PublicationOut",
    "PublicationsIn",
    "PublishingOut",
    "ReviewOut",
]


def _court_years(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise PydanticCustomError(
            "date_out_of_range",
            "must be between the years {low} and {high}",
            {"low": MIN_YEAR, "high": MAX_YEAR},
        )
    return value


def _date_only(value: object) -> object:
    """A date is written ``YYYY-MM-DD`` (not a datetime that happens to be midnight)."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise PydanticCustomError("date_format", "must be a date written YYYY-MM-DD", {})
    return value


CourtDate = Annotated[
    date,
    BeforeValidator(_date_only),
    AfterValidator(_court_years),
    WithJsonSchema({"type": "string", "format": "date", "maxLength": 10}),
]
"""A calendar date (``2026-12-31``) between :data:`MIN_YEAR` and :data:`MAX_YEAR`."""
PartyRef = Annotated[str, StringConstraints(pattern=r"^p-[0-9]{1,10}$", max_length=12)]
"""A dossier party of the case (``p-<id>``, as the case's page lists them)."""


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PublicationsIn(_In):
    material_ids: list[Id] = Field(min_length=1, max_length=200)
    party_refs: list[PartyRef] = Field(min_length=1, max_length=50)


class PublicationOut(BaseModel):
    id: int
    material_id: int
    material_title: str
    material_type: str
    version: int
    party_ref: str
    party_name: str
    party_role: str
    published_at: datetime
    published_by_name: str
    withdrawn_at: datetime | None
    withdrawn_by_name: str | None


class PublishingOut(BaseModel):
    """What the judge's page shows: what may be published, to whom, and what was."""

    case_id: int
    case_number: str
    may_publish: bool
    materials: list[dict[str, Any]]
    """The main volume: ``id``, ``title``, ``material_type``, ``current_version``,
    ``created_at``."""
    parties: list[dict[str, Any]]
    """``party_ref``, ``role``, ``name``."""
    publications: list[PublicationOut]


class MyCaseOut(BaseModel):
    id: int
    case_number: str
    court_name: str
    cause_name: str
    status: str
    published_count: int
    party_role: str
    """Who is asking, as the hearing server knows them: their role (``plaintiff`` …)."""
    party_name: str
    """… and their name, shown with the role (原告 陈明)."""
    hearing_id: int
    """The hearing their session belongs to: the page links back to its record (/sign/<id>)."""


class MyMaterialOut(BaseModel):
    id: int
    title: str
    material_type: str
    version: int
    filename: str
    size_bytes: int
    sha256: str
    page_count: int | None
    published_at: datetime
    download_url: str


class GrantIn(_In):
    user_id: Id
    purpose: Literal["read", "review"]
    review_body: Literal["collegial_panel", "committee"] | None = None
    ends_on: CourtDate
    """The last day (Beijing date) the grant holds."""


class GrantOut(BaseModel):
    id: int
    user_id: int
    user_name: str
    purpose: str
    review_body: str | None
    ends_on: date
    granted_by_name: str
    granted_at: datetime
    revoked_at: datetime | None
    active: bool


class CommentIn(_In):
    body: Text
    page: int | None = Field(default=None, ge=1, le=100_000)
    corrects_id: Id | None = None


class CommentOut(BaseModel):
    id: int
    material_id: int
    version: int
    page: int | None
    body: str
    corrects_id: int | None
    author_name: str
    author_role: str
    review_body: str | None
    created_at: datetime


class ReviewOut(BaseModel):
    """A material under review and its comments, oldest first."""

    material_id: int
    material_title: str
    version: int
    page_count: int | None
    case_id: int
    case_number: str
    court_name: str
    comments: list[CommentOut]


class AuditFactOut(BaseModel):
    """One detail of an audit row (:class:`dossier.audit_trail.Fact`)."""

    key: str
    value: str
    kind: Literal["text", "code", "date", "person"]
    role: str | None


class AuditEntryOut(BaseModel):
    """A row of a case's audit trail as people read it: who by role and name (never an id), the
    material by its title, the details as labelled facts."""

    at: datetime
    actor_kind: str
    actor_role: str | None
    actor_name: str
    action: str
    material_title: str | None
    details: list[AuditFactOut]
