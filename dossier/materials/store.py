"""Adding a material or a new version of one: the file goes into the dossier's store first
(atomically, under a key named by its digest), then the rows; a crash between the two leaves a
file nobody names, never a row without its file. Nothing is overwritten or deleted.

Callers pass what the file *is* (its PDF, page count and text when they have them); the upload
route validates and converts first, the event consumers pass documents that are PDFs already.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.archive.arrange import ensure_changeable
from dossier.materials.tables import Material, MaterialVersion
from dossier.models import DossierCase
from tingshen_platform.blobs import BlobStore

__all__ = ["Author", "NewFile", "add_material", "add_version", "find_by_source"]


@dataclass(frozen=True, slots=True)
class Author:
    user_id: int | None
    name: str
    """``系统`` for what events bring."""


@dataclass(frozen=True, slots=True)
class NewFile:
    filename: str
    media_type: str
    data: bytes
    pdf: bytes | None = None
    """Its PDF when it is not one itself (``None`` and ``media_type`` PDF: the file itself)."""
    page_count: int | None = None
    text: str | None = None


def _store(files: BlobStore, case_id: int, new: NewFile) -> tuple[str, str, str | None]:
    digest = hashlib.sha256(new.data).hexdigest()
    key = f"cases/{case_id}/files/{digest}"
    files.put(key, new.data)
    pdf_key: str | None = None
    if new.pdf is not None:
        pdf_digest = hashlib.sha256(new.pdf).hexdigest()
        pdf_key = f"cases/{case_id}/files/{pdf_digest}"
        files.put(pdf_key, new.pdf)
    elif new.media_type == "application/pdf":
        pdf_key = key
    return digest, key, pdf_key


def find_by_source(session: Session, case_id: int, source_ref: str) -> Material | None:
    return session.scalars(
        select(Material).where(Material.case_id == case_id, Material.source_ref == source_ref)
    ).first()


def add_material(
    session: Session,
    files: BlobStore,
    *,
    case: DossierCase,
    volume: str,
    material_type: str,
    title: str,
    source: str,
    new: NewFile,
    author: Author,
    at: datetime,
    source_ref: str | None = None,
    hearing_id: int | None = None,
) -> Material:
    ensure_changeable(case)
    digest, key, pdf_key = _store(files, case.id, new)
    material = Material(
        case_id=case.id,
        volume=volume,
        material_type=material_type,
        title=title,
        source=source,
        source_ref=source_ref,
        hearing_id=hearing_id,
        current_version=1,
        created_at=at,
        created_by_id=author.user_id,
        created_by_name=author.name,
    )
    session.add(material)
    session.flush()
    session.add(_version(material, 1, new, digest, key, pdf_key, author, at, note=None))
    return material


def add_version(
    session: Session,
    files: BlobStore,
    *,
    material: Material,
    new: NewFile,
    author: Author,
    at: datetime,
    note: str | None,
) -> MaterialVersion:
    case = session.get(DossierCase, material.case_id)
    if case is not None:
        ensure_changeable(case)
    digest, key, pdf_key = _store(files, material.case_id, new)
    material.current_version += 1
    version = _version(
        material, material.current_version, new, digest, key, pdf_key, author, at, note=note
    )
    session.add(version)
    return version


def _version(
    material: Material,
    number: int,
    new: NewFile,
    digest: str,
    key: str,
    pdf_key: str | None,
    author: Author,
    at: datetime,
    *,
    note: str | None,
) -> MaterialVersion:
    return MaterialVersion(
        material_id=material.id,
        version=number,
        filename=new.filename,
        media_type=new.media_type,
        sha256=digest,
        size_bytes=len(new.data),
        blob_key=key,
        pdf_blob_key=pdf_key,
        page_count=new.page_count,
        text=new.text,
        added_at=at,
        added_by_id=author.user_id,
        added_by_name=author.name,
        note=note,
    )
