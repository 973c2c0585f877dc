"""Request and answer bodies of the register's routes (pydantic only at this edge)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from dossier.schemas import CaseOut
from tingshen_platform.bounded import CourtDate, Name, Note

__all__ = [
    "CaseRowOut",
    "CaseSummaryOut",
    "CloseIn",
    "CourtDate",
    "HearingOut",
    "PartyRowOut",
    "TimeLimitEventIn",
    "TimeLimitEventOut",
    "TimeLimitOut",
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CloseIn(_In):
    outcome: Annotated[str, Field(min_length=1, max_length=32)]
    """A code of ``dossier/data/outcomes.json`` (``judgment``, ``mediation`` …)."""
    closed_on: CourtDate


class TimeLimitEventIn(_In):
    kind: Literal["extension", "suspension", "resumption"]
    months: Annotated[int, Field(ge=1, le=24)] | None = None
    approver: Literal["president", "higher_court"] | None = None
    approved_by_name: Name | None = None
    ground: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    on_date: CourtDate | None = None
    until: CourtDate | None = None
    reason: Note | None = None


class CaseRowOut(BaseModel):
    id: int
    case_number: str
    cause_name: str
    procedure: str | None
    judge_name: str | None
    status: str
    filed_on: date
    closed_on: date | None
    parties: list[str]
    """The parties' names (plaintiffs first), for the list's one line."""


class PartyRowOut(BaseModel):
    party_ref: str
    role: str
    kind: str
    name: str
    id_number_masked: str | None
    credit_code: str | None
    represents_ref: str | None


class HearingOut(BaseModel):
    hearing_id: int
    status: str
    scheduled_at: datetime
    duration_minutes: int
    place: str
    record_signed_at: datetime | None = None
    """When its record was signed and sealed (``transcript.signed``); ``None``: not yet."""


class TimeLimitOut(BaseModel):
    procedure: str
    procedure_name: str
    article: str
    source: str
    base_due_on: date
    due_on: date
    extended_months: int
    suspended_days: int
    days_left: int
    state: str


class TimeLimitEventOut(BaseModel):
    id: int
    kind: str
    months: int | None
    approver: str | None
    approved_by_name: str | None
    ground: str | None
    on_date: date | None
    until: date | None
    reason: str | None
    recorded_at: datetime
    recorded_by_name: str


class CaseSummaryOut(BaseModel):
    """The case page: what the caller may see of the case (a party: the case and its
    hearings; staff also the parties' masked ID numbers and the time limit)."""

    viewer: Literal["staff", "party"]
    case: CaseOut
    outcome: str | None
    outcome_name: str | None
    parties: list[PartyRowOut]
    hearings: list[HearingOut]
    time_limit: TimeLimitOut | None
    time_limit_events: list[TimeLimitEventOut]
    may_close: bool
    may_record_time_limit: bool
    may_read_dossier: bool
    may_read_audit: bool
    """The case's audit trail (/dossier/audit.html): the court's administrators and its judge."""
