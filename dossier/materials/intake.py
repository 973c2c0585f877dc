"""Taking an uploaded file into a case's dossier: spool it to a private temp file (hashing and
counting as it streams, refusing it past the limit), inspect it, store it under its digest,
then write the rows (``processing``), the audit entry, the ``dossier.material_added`` event and
the processing job in one transaction. A refusal leaves nothing: no blob, no row, no job."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from court_events.dossier import MATERIAL_ADDED, MaterialAdded
from dossier import audit
from dossier.context import DossierContext
from dossier.errors import InvalidInputError, TooLargeError
from dossier.materials import processing
from dossier.materials.filenames import clean_filename
from dossier.materials.inspect import Inspected, inspect_file
from dossier.materials.tables import Material, MaterialVersion
from dossier.models import DossierCase
from tingshen_platform.events import publish
from tingshen_platform.identity import StaffPrincipal

__all__ = ["Spooled", "add_upload", "add_upload_version", "spool"]

CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Spooled:
    path: Path
    filename: str
    sha256: str
    size_bytes: int
    inspected: Inspected


@contextmanager
def spool(source: BinaryIO, raw_name: str, max_bytes: int) -> Iterator[Spooled]:
    """The upload as a checked temp file (removed when the block ends)."""
    filename = clean_filename(raw_name)
    if not filename:
        raise InvalidInputError.because("dossier_filename_empty")
    with tempfile.TemporaryDirectory(prefix="dossier-upload-") as work:
        path = Path(work) / "upload"
        digest = hashlib.sha256()
        size = 0
        with path.open("wb") as target:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLargeError.because("dossier_upload_too_large", limit_bytes=max_bytes)
                digest.update(chunk)
                target.write(chunk)
        if size == 0:
            raise InvalidInputError.because("dossier_upload_empty")
        inspected = inspect_file(path, filename)
        yield Spooled(path, filename, digest.hexdigest(), size, inspected)


def _store(ctx: DossierContext, case_id: int, spooled: Spooled) -> str:
    key = f"cases/{case_id}/files/{spooled.sha256}"
    if not ctx.files.exists(key):
        with spooled.path.open("rb") as f:
            ctx.files.put(key, f)
    return key


def _version(
    material: Material,
    number: int,
    spooled: Spooled,
    key: str,
    staff: StaffPrincipal,
    ctx: DossierContext,
    note: str | None,
) -> MaterialVersion:
    is_pdf = spooled.inspected.kind == "pdf"
    return MaterialVersion(
        material_id=material.id,
        version=number,
        filename=spooled.filename,
        media_type=spooled.inspected.media_type,
        sha256=spooled.sha256,
        size_bytes=spooled.size_bytes,
        blob_key=key,
        pdf_blob_key=key if is_pdf else None,
        page_count=spooled.inspected.page_count,
        text=None,
        added_at=ctx.clock(),
        added_by_id=staff.user_id,
        added_by_name=staff.display_name,
        note=note,
        status="processing",
    )


def _announce(
    ctx: DossierContext,
    session: Session,
    case: DossierCase,
    material: Material,
    version: MaterialVersion,
    staff: StaffPrincipal,
    action: str,
) -> None:
    session.flush()
    at = ctx.clock()
    audit.record(
        session,
        staff,
        action,
        at=at,
        case_id=case.id,
        entity="material",
        entity_id=material.id,
        details={"version": version.version, "sha256": version.sha256, "title": material.title},
    )
    payload = MaterialAdded(
        dossier_case_id=case.id,
        case_number=case.case_number,
        material_id=material.id,
        version=version.version,
        material_type=material.material_type,
        title=material.title,
        sha256=version.sha256,
    )
    publish(session.connection(), MATERIAL_ADDED, payload, occurred_at=at, stream=f"case:{case.id}")
    processing.enqueue(ctx, session, version.id)


def add_upload(
    ctx: DossierContext,
    session: Session,
    *,
    case: DossierCase,
    staff: StaffPrincipal,
    spooled: Spooled,
    material_type: str,
    title: str,
    volume: str,
) -> Material:
    key = _store(ctx, case.id, spooled)
    material = Material(
        case_id=case.id,
        volume=volume,
        material_type=material_type,
        title=title,
        source="upload",
        source_ref=None,
        hearing_id=None,
        current_version=1,
        created_at=ctx.clock(),
        created_by_id=staff.user_id,
        created_by_name=staff.display_name,
    )
    session.add(material)
    session.flush()
    version = _version(material, 1, spooled, key, staff, ctx, None)
    session.add(version)
    _announce(ctx, session, case, material, version, staff, "material.added")
    return material


def add_upload_version(
    ctx: DossierContext,
    session: Session,
    *,
    case: DossierCase,
    staff: StaffPrincipal,
    material: Material,
    spooled: Spooled,
    reason: str,
) -> MaterialVersion:
    key = _store(ctx, case.id, spooled)
    material.current_version += 1
    version = _version(material, material.current_version, spooled, key, staff, ctx, reason)
    session.add(version)
    _announce(ctx, session, case, material, version, staff, "material.version_added")
    return version
