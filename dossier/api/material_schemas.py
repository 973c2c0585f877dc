"""Answer bodies of the materials' routes (``dossier/api/materials.py``, ``search.py``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

__all__ = [
    "MaterialOut",
    "MaterialTypeOut",
    "MaterialsOut",
    "SearchHitOut",
    "SearchOut",
    "SegmentOut",
    "VersionOut",
]


class MaterialTypeOut(BaseModel):
    code: str
    zh: str
    en: str
    volume: str
    order: int


class VersionOut(BaseModel):
    version: int
    filename: str
    media_type: str
    sha256: str
    size_bytes: int
    status: str
    """``processing``, ``ready`` or ``failed``."""
    processing_error: str | None
    page_count: int | None
    ocr_pages: int | None
    has_pdf: bool
    added_at: datetime
    added_by_name: str
    note: str | None


class MaterialOut(BaseModel):
    id: int
    case_id: int
    volume: str
    material_type: str
    type_name_zh: str
    type_name_en: str
    title: str
    source: str
    created_at: datetime
    created_by_name: str
    current_version: int
    versions: list[VersionOut]
    """Newest first."""


class MaterialsOut(BaseModel):
    case_id: int
    case_number: str
    may_add: bool
    """The caller may add materials and versions (not only read)."""
    materials: list[MaterialOut]
    """By volume (main first), then archive order of the type, then as added."""


class SegmentOut(BaseModel):
    text: str
    hit: bool


class SearchHitOut(BaseModel):
    case_id: int
    case_number: str
    material_id: int
    material_type: str
    title: str
    volume: str
    version: int
    score: int
    snippet: list[SegmentOut]


class SearchOut(BaseModel):
    query: str
    words: list[str]
    hits: list[SearchHitOut]
