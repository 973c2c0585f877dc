"""Tables of the materials and their versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dossier.models import Base

__all__ = ["Material", "MaterialVersion"]


class Material(Base):
    __tablename__ = "dossier_materials"
    __table_args__ = (UniqueConstraint("case_id", "source_ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dossier_cases.id"), index=True)
    volume: Mapped[str] = mapped_column(String(16))
    """``main`` (正卷) or ``secondary`` (副卷: deliberations, not shown to parties)."""
    material_type: Mapped[str] = mapped_column(String(32))
    """A code of the material-type catalogue (``complaint`` 起诉状, ``evidence`` 证据,
    ``hearing_transcript`` 庭审笔录, ``recording_digests`` 庭审录音录像, ``notice`` 通知书,
    ``service_proof`` 送达回证, ``judgment`` 裁判文书 …)."""
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(16))
    """``upload`` (staff), ``filing`` (with the case), ``hearing`` (the hearing server's events),
    ``system`` (other services' events)."""
    source_ref: Mapped[str | None] = mapped_column(String(200))
    """What it came from, unique per case (``transcript:<hearing>:<document>``): an event
    delivered twice finds it and changes nothing."""
    hearing_id: Mapped[int | None]
    current_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None]
    created_by_name: Mapped[str] = mapped_column(String(200))


class MaterialVersion(Base):
    __tablename__ = "dossier_material_versions"
    __table_args__ = (UniqueConstraint("material_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("dossier_materials.id"), index=True)
    version: Mapped[int]
    filename: Mapped[str] = mapped_column(String(200))
    """The name it came with, cleaned (never a path)."""
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    blob_key: Mapped[str] = mapped_column(String(300))
    """The original file in the dossier's store."""
    pdf_blob_key: Mapped[str | None] = mapped_column(String(300))
    """Its PDF (itself, a conversion of an Office file, or a scan wrapped), for reading and the
    archive; ``None`` while a conversion is pending."""
    page_count: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
    """Its text (from the PDF, else OCR), for search."""
    added_at: Mapped[datetime]
    added_by_id: Mapped[int | None]
    added_by_name: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(500))
    """Why this version (a correction's reason)."""
    status: Mapped[str] = mapped_column(String(16), default="ready", server_default="ready")
    """``processing`` (an upload being converted and read), ``ready`` or ``failed``."""
    processing_error: Mapped[str | None] = mapped_column(String(500))
    ocr_pages: Mapped[int | None]
    """How many of its pages had no text layer and were read by OCR."""
    indexed_at: Mapped[datetime | None]
    """When its text went into the search index (``None``: not yet)."""
