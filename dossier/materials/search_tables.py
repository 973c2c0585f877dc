"""The search index of the materials' text: one row per (version, term) with its count."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from dossier.models import Base

__all__ = ["MaterialTerm"]

MAX_TERM_CHARS = 64


class MaterialTerm(Base):
    __tablename__ = "dossier_material_terms"
    __table_args__ = (Index("ix_dossier_material_terms_term_case", "term", "case_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("dossier_material_versions.id"), index=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("dossier_materials.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("dossier_cases.id"))
    term: Mapped[str] = mapped_column(String(MAX_TERM_CHARS))
    hits: Mapped[int]
