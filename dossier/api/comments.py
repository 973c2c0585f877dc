"""Review comments (评卷) on a material: the case's judge and holders of a review grant write
them; they and the court's administrators read them. Never edited or deleted: a later comment
may correct an earlier one (``corrects_id``)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.access import dossier_case_for_staff, require_reviewer
from dossier.deps import ContextDep, PrincipalDep, SessionDep
from dossier.errors import NotFoundError
from dossier.materials.tables import Material, MaterialVersion
from dossier.models import DossierCase
from dossier.publish.actions import do_comment
from dossier.publish.schemas import CommentIn, CommentOut, ReviewOut
from dossier.publish.tables import ReviewComment
from tingshen_platform.bounded import Id
from tingshen_platform.identity import Principal, StaffPrincipal

router = APIRouter(prefix="/api/dossier/materials", tags=["dossier: review comments"])


def comment_out(c: ReviewComment) -> CommentOut:
    return CommentOut(
        id=c.id, material_id=c.material_id, version=c.version, page=c.page, body=c.body,
        corrects_id=c.corrects_id, author_name=c.author_name, author_role=c.author_role,
        review_body=c.review_body, created_at=c.created_at,
    )  # fmt: skip


def _material(
    session: Session, principal: Principal | None, material_id: int, ctx: ContextDep
) -> tuple[StaffPrincipal, DossierCase, Material]:
    """The material, if the caller may read its dossier; else "not found" (the same answer as
    for a material that does not exist)."""
    material = session.get(Material, material_id)
    if material is None:
        raise NotFoundError.because("dossier_material_not_found")
    try:
        staff, case = dossier_case_for_staff(session, principal, material.case_id, ctx.today())
    except NotFoundError:
        raise NotFoundError.because("dossier_material_not_found") from None
    return staff, case, material


@router.get("/{material_id}/comments")
def list_comments(
    material_id: Id, session: SessionDep, principal: PrincipalDep, ctx: ContextDep
) -> ReviewOut:
    staff, case, material = _material(session, principal, material_id, ctx)
    if staff.role != "court_admin":
        require_reviewer(session, staff, case, ctx.today())
    comments = session.scalars(
        select(ReviewComment)
        .where(ReviewComment.material_id == material.id)
        .order_by(ReviewComment.id)
    )
    version = session.scalars(
        select(MaterialVersion).where(
            MaterialVersion.material_id == material.id,
            MaterialVersion.version == material.current_version,
        )
    ).first()
    return ReviewOut(
        material_id=material.id, material_title=material.title,
        version=material.current_version,
        page_count=version.page_count if version is not None else None, case_id=case.id,
        case_number=case.case_number, court_name=case.court_name,
        comments=[comment_out(c) for c in comments],
    )  # fmt: skip


@router.post("/{material_id}/comments", status_code=201)
def add_comment(
    material_id: Id,
    body: CommentIn,
    session: SessionDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> CommentOut:
    staff, case, material = _material(session, principal, material_id, ctx)
    grant = require_reviewer(session, staff, case, ctx.today())
    comment = do_comment(
        session, staff, material, body=body.body, page=body.page, corrects_id=body.corrects_id,
        review_body=grant.review_body if grant is not None else None, at=ctx.clock(),
    )  # fmt: skip
    answer = comment_out(comment)
    session.commit()
    return answer
