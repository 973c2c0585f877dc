"""Reading a material version: its original file or its PDF, streamed from the dossier's
store; each read is audited (``material.downloaded``, ``material.viewed``) before it is sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from dossier import audit
from dossier.access import dossier_case_for_staff
from dossier.deps import ContextDep, PrincipalDep, SessionDep
from dossier.errors import ConflictError, NotFoundError
from dossier.materials.filenames import content_disposition
from dossier.materials.tables import Material, MaterialVersion

router = APIRouter(prefix="/api/dossier", tags=["dossier: materials"])

FILE_ANSWER: dict[int | str, dict[str, object]] = {
    200: {"description": "The file", "content": {"application/octet-stream": {}}}
}
CHUNK = 1 << 16


def _chunks(source: BinaryIO) -> Iterator[bytes]:
    with source:
        while chunk := source.read(CHUNK):
            yield chunk


def _pdf_name(filename: str) -> str:
    stem, dot, _ = filename.rpartition(".")
    return f"{stem if dot and stem else filename}.pdf"


@router.get(
    "/cases/{dossier_case_id}/materials/{dossier_material_id}/versions/{version}/{form}",
    response_class=StreamingResponse,
    responses=FILE_ANSWER,
)
def read_version(
    dossier_case_id: int,
    dossier_material_id: int,
    version: int,
    form: str,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> StreamingResponse:
    """``form`` ``original`` (a download, as it came) or ``pdf`` (to read, in the browser)."""
    staff, case = dossier_case_for_staff(session, principal, dossier_case_id, ctx.today())
    if form not in ("original", "pdf"):
        raise NotFoundError.because("dossier_material_not_found")
    material = session.get(Material, dossier_material_id)
    found = session.scalars(
        select(MaterialVersion).where(
            MaterialVersion.material_id == dossier_material_id, MaterialVersion.version == version
        )
    ).first()
    if material is None or material.case_id != case.id or found is None:
        raise NotFoundError.because("dossier_material_not_found")
    if form == "pdf":
        if found.pdf_blob_key is None:
            raise ConflictError.because("dossier_pdf_pending")
        key, media_type, name = found.pdf_blob_key, "application/pdf", _pdf_name(found.filename)
        action, inline = "material.viewed", True
    else:
        key, media_type, name = found.blob_key, found.media_type, found.filename
        action, inline = "material.downloaded", False
    source = ctx.files.open(key)
    audit.record(
        session,
        staff,
        action,
        at=ctx.clock(),
        case_id=case.id,
        entity="material",
        entity_id=material.id,
        details={"version": found.version, "form": form},
    )
    session.commit()
    return StreamingResponse(
        _chunks(source),
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(name, inline=inline),
            "X-Content-Type-Options": "nosniff",
        },
    )
