"""Tables of the archive: a case's archive volume (its arrangement, then its package), the fixity
checks of the packages, and borrowing requests (调阅)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from dossier.models import Base

__all__ = ["ArchiveBorrowing", "ArchiveFixity", "ArchiveVolume"]


class ArchiveVolume(Base):
    """A closed case's archive volume: arranged (and re-arranged) by the clerk, then submitted
    once (``archive_number`` and the package then never change)."""

    __tablename__ = "dossier_archive_volumes"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dossier_cases.id"), unique=True)
    material_ids: Mapped[list[int]] = mapped_column(JSON)
    """The main volume's materials in volume order (item 1 first)."""
    arranged_at: Mapped[datetime]
    arranged_by_id: Mapped[int]
    arranged_by_name: Mapped[str] = mapped_column(String(200))
    retention: Mapped[str] = mapped_column(String(8))
    """``Y``, ``D30``, ``D10`` (``dossier/data/archive_rules.toml``)."""
    archive_number: Mapped[str | None] = mapped_column(String(64), unique=True)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None]
    submitted_by_name: Mapped[str | None] = mapped_column(String(200))
    package_dir: Mapped[str | None] = mapped_column(String(300))
    """The bag's directory, relative to the dossier's files directory."""
    evolume_sha256: Mapped[str | None] = mapped_column(String(64))
    page_count: Mapped[int | None]
    item_count: Mapped[int | None]


class ArchiveFixity(Base):
    """One package's fixity check: ``problems`` empty when every file still has its digests."""

    __tablename__ = "dossier_archive_fixity"
    id: Mapped[int] = mapped_column(primary_key=True)
    volume_id: Mapped[int] = mapped_column(ForeignKey("dossier_archive_volumes.id"), index=True)
    court_id: Mapped[int] = mapped_column(index=True)
    archive_number: Mapped[str] = mapped_column(String(64))
    checked_at: Mapped[datetime] = mapped_column(index=True)
    ok: Mapped[bool]
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """``[{"path": "data/evolume.pdf", "problem": "sha256 differs"}, …]``."""


class ArchiveBorrowing(Base):
    """A staff member's request to read an archived case (调阅), and the administrator's answer."""

    __tablename__ = "dossier_archive_borrowings"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dossier_cases.id"), index=True)
    court_id: Mapped[int] = mapped_column(index=True)
    user_id: Mapped[int] = mapped_column(index=True)
    user_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(500))
    days: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    """``requested``, ``approved``, ``refused``."""
    requested_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None]
    decided_by_name: Mapped[str | None] = mapped_column(String(200))
    ends_on: Mapped[date | None]
    """The last Beijing date of an approved borrowing (inclusive)."""
