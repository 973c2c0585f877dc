"""Cases of the staff member's own court."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import select

from hearing_server.access import case_for_staff
from hearing_server.api.views import case_out, case_party_out, hearing_out
from hearing_server.case_parties import party_names
from hearing_server.deps import ContextDep, CurrentStaff, SessionDep
from hearing_server.models import Case, CaseParty, Hearing
from hearing_server.paging import PageDep, keyset
from hearing_server.scheduling import do_create_case
from hearing_server.schemas import CaseIn, CaseOut, CasePartyOut, HearingOut

router = APIRouter(prefix="/api/cases", tags=["cases"])


@router.get("")
def list_cases(
    staff: CurrentStaff, session: SessionDep, page: PageDep, response: Response
) -> list[CaseOut]:
    query = select(Case).where(Case.court_id == staff.court_id)
    cases = keyset(session, query, (Case.id,), page)
    return [case_out(case) for case in page.answer(response, cases, lambda c: (c.id,))]


@router.post("", status_code=201)
def create_case(body: CaseIn, staff: CurrentStaff, session: SessionDep, ctx: ContextDep) -> CaseOut:
    case = do_create_case(
        session, ctx, staff=staff, case_number=body.case_number, cause=body.cause_of_action
    )
    return case_out(case)


@router.get("/{case_id}")
def get_case(case_id: int, staff: CurrentStaff, session: SessionDep) -> CaseOut:
    return case_out(case_for_staff(session, staff, case_id))


@router.get("/{case_id}/hearings")
def list_case_hearings(
    case_id: int, staff: CurrentStaff, session: SessionDep, page: PageDep, response: Response
) -> list[HearingOut]:
    case = case_for_staff(session, staff, case_id)
    query = select(Hearing).where(Hearing.case_id == case.id)
    rows = keyset(session, query, (Hearing.scheduled_at, Hearing.id), page)
    shown = page.answer(response, rows, lambda h: (h.scheduled_at, h.id))
    return [hearing_out(hearing) for hearing in shown]


@router.get("/{case_id}/parties")
def list_case_parties(
    case_id: int, staff: CurrentStaff, session: SessionDep, page: PageDep, response: Response
) -> list[CasePartyOut]:
    """The case's parties as the dossier filed them (none for a case entered here by hand), to
    invite to a hearing as themselves (``case_party_ref`` of a new participant)."""
    case = case_for_staff(session, staff, case_id)
    query = select(CaseParty).where(CaseParty.case_id == case.id)
    rows = keyset(session, query, (CaseParty.id,), page)
    shown = page.answer(response, rows, lambda p: (p.id,))
    names = party_names(session, case.id, {p.represents_ref for p in shown if p.represents_ref})
    return [case_party_out(party, names) for party in shown]
