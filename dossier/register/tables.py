"""The register's own tables: the hearings of each case and their signed records (from the
hearing server's events) and the time-limit events recorded for a case (extensions,
suspensions and their ends)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from dossier.models import Base, DossierCase

__all__ = ["CASES_BY_COURT_AND_FILING", "DossierHearing", "DossierHearingRecord", "TimeLimitEvent"]

CASES_BY_COURT_AND_FILING = Index(
    "ix_dossier_cases_court_filed", DossierCase.court_id, DossierCase.filed_on, DossierCase.id
)
"""The case list's order within a court (newest filing first), for its pages (migration d0004)."""


class DossierHearing(Base):
    """A hearing as the hearing server last told of it (the highest ``version`` wins)."""

    __tablename__ = "dossier_hearings"
    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(unique=True)
    """The hearing server's id."""
    case_number: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(32))
    scheduled_at: Mapped[datetime]
    duration_minutes: Mapped[int]
    place: Mapped[str] = mapped_column(String(200))
    version: Mapped[int]
    updated_at: Mapped[datetime]


class DossierHearingRecord(Base):
    """A hearing's record as signed and sealed (``transcript.signed``): no ``hearing.*`` event
    says so, and the hearing's own row stays ``closed``. The highest ``revision`` wins."""

    __tablename__ = "dossier_hearing_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(unique=True)
    """The hearing server's id (a hearing's row may not have arrived yet: no foreign key)."""
    case_number: Mapped[str] = mapped_column(String(100), index=True)
    revision: Mapped[int]
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime]
    """When the court sealed it (the event's time)."""


class TimeLimitEvent(Base):
    """One recorded change of a case's time limit (append-only).

    - ``extension``: ``months`` approved by ``approver`` (``president`` / ``higher_court``),
      ``approved_by_name``, ``reason``;
    - ``suspension``: a period not counted from ``on_date`` (``ground`` from the data's list),
      ``until`` its end when known;
    - ``resumption``: the open suspension ends on ``on_date``.
    """

    __tablename__ = "dossier_time_limit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dossier_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    months: Mapped[int | None]
    approver: Mapped[str | None] = mapped_column(String(16))
    approved_by_name: Mapped[str | None] = mapped_column(String(200))
    ground: Mapped[str | None] = mapped_column(String(32))
    on_date: Mapped[date | None]
    until: Mapped[date | None]
    reason: Mapped[str | None] = mapped_column(String(500))
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int]
    recorded_by_name: Mapped[str] = mapped_column(String(200))
