"""Submitting the archive (归档): the archive number, the sheets, the e-volume composed and sealed
with the court's key, the BagIt package; the case becomes ``archived``.

One submission of a case at a time (a lease). The archive number is reserved first, in its own
short transaction (the column is unique: two cases cannot take one number). The slow part
(compose, seal, bag: seconds for a large case) then only reads the database; the rest is written
after it in one short transaction (SQLite has one writer: the server's other writes do not wait
for a seal). The package is renamed into place before that commit; one left by a failed attempt
is moved aside by the next, which keeps the reserved number."""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dossier import audit
from dossier.archive.arrange import Entry, ensure_changeable, entries, require_clerk, volume_of
from dossier.archive.compose import VolumePart, compose_volume
from dossier.archive.package import PackageFile, make_package
from dossier.archive.pdfa_sealed import volume_report
from dossier.archive.rules import archive_number, load_rules
from dossier.archive.sheets import CatalogueRow, VolumeSheet, back_pdf, front_pdf
from dossier.archive.tables import ArchiveVolume
from dossier.context import COURT_TZ, DossierContext
from dossier.errors import ConflictError
from dossier.models import DossierCase, DossierParty
from tingshen_platform.blobs import LocalBlobStore
from tingshen_platform.identity import StaffPrincipal
from tingshen_platform.leases import Leases

__all__ = ["archive_root", "sheet_for", "submit"]

LEASE_TTL = timedelta(minutes=15)
"""Longer than the slowest submission (a 500-page case: about 10 s)."""
ROLE_ZH = {"plaintiff": "原告", "defendant": "被告", "third_party": "第三人", "agent": "代理人"}


def archive_root(ctx: DossierContext) -> Path:
    """Where the packages are: ``archive/`` in the dossier's files directory."""
    if isinstance(ctx.files, LocalBlobStore):
        return ctx.files.root / "archive"
    return (ctx.settings.files_dir or ctx.host.data_dir / "dossier") / "archive"


def author_of(case: DossierCase, entry: Entry) -> str:
    if entry.material.source in ("hearing", "system"):
        return case.court_name
    return entry.material.created_by_name


def sheet_for(
    session: Session, case: DossierCase, rows: list[Entry], volume: ArchiveVolume,
    *, number: str | None, checked_by: str | None, checked_at: datetime | None,
) -> VolumeSheet:  # fmt: skip
    rules = load_rules()
    parties = session.scalars(
        select(DossierParty).where(DossierParty.case_id == case.id).order_by(DossierParty.id)
    )
    return VolumeSheet(
        court_name=case.court_name,
        case_number=case.case_number,
        cause=case.cause_name,
        parties=[f"{ROLE_ZH.get(p.role, p.role)}：{p.name}" for p in parties],
        judge=case.judge_name or "—",
        clerk=case.clerk_name or "—",
        filed_on=case.filed_on,
        closed_on=case.closed_on,
        retention=rules.retentions[volume.retention].label,
        archive_number=number,
        volume=1,
        volumes=1,
        rows=[
            CatalogueRow(
                e.item.number,
                e.material.title,
                author_of(case, e),
                e.material.created_at.astimezone(COURT_TZ).date(),
                e.item.first_page,
                e.item.last_page,
            )
            for e in rows
            if e.item is not None
        ],
        arranged_by=volume.arranged_by_name,
        arranged_on=volume.arranged_at.astimezone(COURT_TZ).date(),
        checked_by=checked_by,
        checked_on=checked_at.astimezone(COURT_TZ).date() if checked_at else None,
    )


def _next_number(session: Session, case: DossierCase, volume: ArchiveVolume, year: int) -> str:
    rules = load_rules()
    make = partial(
        archive_number, rules, court_id=case.court_id, year=year,
        retention=rules.retentions[volume.retention], type_code=case.type_code,
    )  # fmt: skip
    prefix = make(sequence=0)[:-4]
    taken = session.scalar(
        select(func.count()).where(ArchiveVolume.archive_number.like(f"{prefix}%"))
    )
    return make(sequence=(taken or 0) + 1)


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _open_binary(path: Path) -> BinaryIO:
    return path.open("rb")


def _safe_name(filename: str) -> str:
    cleaned = "".join(c for c in filename if c not in '/\\:*?"<>|' and ord(c) >= 32)
    return cleaned[-120:] or "file"


def submit(
    session: Session, ctx: DossierContext, staff: StaffPrincipal, case: DossierCase
) -> ArchiveVolume:
    """One submission of a case at a time in the cluster (a lease; else 409 ``archive_busy``)."""
    leases = Leases(ctx.host.engine, ctx.clock)
    owner = f"{ctx.host.node}-{secrets.token_hex(4)}"
    lease = leases.acquire(f"dossier-archive-{case.id}", owner, LEASE_TTL)
    if lease is None:
        raise ConflictError.because("archive_busy")
    try:
        return _submit(session, ctx, staff, case)
    finally:
        leases.release(lease)


def _reserve(session: Session, case: DossierCase, volume: ArchiveVolume, year: int) -> str:
    """The volume's archive number, reserved (committed) before the slow work: another case's
    submission cannot take it meanwhile (the column is unique), and an attempt that failed
    left its number for the next one (whose package directory, if any, is then stale)."""
    if volume.archive_number is not None:
        return volume.archive_number
    volume.archive_number = _next_number(session, case, volume, year)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ConflictError.because("archive_busy") from None
    return volume.archive_number


