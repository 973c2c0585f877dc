"""The court's case register: the list (search, filters, keyset pages), the case page's
summary, closing a case (结案) and its time-limit events (审限)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from dossier.access import case_for, may_read_audit, may_read_dossier, require_staff
from dossier.api.cases import case_out
from dossier.deps import ContextDep, PrincipalDep, SessionDep
from dossier.errors import ForbiddenError, InvalidInputError
from dossier.models import DossierCase, DossierParty
from dossier.paging import DatePageDep
from dossier.register import actions
from dossier.register.hearings import hearings_of, records_of
from dossier.register.schemas import (
    CaseRowOut,
    CaseSummaryOut,
    CloseIn,
    CourtDate,
    HearingOut,
    PartyRowOut,
    TimeLimitEventIn,
    TimeLimitEventOut,
    TimeLimitOut,
)
from dossier.register.search import CaseFilter, search_cases
from dossier.register.tables import TimeLimitEvent
from dossier.time_limits import RULES, TimeLimit
from tingshen_platform.bounded import MAX_ID
from tingshen_platform.identity import Principal, StaffPrincipal

router = APIRouter(prefix="/api/dossier/cases", tags=["dossier: register"])

Fragment = Annotated[str | None, Query(min_length=1, max_length=100)]
ROLE_ORDER = {"plaintiff": 0, "defendant": 1, "third_party": 2, "agent": 3}


def mask_id_number(value: str | None) -> str | None:
    """All but the last four characters hidden (``**************123X``)."""
    if not value:
        return None
    return "*" * max(0, len(value) - 4) + value[-4:]


@router.get("")
def list_cases(
    session: SessionDep,
    principal: PrincipalDep,
    page: DatePageDep,
    response: Response,
    number: Fragment = None,
    party: Fragment = None,
    cause: Fragment = None,
    judge_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: Annotated[str | None, Query(pattern="^(open|closed|archived)$", max_length=16)] = None,
    filed_from: Annotated[CourtDate | None, Query()] = None,
    filed_to: Annotated[CourtDate | None, Query()] = None,
    closed_from: Annotated[CourtDate | None, Query()] = None,
    closed_to: Annotated[CourtDate | None, Query()] = None,
) -> list[CaseRowOut]:
    """Every case of the caller's court (staff only), newest filing first."""
    staff = _staff_only(principal)
    found = search_cases(
        session,
        CaseFilter(
            court_id=staff.court_id,
            number=number and number.strip(),
            party=party and party.strip(),
            cause=cause and cause.strip(),
            judge_id=judge_id,
            status=status,
            filed_from=filed_from,
            filed_to=filed_to,
            closed_from=closed_from,
            closed_to=closed_to,
        ),
        page,
    )
    shown = page.answer(response, found, [(c.filed_on, c.id) for c in found])
    names: dict[int, list[tuple[int, int, str]]] = {c.id: [] for c in shown}
    if shown:
        for p in session.scalars(select(DossierParty).where(DossierParty.case_id.in_(names))):
            if p.role != "agent":
                names[p.case_id].append((ROLE_ORDER.get(p.role, 9), p.id, p.name))
    return [
        CaseRowOut(
            id=c.id,
            case_number=c.case_number,
            cause_name=c.cause_name,
            procedure=c.procedure,
            judge_name=c.judge_name,
            status=c.status,
            filed_on=c.filed_on,
            closed_on=c.closed_on,
            parties=[name for _, _, name in sorted(names[c.id])],
        )
        for c in shown
    ]


def _staff_only(principal: Principal | None) -> StaffPrincipal:
    if principal is not None and not isinstance(principal, StaffPrincipal):
        raise ForbiddenError.because("dossier_staff_only")
    return require_staff(principal)


