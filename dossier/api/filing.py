"""Filing (立案): file a case (filing clerks), the court's code (its administrator), and what
the filing page picks from: case types, the civil cause catalogue, the court's judges and
clerks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from sqlalchemy.exc import IntegrityError

from dossier.access import require_role, require_staff
from dossier.api.cases import case_out
from dossier.deps import ContextDep, PrincipalDep, SessionDep
from dossier.errors import ConflictError
from dossier.filing.actions import file_case, set_court_code
from dossier.filing.case_numbers import rules
from dossier.filing.causes import SOURCE as CAUSES_SOURCE
from dossier.filing.causes import catalogue
from dossier.filing.schemas import (
    Assignee,
    AssigneesOut,
    CaseTypeOut,
    CaseTypesOut,
    CauseOut,
    CausesOut,
    CourtCodeIn,
    CourtCodeOut,
    FilingIn,
)
from dossier.filing.tables import CourtCode
from dossier.schemas import CaseOut
from tingshen_platform.identity import StaffPrincipal

router = APIRouter(prefix="/api/dossier", tags=["dossier: filing"])


async def _court_staff(
    request: Request, ctx: ContextDep, principal: PrincipalDep
) -> list[StaffPrincipal]:
    """The caller's court's active staff, asked for only where a filing clerk is filing."""
    if isinstance(principal, StaffPrincipal) and principal.role == "filing_clerk":
        return await ctx.host.identity.staff_of_court(principal.court_id, request.cookies)
    return []


async def _assignable(
    request: Request, ctx: ContextDep, principal: PrincipalDep
) -> list[StaffPrincipal]:
    staff = require_staff(principal)
    return await ctx.host.identity.staff_of_court(staff.court_id, request.cookies)


CourtStaffDep = Annotated[list[StaffPrincipal], Depends(_court_staff)]


@router.post("/cases", status_code=status.HTTP_201_CREATED)
def post_case(
    body: FilingIn,
    ctx: ContextDep,
    session: SessionDep,
    principal: PrincipalDep,
    court_staff: CourtStaffDep,
) -> CaseOut:
    filer = require_staff(principal)
    require_role(filer, "filing_clerk")
    case, parties = file_case(session, filer, body, court_staff=court_staff,
                              today=ctx.today(), now=ctx.clock())  # fmt: skip
    session.commit()
    return case_out(case, parties)


@router.get("/court-code")
def get_court_code(session: SessionDep, principal: PrincipalDep) -> CourtCodeOut:
    staff = require_staff(principal)
    row = session.get(CourtCode, staff.court_id)
    return CourtCodeOut(
        court_name=staff.court_name,
        code=row.code if row else None,
        small_claims_ceiling_fen=row.small_claims_ceiling_fen if row else None,
        small_claims_source=rules().small_claims_source,
    )


@router.put("/court-code")
def put_court_code(
    body: CourtCodeIn, ctx: ContextDep, session: SessionDep, principal: PrincipalDep
) -> CourtCodeOut:
    admin = require_staff(principal)
    require_role(admin, "court_admin")
    row = set_court_code(session, admin, body, now=ctx.clock())
    try:
        session.commit()
    except IntegrityError:  # another court took the code at the same moment
        session.rollback()
        raise ConflictError.because("dossier_court_code_taken", code=body.code) from None
    return CourtCodeOut(court_name=admin.court_name, code=row.code,
                        small_claims_ceiling_fen=row.small_claims_ceiling_fen,
                        small_claims_source=rules().small_claims_source)  # fmt: skip


@router.get("/case-types")
def get_case_types(principal: PrincipalDep) -> CaseTypesOut:
    require_staff(principal)
    items = [CaseTypeOut(code=t.code, name=t.name, category=t.category,
                         first_instance=t.first_instance) for t in rules().types]  # fmt: skip
    return CaseTypesOut(source=rules().source, items=items)


@router.get("/causes")
def get_causes(
    principal: PrincipalDep,
    q: Annotated[str, Query(min_length=1, max_length=50)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> CausesOut:
    """Third- and fourth-level causes whose name contains ``q``, each with its path."""
    require_staff(principal)
    found = catalogue().search(q, limit)
    items = [CauseOut(code=c.code, name=c.name, level=c.level,
                      path=[p.name for p in catalogue().path(c.code)]) for c in found]  # fmt: skip
    return CausesOut(source=CAUSES_SOURCE, items=items)


@router.get("/assignees")
def get_assignees(
    staff: Annotated[list[StaffPrincipal], Depends(_assignable)],
) -> AssigneesOut:
    """The court's active judges and clerks (the filing page's pickers)."""

    def of(role: str) -> list[Assignee]:
        return [Assignee(user_id=s.user_id, display_name=s.display_name, role=s.role)
                for s in staff if s.role == role]  # fmt: skip

    return AssigneesOut(judges=of("judge"), clerks=of("clerk"))
