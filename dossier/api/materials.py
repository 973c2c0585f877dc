"""A case's materials: the catalogue of types, the list by volume, uploads and corrections (new
versions), and reading a version (original or PDF; every read is audited).

Who: the dossier's readers (:func:`dossier.access.dossier_case_for_staff`) list and read; the
case's judge and clerk, the filing clerk who filed it and the court's administrators add (a
reader by grant gets 403 ``dossier_role``); everyone else "not found".
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from dossier.access import dossier_case_for_staff, require_role, require_staff
from dossier.api.material_schemas import MaterialOut, MaterialsOut, MaterialTypeOut, VersionOut
from dossier.deps import ContextDep, PrincipalDep, SessionDep
from dossier.errors import ConflictError, InvalidInputError, NotFoundError
from dossier.materials.catalogue import VOLUMES, MaterialType, catalogue, material_type
from dossier.materials.intake import add_upload, add_upload_version, spool
from dossier.materials.tables import Material, MaterialVersion
from dossier.models import DossierCase
from tingshen_platform.bounded import Name, Note
from tingshen_platform.identity import StaffPrincipal

router = APIRouter(prefix="/api/dossier", tags=["dossier: materials"])

FILE_SCHEMA = {"maxLength": 2 * 1024**3}
"""The upload's bound in the API schema (the route enforces the setting, at most 2 GB)."""
TypeCode = Annotated[str, Form(min_length=1, max_length=32, pattern=r"^[a-z_]+$")]
UploadDep = Annotated[UploadFile, File(json_schema_extra=FILE_SCHEMA)]


def may_add(staff: StaffPrincipal, case: DossierCase) -> bool:
    if staff.role == "court_admin":
        return True
    if staff.user_id in (case.judge_user_id, case.clerk_user_id):
        return True
    return staff.role == "filing_clerk" and staff.user_id == case.filed_by_user_id


def _writable(
    dossier_case_id: int, ctx: ContextDep, session: SessionDep, principal: PrincipalDep
) -> tuple[StaffPrincipal, DossierCase]:
    """A dependency: the caller and the case they may add to, checked before the form is
    (so a caller who may not add learns nothing from a bad form)."""
    staff, case = dossier_case_for_staff(session, principal, dossier_case_id, ctx.today())
    if not may_add(staff, case):
        require_role(staff)  # no role may: 403 dossier_role
    if case.status == "archived":
        raise ConflictError.because("dossier_case_archived")
    return staff, case


Writable = Annotated[tuple[StaffPrincipal, DossierCase], Depends(_writable)]


def _material(session: Session, case: DossierCase, material_id: int) -> Material:
    material = session.get(Material, material_id)
    if material is None or material.case_id != case.id:
        raise NotFoundError.because("dossier_material_not_found")
    return material


def _version_out(v: MaterialVersion) -> VersionOut:
    return VersionOut(
        version=v.version,
        filename=v.filename,
        media_type=v.media_type,
        sha256=v.sha256,
        size_bytes=v.size_bytes,
        status=v.status,
        processing_error=v.processing_error,
        page_count=v.page_count,
        ocr_pages=v.ocr_pages,
        has_pdf=v.pdf_blob_key is not None,
        added_at=v.added_at,
        added_by_name=v.added_by_name,
        note=v.note,
    )


def material_out(material: Material, versions: list[MaterialVersion]) -> MaterialOut:
    kind = material_type(material.material_type)
    return MaterialOut(
        id=material.id,
        case_id=material.case_id,
        volume=material.volume,
        material_type=material.material_type,
        type_name_zh=kind.zh if kind else material.material_type,
        type_name_en=kind.en if kind else material.material_type,
        title=material.title,
        source=material.source,
        created_at=material.created_at,
        created_by_name=material.created_by_name,
        current_version=material.current_version,
        versions=[_version_out(v) for v in sorted(versions, key=lambda v: -v.version)],
    )


def _versions(session: Session, material_ids: list[int]) -> dict[int, list[MaterialVersion]]:
    found: dict[int, list[MaterialVersion]] = {i: [] for i in material_ids}
    if material_ids:
        for v in session.scalars(
            select(MaterialVersion)
            .where(MaterialVersion.material_id.in_(material_ids))
            .options(defer(MaterialVersion.text))  # a scanned volume's text is large
        ):
            found[v.material_id].append(v)
    return found


@router.get("/material-types")
def list_material_types(principal: PrincipalDep) -> list[MaterialTypeOut]:
    require_staff(principal)
    return [
        MaterialTypeOut(code=t.code, zh=t.zh, en=t.en, volume=t.volume, order=t.order)
        for t in catalogue()
    ]


@router.get("/cases/{dossier_case_id}/materials")
def list_materials(
    dossier_case_id: int, session: SessionDep, ctx: ContextDep, principal: PrincipalDep
) -> MaterialsOut:
    staff, case = dossier_case_for_staff(session, principal, dossier_case_id, ctx.today())
    materials = list(session.scalars(select(Material).where(Material.case_id == case.id)))
    order = {t.code: t.order for t in catalogue()}
    materials.sort(
        key=lambda m: (
            VOLUMES.index(m.volume) if m.volume in VOLUMES else 9,
            order.get(m.material_type, 10_000),
            m.id,
        )
    )
    versions = _versions(session, [m.id for m in materials])
    return MaterialsOut(
        case_id=case.id,
        case_number=case.case_number,
        may_add=may_add(staff, case),
        materials=[material_out(m, versions[m.id]) for m in materials],
    )


@router.post("/cases/{dossier_case_id}/materials", status_code=201)
def upload_material(
    dossier_case_id: int,
    writable: Writable,
    file: UploadDep,
    material_type: TypeCode,
    session: SessionDep,
    ctx: ContextDep,
    title: Annotated[Name | None, Form()] = None,
    volume: Annotated[Literal["main", "secondary"] | None, Form()] = None,
) -> MaterialOut:
    staff, case = writable
    kind = material_type_or_refuse(material_type)
    with spool(file.file, file.filename or "", ctx.settings.max_upload_bytes) as spooled:
        name = title or spooled.filename
        material = add_upload(
            ctx,
            session,
            case=case,
            staff=staff,
            spooled=spooled,
            material_type=kind.code,
            title=name[:300],
            volume=volume or kind.volume,
        )
        session.commit()
    return material_out(material, _versions(session, [material.id])[material.id])


@router.post("/cases/{dossier_case_id}/materials/{dossier_material_id}/versions", status_code=201)
def add_version(
    dossier_case_id: int,
    dossier_material_id: int,
    writable: Writable,
    file: UploadDep,
    reason: Annotated[Note, Form()],
    session: SessionDep,
    ctx: ContextDep,
) -> MaterialOut:
    """A correction: a new version with its reason; the earlier ones stay as they were."""
    staff, case = writable
    material = _material(session, case, dossier_material_id)
    with spool(file.file, file.filename or "", ctx.settings.max_upload_bytes) as spooled:
        add_upload_version(
            ctx,
            session,
            case=case,
            staff=staff,
            material=material,
            spooled=spooled,
            reason=reason,
        )
        session.commit()
    return material_out(material, _versions(session, [material.id])[material.id])


def material_type_or_refuse(code: str) -> MaterialType:
    kind = material_type(code)
    if kind is None:
        raise InvalidInputError.because("dossier_material_type_unknown", code=code)
    return kind