def _submit(
    session: Session, ctx: DossierContext, staff: StaffPrincipal, case: DossierCase
) -> ArchiveVolume:
    ensure_changeable(case)
    require_clerk(staff, case)
    volume = volume_of(session, case.id)
    if case.status != "closed" or volume is None:
        raise ConflictError.because("archive_not_arranged")
    rows = entries(session, case)
    if [e.material.id for e in rows] != volume.material_ids or any(e.item is None for e in rows):
        raise ConflictError.because("archive_arrangement_stale")
    seal_file = ctx.host.seal_file
    if seal_file is None:
        raise ConflictError.because("archive_seal_unavailable")
    now = ctx.clock()
    year = (case.closed_on or now.astimezone(COURT_TZ).date()).year
    number = _reserve(session, case, volume, year)
    sheet = sheet_for(
        session, case, rows, volume, number=number, checked_by=staff.display_name, checked_at=now
    )
    parts = [
        VolumePart(e.item, e.material.title, partial(ctx.files.open, e.version.pdf_blob_key))
        for e in rows
        if e.item is not None and e.version.pdf_blob_key is not None
    ]
    root = archive_root(ctx)
    root.mkdir(parents=True, exist_ok=True)
    stale = root / number
    if stale.exists():  # from an attempt that failed after its package was made
        os.rename(stale, root / f".failed-{number}-{int(now.timestamp())}")
    with tempfile.TemporaryDirectory(dir=root, prefix=".compose-") as work:
        composed = Path(work) / "composed.pdf"
        made = compose_volume(
            front_pdf(sheet), parts, back_pdf(sheet), composed,
            title=f"{case.case_number} 电子档案 {number}", work=Path(work),
        )  # fmt: skip
        pages, composed_length = made.pages, composed.stat().st_size
        evolume = Path(work) / "evolume.pdf"
        seal_file(composed, evolume, f"归档 {number}")  # file to file: flat in memory
        digest = _sha256(evolume)
        checked = volume_report(
            evolume, composed_length, made.pdfa, made.fonts_embedded, made.findings
        )
        files = [PackageFile("evolume.pdf", partial(_open_binary, evolume))]
        for e in rows:
            assert e.item is not None and e.version.pdf_blob_key is not None
            n, v, pdf_key = e.item.number, e.version, e.version.pdf_blob_key
            files.append(
                PackageFile(
                    f"materials/{n:03d}-original-{_safe_name(v.filename)}",
                    partial(ctx.files.open, v.blob_key),
                )
            )
            if pdf_key != v.blob_key:
                files.append(
                    PackageFile(f"materials/{n:03d}-pdf.pdf", partial(ctx.files.open, pdf_key))
                )
        metadata = _metadata(session, case, rows, volume, number, staff, now, digest, pages)
        metadata["evolume"]["pdfa"] = checked
        bag_info = {
            "Source-Organization": case.court_name,
            "External-Identifier": number,
            "External-Description": f"{case.case_number} {case.cause_name}",
            "Bagging-Date": now.astimezone(COURT_TZ).date().isoformat(),
            "Contact-Name": staff.display_name,
        }
        make_package(root, number, files, metadata, bag_info)
    volume.package_dir = f"archive/{number}"
    volume.evolume_sha256 = digest
    volume.page_count = pages
    volume.item_count = len(parts)
    volume.submitted_at = now
    volume.submitted_by_id = staff.user_id
    volume.submitted_by_name = staff.display_name
    case.status = "archived"
    pdfa_verdict = checked.get("composed_verdict", "not_claimed")
    audit.record(
        session, staff, "archive.submitted", at=now, case_id=case.id,
        entity="archive_volume", entity_id=volume.id,
        details={"archive_number": volume.archive_number, "evolume_sha256": digest,
                 "pages": pages, "items": len(parts), "pdfa": pdfa_verdict},
    )  # fmt: skip
    return volume


def _metadata(
    session: Session, case: DossierCase, rows: list[Entry], volume: ArchiveVolume, number: str,
    staff: StaffPrincipal, now: datetime, digest: str, pages: int,
) -> dict[str, Any]:  # fmt: skip
    parties = session.scalars(select(DossierParty).where(DossierParty.case_id == case.id))
    return {
        "archive_number": number,
        "retention": volume.retention,
        "case": {
            "case_number": case.case_number,
            "court": case.court_name,
            "cause": case.cause_name,
            "procedure": case.procedure,
            "outcome": case.outcome,
            "judge": case.judge_name,
            "clerk": case.clerk_name,
            "filed_on": case.filed_on.isoformat(),
            "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        },
        "parties": [{"role": p.role, "kind": p.kind, "name": p.name} for p in parties],
        "items": [
            {
                "item": e.item.number,
                "first_page": e.item.first_page,
                "last_page": e.item.last_page,
                "title": e.material.title,
                "type": e.material.material_type,
                "version": e.version.version,
                "filename": e.version.filename,
                "original_sha256": e.version.sha256,
                "added_by": e.version.added_by_name,
                "added_at": e.version.added_at.isoformat(),
            }
            for e in rows
            if e.item is not None
        ],
        "evolume": {"path": "data/evolume.pdf", "sha256": digest, "pages": pages},
        "arranged": {"by": volume.arranged_by_name, "at": volume.arranged_at.isoformat()},
        "submitted": {"by": staff.display_name, "at": now.isoformat()},
    }
