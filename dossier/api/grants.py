"""Grants (court administrators): a staff member of the court may read a case's dossier, or
also comment on its materials in a review (合议庭 / 审委会), until an end date (inclusive)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import select

from dossier.access import dossier_case_for_staff, require_role
from dossier.deps import ContextDep, CourtStaffDep, PrincipalDep, SessionDep
from dossier.errors import InvalidInputError
from dossier.models import DossierGrant
from dossier.paging import IdPageDep
from dossier.publish.actions import do_grant, do_revoke_grant
from dossier.publish.schemas import GrantIn, GrantOut
from tingshen_platform.bounded import Id

router = APIRouter(prefix="/api/dossier/cases", tags=["dossier: grants"])


def grant_out(grant: DossierGrant, today_iso: str) -> GrantOut:
    return GrantOut(
        id=grant.id, user_id=grant.user_id, user_name=grant.user_name, purpose=grant.purpose,
        review_body=grant.review_body, ends_on=grant.ends_on,
        granted_by_name=grant.granted_by_name, granted_at=grant.granted_at,
        revoked_at=grant.revoked_at,
        active=grant.revoked_at is None and grant.ends_on.isoformat() >= today_iso,
    )  # fmt: skip


@router.get("/{dossier_case_id}/grants")
def list_grants(
    dossier_case_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    page: IdPageDep,
    response: Response,
) -> list[GrantOut]:
    """A case's grants, oldest first, in pages (``limit``, ``cursor``, ``Link``)."""
    today = ctx.today()
    staff, case = dossier_case_for_staff(session, principal, dossier_case_id, today)
    require_role(staff, "court_admin")
    query = select(DossierGrant).where(DossierGrant.case_id == case.id)
    if page.after is not None:
        query = query.where(DossierGrant.id > page.after)
    grants = list(session.scalars(query.order_by(DossierGrant.id).limit(page.limit + 1)))
    shown = page.answer(response, grants, [g.id for g in grants])
    return [grant_out(g, today.isoformat()) for g in shown]


@router.post("/{dossier_case_id}/grants", status_code=201)
def create_grant(
    dossier_case_id: Id,
    body: GrantIn,
    session: SessionDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    court_staff: CourtStaffDep,
) -> GrantOut:
    today = ctx.today()
    staff, case = dossier_case_for_staff(session, principal, dossier_case_id, today)
    require_role(staff, "court_admin")
    grantee = next((s for s in court_staff if s.user_id == body.user_id), None)
    if grantee is None or grantee.court_id != case.court_id:
        raise InvalidInputError.because("dossier_grant_not_staff", user_id=body.user_id)
    grant = do_grant(
        session, staff, case, grantee=grantee, purpose=body.purpose,
        review_body=body.review_body, ends_on=body.ends_on, today=today, at=ctx.clock(),
    )  # fmt: skip
    answer = grant_out(grant, today.isoformat())
    session.commit()
    return answer


@router.delete("/{dossier_case_id}/grants/{grant_id}")
def revoke_grant(
    dossier_case_id: Id,
    grant_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    ctx: ContextDep,
) -> GrantOut:
    today = ctx.today()
    staff, case = dossier_case_for_staff(session, principal, dossier_case_id, today)
    require_role(staff, "court_admin")
    grant = do_revoke_grant(session, staff, case, grant_id, ctx.clock())
    answer = grant_out(grant, today.isoformat())
    session.commit()
    return answer
