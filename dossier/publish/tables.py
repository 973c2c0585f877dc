"""Tables of publications to parties and of review comments (评卷意见).

Both are append-only in spirit: a withdrawal stamps ``withdrawn_at`` on the publication (publishing
again is a new row), and a comment is never edited or deleted (a later comment may correct one).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dossier.models import Base

__all__ = ["Publication", "ReviewComment"]


class Publication(Base):
    """One material of the main volume published to one party of the case (``party_id``: a
    :class:`~dossier.models.DossierParty`), at the version current when it was published."""

    __tablename__ = "dossier_publications"
    __table_args__ = (Index("ix_dossier_publications_party", "party_id", "withdrawn_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dossier_cases.id"), index=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("dossier_materials.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("dossier_parties.id"))
    version: Mapped[int]
    """The material's version the party sees (the current one when published)."""
    published_at: Mapped[datetime]
    published_by_id: Mapped[int]
    published_by_name: Mapped[str] = mapped_column(String(200))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None]
    withdrawn_by_name: Mapped[str | None] = mapped_column(String(200))


class ReviewComment(Base):
    """A review participant's comment on a material (on one page of it, or on the whole)."""

    __tablename__ = "dossier_review_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dossier_cases.id"), index=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("dossier_materials.id"), index=True)
    version: Mapped[int]
    """The material's version the comment was made on."""
    page: Mapped[int | None]
    body: Mapped[str] = mapped_column(Text)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_review_comments.id"))
    """An earlier comment (of the same author) this one corrects."""
    author_id: Mapped[int]
    author_name: Mapped[str] = mapped_column(String(200))
    author_role: Mapped[str] = mapped_column(String(32))
    review_body: Mapped[str | None] = mapped_column(String(16))
    """``collegial_panel`` or ``committee`` (from the author's grant); ``None``: the judge."""
    created_at: Mapped[datetime]
