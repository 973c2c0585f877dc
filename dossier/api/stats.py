"""Statistics of the court's cases for its management (court administrators and judges): as
JSON for the page's charts and as CSV (UTF-8 with a byte-order mark, so that Excel reads the
Chinese)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dossier.access import require_role, require_staff
from dossier.deps import ContextDep, PrincipalDep, SessionDep
from dossier.errors import ForbiddenError, InvalidInputError
from dossier.models import DossierCase
from dossier.register.actions import time_limit_of
from dossier.register.schemas import CourtDate
from dossier.register.stats import CaseFacts, Stats, compute_stats, csv_rows
from dossier.register.tables import TimeLimitEvent
from tingshen_platform.identity import Principal, StaffPrincipal

router = APIRouter(prefix="/api/dossier", tags=["dossier: statistics"])

MAX_MONTHS = 120


class WarningOut(BaseModel):
    case_id: int
    case_number: str
    judge_name: str | None
    due_on: date
    days_left: int
    state: str


class StatsOut(BaseModel):
    start: date
    end: date
    months: list[tuple[str, int, int]]
    causes: list[tuple[str, int]]
    judges: list[tuple[str, int, int, int]]
    open_by_age: list[tuple[str, int]]
    warnings: list[WarningOut]


def _manager(principal: Principal | None) -> StaffPrincipal:
    if principal is not None and not isinstance(principal, StaffPrincipal):
        raise ForbiddenError.because("dossier_staff_only")
    staff = require_staff(principal)
    require_role(staff, "court_admin", "judge")
    return staff


def _range(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    end = end or today
    start = start or date(end.year, 1, 1)
    if start > end or (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
        raise InvalidInputError.because("dossier_stats_range", months=MAX_MONTHS)
    return start, end


def court_stats(session: Session, court_id: int, start: date, end: date, today: date) -> Stats:
    cases = list(
        session.scalars(
            select(DossierCase).where(
                DossierCase.court_id == court_id,
                or_(
                    DossierCase.filed_on.between(start, end),
                    DossierCase.closed_on.between(start, end),
                    DossierCase.status == "open",
                ),
            )
        )
    )
    events: dict[int, list[TimeLimitEvent]] = defaultdict(list)
    for row in session.scalars(
        select(TimeLimitEvent)
        .join(DossierCase, DossierCase.id == TimeLimitEvent.case_id)
        .where(DossierCase.court_id == court_id, DossierCase.status == "open")
        .order_by(TimeLimitEvent.id)
    ):
        events[row.case_id].append(row)
    facts = (
        CaseFacts(
            id=c.id,
            case_number=c.case_number,
            cause_name=c.cause_name,
            judge_name=c.judge_name,
            status=c.status,
            filed_on=c.filed_on,
            closed_on=c.closed_on,
            time_limit=time_limit_of(c, events[c.id], today) if c.status == "open" else None,
        )
        for c in cases
    )
    return compute_stats(facts, start=start, end=end, today=today)


From = Annotated[CourtDate | None, Query(alias="from")]
To = Annotated[CourtDate | None, Query(alias="to")]


@router.get("/stats")
def stats(
    ctx: ContextDep,
    session: SessionDep,
    principal: PrincipalDep,
    start: From = None,
    end: To = None,
) -> StatsOut:
    """``from``/``to``: the range of filing and closing dates (default: this year so far)."""
    staff = _manager(principal)
    first, last = _range(start, end, ctx.today())
    s = court_stats(session, staff.court_id, first, last, ctx.today())
    return StatsOut(
        start=s.start,
        end=s.end,
        months=s.months,
        causes=s.causes,
        judges=s.judges,
        open_by_age=s.open_by_age,
        warnings=[WarningOut.model_validate(w, from_attributes=True) for w in s.warnings],
    )


@router.get("/stats.csv", response_class=Response)
def stats_csv(
    ctx: ContextDep,
    session: SessionDep,
    principal: PrincipalDep,
    start: From = None,
    end: To = None,
) -> Response:
    staff = _manager(principal)
    first, last = _range(start, end, ctx.today())
    s = court_stats(session, staff.court_id, first, last, ctx.today())
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(s))
    filename = f"case-stats-{first.isoformat()}-{last.isoformat()}.csv"
    return Response(
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
