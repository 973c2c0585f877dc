"""The address service's tables (own metadata, own Alembic version table
``alembic_version_addresses``).

Cases and their parties as filed (``case.filed``); look-ups (who asked, for which party, why,
when; the ID number only as a keyed hash and its last four characters); each agency's outcome of
a look-up; the ranked addresses found; and the audit trail.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tingshen_platform.sqltypes import UTCDateTime

__all__ = [
    "AddressAudit",
    "AddressCase",
    "AddressLookup",
    "AddressParty",
    "AddressResult",
    "AddressSource",
    "Base",
]


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class AddressCase(Base):
    __tablename__ = "address_cases"
    dossier_case_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    court_id: Mapped[int] = mapped_column(index=True)
    case_number: Mapped[str] = mapped_column(String(100), index=True)
    cause_of_action: Mapped[str] = mapped_column(String(200))
    judge_user_id: Mapped[int | None]
    clerk_user_id: Mapped[int | None]
    filed_on: Mapped[date]
    closed_on: Mapped[date | None]


class AddressParty(Base):
    __tablename__ = "address_parties"
    __table_args__ = (UniqueConstraint("dossier_case_id", "party_ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_case_id: Mapped[int] = mapped_column(
        ForeignKey("address_cases.dossier_case_id"), index=True
    )
    party_ref: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    id_hash: Mapped[str | None] = mapped_column(String(64))
    """The ID number the filing recorded, hashed as a look-up's (``None``: none recorded)."""
    id_tail: Mapped[str | None] = mapped_column(String(4))


class AddressLookup(Base):
    __tablename__ = "address_lookups"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_case_id: Mapped[int] = mapped_column(
        ForeignKey("address_cases.dossier_case_id"), index=True
    )
    party_ref: Mapped[str] = mapped_column(String(32))
    party_name: Mapped[str] = mapped_column(String(200))
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_tail: Mapped[str] = mapped_column(String(4))
    reason: Mapped[str] = mapped_column(String(500))
    requested_by_id: Mapped[int]
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_role: Mapped[str] = mapped_column(String(32))
    requested_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    """``running`` (asked, answers awaited), ``done`` (every agency answered), ``partial`` (some
    did not), ``failed`` (none did)."""
    finished_at: Mapped[datetime | None]


class AddressSource(Base):
    """One agency's outcome of one look-up."""

    __tablename__ = "address_sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    lookup_id: Mapped[int] = mapped_column(ForeignKey("address_lookups.id"), index=True)
    source: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(300))
    took_ms: Mapped[int]
    records: Mapped[int]


class AddressResult(Base):
    """One merged address of a look-up, in rank order."""

    __tablename__ = "address_results"
    __table_args__ = (UniqueConstraint("lookup_id", "rank"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lookup_id: Mapped[int] = mapped_column(ForeignKey("address_lookups.id"), index=True)
    rank: Mapped[int]
    address: Mapped[str] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(6))
    score: Mapped[int]
    latest_on: Mapped[date]
    records: Mapped[list[Any]]
    """``[{"source", "kind", "observed_on", "address"}]``: every agency's record merged here."""


class AddressAudit(Base):
    """Every look-up, its outcome and every use of an address, in the transaction that makes it."""

    __tablename__ = "address_audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    dossier_case_id: Mapped[int] = mapped_column(index=True)
    lookup_id: Mapped[int | None] = mapped_column(index=True)
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any] | None]