@router.get("/{dossier_case_id}/summary")
def case_summary(
    dossier_case_id: int, ctx: ContextDep, session: SessionDep, principal: PrincipalDep
) -> CaseSummaryOut:
    """The case page: staff of the court see it all; a party of the case a reduced page."""
    case = case_for(session, principal, dossier_case_id)
    parties = list(
        session.scalars(
            select(DossierParty).where(DossierParty.case_id == case.id).order_by(DossierParty.id)
        )
    )
    held = hearings_of(session, case.case_number)
    records = records_of(session, [h.hearing_id for h in held])
    hearings = [
        HearingOut(
            hearing_id=h.hearing_id,
            status=h.status,
            scheduled_at=h.scheduled_at,
            duration_minutes=h.duration_minutes,
            place=h.place,
            record_signed_at=records[h.hearing_id].signed_at if h.hearing_id in records else None,
        )
        for h in held
    ]
    staff = principal if isinstance(principal, StaffPrincipal) else None
    rows = actions.events_of(session, case.id) if staff else []
    limit = actions.time_limit_of(case, rows, ctx.today()) if staff else None
    assigned = staff is not None and staff.user_id in (case.judge_user_id, case.clerk_user_id)
    return CaseSummaryOut(
        viewer="staff" if staff else "party",
        case=case_out(case, parties),
        outcome=case.outcome,
        outcome_name=actions.OUTCOMES.get(case.outcome or ""),
        parties=[
            PartyRowOut(
                party_ref=p.party_ref,
                role=p.role,
                kind=p.kind,
                name=p.name,
                id_number_masked=mask_id_number(p.id_number) if staff else None,
                credit_code=p.credit_code,
                represents_ref=f"p-{p.represents_id}" if p.represents_id else None,
            )
            for p in parties
        ],
        hearings=hearings,
        time_limit=_limit_out(limit),
        time_limit_events=[_event_out(r) for r in rows],
        may_close=assigned and case.status == "open",
        may_record_time_limit=case.status == "open"
        and (assigned or (staff is not None and staff.role == "court_admin")),
        may_read_dossier=staff is not None and may_read_dossier(session, staff, case, ctx.today()),
        may_read_audit=staff is not None and may_read_audit(staff, case),
    )


def _limit_out(limit: TimeLimit | None) -> TimeLimitOut | None:
    if limit is None:
        return None
    rule = RULES.procedures[limit.procedure]
    return TimeLimitOut(
        procedure=limit.procedure,
        procedure_name=rule.name,
        article=rule.article,
        source=rule.source,
        base_due_on=limit.base_due_on,
        due_on=limit.due_on,
        extended_months=limit.extended_months,
        suspended_days=limit.suspended_days,
        days_left=limit.days_left,
        state=limit.state,
    )


def _event_out(row: TimeLimitEvent) -> TimeLimitEventOut:
    return TimeLimitEventOut(
        id=row.id,
        kind=row.kind,
        months=row.months,
        approver=row.approver,
        approved_by_name=row.approved_by_name,
        ground=row.ground,
        on_date=row.on_date,
        until=row.until,
        reason=row.reason,
        recorded_at=row.recorded_at,
        recorded_by_name=row.recorded_by_name,
    )


def _staff_case(
    session: SessionDep, principal: PrincipalDep, case_id: int
) -> tuple[StaffPrincipal, DossierCase]:
    staff = require_staff(principal)
    return staff, case_for(session, staff, case_id)


@router.post("/{dossier_case_id}/close")
def close_case(
    dossier_case_id: int,
    body: CloseIn,
    ctx: ContextDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> CaseSummaryOut:
    """结案: the case's judge or clerk; status becomes ``closed`` and ``case.closed`` goes out."""
    staff, case = _staff_case(session, principal, dossier_case_id)
    actions.do_close(
        session, staff, case, outcome=body.outcome, closed_on=body.closed_on,
        today=ctx.today(), at_utc=ctx.clock(),
    )  # fmt: skip
    session.commit()
    return case_summary(dossier_case_id, ctx, session, principal)


@router.post("/{dossier_case_id}/time-limit-events", status_code=201)
def add_time_limit_event(
    dossier_case_id: int,
    body: TimeLimitEventIn,
    ctx: ContextDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> CaseSummaryOut:
    """An extension (with who approved it), a suspension (a period not counted) or its end."""
    staff, case = _staff_case(session, principal, dossier_case_id)
    if body.until is not None and body.on_date is not None and body.until < body.on_date:
        raise InvalidInputError.because("dossier_time_limit_fields", kind=body.kind)
    actions.do_record_time_limit_event(
        session, staff, case, actions.TimeLimitRequest(**body.model_dump()), at_utc=ctx.clock()
    )
    session.commit()
    return case_summary(dossier_case_id, ctx, session, principal)
