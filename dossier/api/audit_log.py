"""A case's audit trail (every change and every view or download of its records), newest first,
for the court's administrators and the case's judge."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from dossier.access import dossier_case_for_staff, is_case_judge
from dossier.deps import ContextDep, PrincipalDep, SessionDep
from dossier.errors import ForbiddenError
from dossier.models import AuditRow
from dossier.publish.schemas import AuditEntryOut, AuditPageOut
from tingshen_platform.bounded import Id

router = APIRouter(prefix="/api/dossier/cases", tags=["dossier: audit"])


@router.get("/{dossier_case_id}/audit")
def case_audit(
    dossier_case_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditPageOut:
    staff, case = dossier_case_for_staff(session, principal, dossier_case_id, ctx.today())
    if staff.role != "court_admin" and not is_case_judge(staff, case):
        raise ForbiddenError.because("dossier_role", role=staff.role)
    total = session.scalar(select(func.count()).where(AuditRow.case_id == case.id)) or 0
    rows = session.scalars(
        select(AuditRow)
        .where(AuditRow.case_id == case.id)
        .order_by(AuditRow.at.desc(), AuditRow.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return AuditPageOut(
        items=[
            AuditEntryOut(
                at=r.at,
                actor_kind=r.actor_kind,
                actor_name=r.actor_name,
                actor_role=r.actor_role,
                action=r.action,
                entity=r.entity,
                entity_id=r.entity_id,
                details=r.details,
            )
            for r in rows
        ],
        total=total,
        page=page,
        per_page=per_page,
    )
