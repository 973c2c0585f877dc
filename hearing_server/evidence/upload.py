"""Evidence on screen: a participant's file becomes a material of the hearing.

    material = await do_upload(session, ctx, store, who, filename="借条.pdf",
                               media_type="application/pdf", data=pdf)

Checked (:func:`hearing_server.evidence.files.inspect`: type, size, pages), numbered per hearing
(证据1, 证据2, …), stored on the blob store, audited (``evidence.upload``). The hearing must be
scheduled or open; observers do not upload.
"""

from __future__ import annotations

import asyncio
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.audit import EntityRef
from hearing_server.context import ServerContext
from hearing_server.errors import ConflictError, InvalidInputError
from hearing_server.evidence.access import Who, may_bring_evidence
from hearing_server.evidence.files import MAX_MATERIALS, EvidenceStore, inspect
from hearing_server.models import EvidenceMaterial, HearingStatus

__all__ = ["commit_or_conflict", "do_upload"]


def _clean_filename(filename: str) -> tuple[str, str]:
    """The file's base name (no folders, at most 200 characters) and a title (its stem)."""
    name = PureWindowsPath(PurePosixPath(filename.strip()).name).name.strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in "《》")[:200]
    if not name:
        raise InvalidInputError("the file needs a name")
    stem = PurePosixPath(name).stem.strip()[:100] or name[:100]
    return name, stem


async def do_upload(
    session: Session,
    ctx: ServerContext,
    store: EvidenceStore,
    who: Who,
    *,
    filename: str,
    media_type: str,
    data: bytes,
) -> EvidenceMaterial:
    may_bring_evidence(who)
    hearing = who.admitted.hearing
    if hearing.status not in (HearingStatus.SCHEDULED, HearingStatus.OPEN):
        raise ConflictError(f"hearing {hearing.id} is {hearing.status.value}")
    name, title = _clean_filename(filename)
    checked = await asyncio.to_thread(inspect, data, media_type)
    number = (
        session.scalar(
            select(func.max(EvidenceMaterial.number)).where(
                EvidenceMaterial.hearing_id == hearing.id
            )
        )
        or 0
    ) + 1
    if number > MAX_MATERIALS:
        raise ConflictError.because("evidence_full", most=MAX_MATERIALS)
    now = ctx.clock()
    speaker = who.admitted.speaker
    material = EvidenceMaterial(
        hearing_id=hearing.id,
        number=number,
        source="upload",
        title=title,
        filename=name,
        media_type=checked.media_type,
        sha256=checked.sha256,
        size_bytes=checked.size,
        page_count=checked.page_count,
        blob_key="",
        uploader_key=speaker.key,
        uploader_role=speaker.role,
        uploader_name=speaker.display_name,
        uploaded_at=now,
    )
    session.add(material)
    commit_or_conflict(session, flush_only=True)
    material.blob_key = await asyncio.to_thread(
        store.put_original, hearing.id, material.id, data, checked.extension
    )
    audit.record(
        session,
        actor=who.admitted.actor,
        action="evidence.upload",
        entity=EntityRef("evidence", material.id),
        case_id=hearing.case_id,
        details={"hearing_id": hearing.id, "sha256": checked.sha256, "number": number},
        at=now,
    )
    commit_or_conflict(session)
    return material


def commit_or_conflict(session: Session, *, flush_only: bool = False) -> None:
    """Two changes of the same hearing at the same moment (the same evidence number, the first
    presentation row): the later one is refused with 409, nothing of it kept."""
    try:
        if flush_only:
            session.flush()
        else:
            session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise ConflictError("changed at the same moment by someone else; try again") from exc
