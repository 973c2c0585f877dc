"""A party's own view of the dossier: their case and exactly what the judge published to them.

Everything not published to them (or withdrawn since) answers exactly as a material that does
not exist: 404 ``dossier_material_not_found``. Every listing and download is audited.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import select

from dossier.access import case_for, require_party
from dossier.audit import record
from dossier.deps import ContextDep, PrincipalDep, SessionDep
from dossier.errors import ConflictError, NotFoundError
from dossier.materials.tables import MaterialVersion
from dossier.models import DossierCase
from dossier.paging import IdPageDep
from dossier.publish.parties import active_publications
from dossier.publish.schemas import MyCaseOut, MyMaterialOut
from tingshen_platform.bounded import Id

router = APIRouter(prefix="/api/dossier/my", tags=["dossier: a party's materials"])


@router.get("/cases")
def my_cases(session: SessionDep, principal: PrincipalDep) -> list[MyCaseOut]:
    party = require_party(principal)
    cases = session.scalars(
        select(DossierCase).where(
            DossierCase.court_id == party.court_id,
            DossierCase.case_number == party.case_number,
        )
    )
    return [
        MyCaseOut(
            id=case.id,
            case_number=case.case_number,
            court_name=case.court_name,
            cause_name=case.cause_name,
            status=case.status,
            published_count=len(active_publications(session, party, case)),
            party_role=party.court_role,
            party_name=party.display_name,
            hearing_id=party.hearing_id,
        )
        for case in cases
    ]


def _version(session: SessionDep, material_id: int, version: int) -> MaterialVersion:
    row = session.scalars(
        select(MaterialVersion).where(
            MaterialVersion.material_id == material_id, MaterialVersion.version == version
        )
    ).first()
    if row is None:  # pragma: no cover - a publication names a version that exists
        raise NotFoundError.because("dossier_material_not_found")
    return row


@router.get("/cases/{dossier_case_id}/materials")
def my_materials(
    dossier_case_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    page: IdPageDep,
    response: Response,
) -> list[MyMaterialOut]:
    """What is published to this party, in material order, in pages (``limit``, ``cursor``)."""
    party = require_party(principal)
    case = case_for(session, party, dossier_case_id)
    rows = [
        row
        for row in active_publications(session, party, case)
        if page.after is None or row[1].id > page.after
    ][: page.limit + 1]
    shown = page.answer(response, rows, [material.id for _, material in rows])
    answer = []
    for publication, material in shown:
        version = _version(session, material.id, publication.version)
        answer.append(
            MyMaterialOut(
                id=material.id,
                title=material.title,
                material_type=material.material_type,
                version=publication.version,
                filename=version.filename,
                size_bytes=version.size_bytes,
                sha256=version.sha256,
                page_count=version.page_count,
                published_at=publication.published_at,
                download_url=f"/api/dossier/my/cases/{case.id}/materials/{material.id}/pdf",
            )
        )
    record(
        session, party, "materials.listed", at=ctx.clock(), case_id=case.id,
        details={"materials": [m.id for m in answer]},
    )  # fmt: skip
    session.commit()
    return answer


@router.get(
    "/cases/{dossier_case_id}/materials/{material_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def my_material_pdf(
    dossier_case_id: Id,
    material_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> Response:
    party = require_party(principal)
    case = case_for(session, party, dossier_case_id)
    published = {m.id: (p, m) for p, m in active_publications(session, party, case)}
    if material_id not in published:
        raise NotFoundError.because("dossier_material_not_found")
    publication, material = published[material_id]
    version = _version(session, material.id, publication.version)
    if version.pdf_blob_key is None:
        raise ConflictError.because("dossier_pdf_pending")
    data = ctx.files.get(version.pdf_blob_key)
    record(
        session, party, "material.downloaded", at=ctx.clock(), case_id=case.id,
        entity="material", entity_id=material.id,
        details={"version": version.version, "publication_id": publication.id, "format": "pdf"},
    )  # fmt: skip
    session.commit()
    stem = version.filename.rsplit(".", 1)[0] if "." in version.filename else version.filename
    name = f"{stem or 'material'}.pdf"
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(
        data, media_type="application/pdf", headers={"Content-Disposition": disposition}
    )
