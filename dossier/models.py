"""The dossier service's core tables: the case register (立案 and what follows), its parties, and
the audit trail of everything done to a case's records. The parts of the service add their own
tables in their own modules on the same :class:`Base` (materials, grants, the archive …)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tingshen_platform.sqltypes import UTCDateTime

__all__ = ["AuditRow", "Base", "DossierCase", "DossierGrant", "DossierParty", "UTCDateTime"]


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class DossierCase(Base):
    """A case of the court: filed here (``source`` ``filed``) or entered in the hearing server
    before filing existed (``imported``, from its ``case.created`` event)."""

    __tablename__ = "dossier_cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    court_id: Mapped[int] = mapped_column(index=True)
    court_name: Mapped[str] = mapped_column(String(200))
    case_number: Mapped[str] = mapped_column(String(100), unique=True)
    year: Mapped[int | None]
    type_code: Mapped[str | None] = mapped_column(String(16))
    """``民初``, ``民终``, ``执`` … (see the case-number rules)."""
    sequence: Mapped[int | None]
    cause_code: Mapped[str | None] = mapped_column(String(32), index=True)
    cause_name: Mapped[str] = mapped_column(String(200))
    procedure: Mapped[str | None] = mapped_column(String(16))
    """``ordinary`` (普通), ``simplified`` (简易), ``small_claims`` (小额)."""
    claim_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    judge_user_id: Mapped[int | None] = mapped_column(index=True)
    judge_name: Mapped[str | None] = mapped_column(String(200))
    clerk_user_id: Mapped[int | None] = mapped_column(index=True)
    clerk_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    """``open``, ``closed``, ``archived``."""
    source: Mapped[str] = mapped_column(String(16), default="filed")
    filed_on: Mapped[date] = mapped_column(index=True)
    filed_at: Mapped[datetime]
    filed_by_user_id: Mapped[int | None]
    filed_by_name: Mapped[str | None] = mapped_column(String(200))
    closed_on: Mapped[date | None] = mapped_column(index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    hearing_case_id: Mapped[int | None] = mapped_column(index=True)
    """The hearing server's id of this case (from its ``case.created``), once it has it."""


class DossierParty(Base):
    __tablename__ = "dossier_parties"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dossier_cases.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    """``plaintiff``, ``defendant``, ``third_party``, ``agent``."""
    kind: Mapped[str] = mapped_column(String(16))
    """``person``, ``organisation``, ``lawyer``."""
    name: Mapped[str] = mapped_column(String(200), index=True)
    id_number: Mapped[str | None] = mapped_column(String(18))
    """A natural person's resident ID number (GB 11643)."""
    credit_code: Mapped[str | None] = mapped_column(String(18))
    """An organisation's unified social credit code (GB 32100)."""
    licence_number: Mapped[str | None] = mapped_column(String(32))
    """A lawyer's practising certificate number."""
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(300))
    represents_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_parties.id"))

    @property
    def party_ref(self) -> str:
        return f"p-{self.id}"


class DossierGrant(Base):
    """An administrator's grant to a staff member to read a case's dossier (and, for a review
    body, to comment on its materials) until ``ends_on`` (inclusive)."""

    __tablename__ = "dossier_grants"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dossier_cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(index=True)
    user_name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(16))
    """``read`` (阅卷) or ``review`` (评卷: comments allowed)."""
    review_body: Mapped[str | None] = mapped_column(String(16))
    """``collegial_panel`` (合议庭) or ``committee`` (审判委员会) for a review."""
    ends_on: Mapped[date]
    granted_by_id: Mapped[int]
    granted_by_name: Mapped[str] = mapped_column(String(200))
    granted_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class AuditRow(Base):
    """Every state change of a case's records, and every view and download of a material."""

    __tablename__ = "dossier_audit"
    __table_args__ = (Index("ix_dossier_audit_case_at", "case_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_kind: Mapped[str] = mapped_column(String(16))
    """``staff``, ``party`` or ``system``."""
    actor_id: Mapped[int | None]
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[int | None] = mapped_column(index=True)
    entity: Mapped[str | None] = mapped_column(String(32))
    entity_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text)
