"""Filing's tables: each court's code (法院代字) and the case-number sequences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from dossier.models import Base

__all__ = ["CaseSequence", "CourtCode"]


class CourtCode(Base):
    """A court's code in case numbers (``粤0104``), set by its administrator."""

    __tablename__ = "dossier_court_codes"
    court_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    small_claims_ceiling_fen: Mapped[int | None] = mapped_column(BigInteger)
    """50% of the province's previous-year average wage (民事诉讼法 第一百六十五条), as the
    administrator sets it each year; ``None``: no ceiling checked."""
    set_by_id: Mapped[int]
    set_by_name: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime]


class CaseSequence(Base):
    """The last sequence number allocated per (court, year, type code): the next filing takes
    ``last_number + 1`` in its own transaction (see :mod:`dossier.filing.allocate`)."""

    __tablename__ = "dossier_case_sequences"
    court_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    type_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_number: Mapped[int]
