"""State changes of the register, one ``do_*`` each: check, write, audit and publish in one
transaction (the caller commits).

- :func:`do_close` (结案): the case's judge or clerk; outcome from ``data/outcomes.json``;
  publishes ``case.closed``.
- :func:`do_record_time_limit_event`: an extension, a suspension or the end of one (the case's
  judge or clerk, or a court administrator), checked against the law's rule
  (:mod:`dossier.time_limits`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from court_events.dossier import CASE_CLOSED, CaseClosed
from dossier import audit
from dossier.errors import ConflictError, ForbiddenError, InvalidInputError
from dossier.filing.case_numbers import parse_case_number
from dossier.models import DossierCase
from dossier.register.tables import TimeLimitEvent
from dossier.time_limits import (
    RULES,
    Extension,
    Suspension,
    TimeLimit,
    compute,
    extension_refusal,
    rule_key,
)
from tingshen_platform.events import publish
from tingshen_platform.identity import StaffPrincipal

__all__ = [
    "OUTCOMES",
    "TimeLimitRequest",
    "do_close",
    "do_record_time_limit_event",
    "require_open",
    "rule_of",
    "time_limit_of",
]

OUTCOMES: dict[str, str] = json.loads(
    (Path(__file__).resolve().parent.parent / "data" / "outcomes.json").read_text("utf-8")
)["outcomes"]
"""结案方式: code -> Chinese name."""


def require_open(case: DossierCase) -> None:
    """A closed (or archived) case takes no more filing-type changes: 409."""
    if case.status != "open":
        raise ConflictError.because("dossier_case_closed", status=case.status)


def _require_case_staff(staff: StaffPrincipal, case: DossierCase, *, admin: bool) -> None:
    if staff.user_id in (case.judge_user_id, case.clerk_user_id):
        return
    if admin and staff.role == "court_admin":
        return
    raise ForbiddenError.because("dossier_role", role=staff.role)


def do_close(
    session: Session,
    staff: StaffPrincipal,
    case: DossierCase,
    *,
    outcome: str,
    closed_on: date,
    today: date,
    at_utc: datetime,
) -> None:
    _require_case_staff(staff, case, admin=False)
    require_open(case)
    if outcome not in OUTCOMES:
        raise InvalidInputError.because("dossier_outcome_unknown", outcome=outcome)
    if closed_on > today or closed_on < case.filed_on:
        raise InvalidInputError.because(
            "dossier_close_date", filed_on=case.filed_on.isoformat(), today=today.isoformat()
        )
    # One closing however many arrive at once: the row changes only while it is still open.
    changed = session.execute(
        update(DossierCase)
        .where(DossierCase.id == case.id, DossierCase.status == "open")
        .values(status="closed", outcome=outcome, closed_on=closed_on)
        .execution_options(synchronize_session=False)
    )
    if getattr(changed, "rowcount", 0) != 1:
        raise ConflictError.because("dossier_case_closed", status="closed")
    session.refresh(case)
    audit.record(
        session,
        staff,
        "case.closed",
        at=at_utc,
        case_id=case.id,
        entity="case",
        entity_id=case.id,
        details={"outcome": outcome, "closed_on": closed_on.isoformat()},
    )
    session.flush()
    publish(
        session.connection(),
        CASE_CLOSED,
        CaseClosed(
            dossier_case_id=case.id,
            court_id=case.court_id,
            case_number=case.case_number,
            closed_on=closed_on,
            outcome=outcome,
        ),
        occurred_at=at_utc,
        stream=f"case:{case.id}",
    )


def events_of(session: Session, case_id: int) -> list[TimeLimitEvent]:
    return list(
        session.scalars(
            select(TimeLimitEvent)
            .where(TimeLimitEvent.case_id == case_id)
            .order_by(TimeLimitEvent.id)
        )
    )


def rule_events(rows: list[TimeLimitEvent]) -> list[Extension | Suspension]:
    """The rows as the pure rule reads them: extensions, and suspensions with their ends (a
    ``resumption`` ends the suspension still open)."""
    out: list[Extension | Suspension] = []
    open_at: int | None = None
    for row in rows:
        if row.kind == "extension" and row.months and row.approver:
            out.append(Extension(row.months, row.approver))
        elif row.kind == "suspension" and row.on_date is not None:
            out.append(Suspension(row.on_date, row.until))
            open_at = None if row.until is not None else len(out) - 1
        elif row.kind == "resumption" and row.on_date is not None and open_at is not None:
            started = out[open_at]
            assert isinstance(started, Suspension)
            out[open_at] = Suspension(started.starts_on, row.on_date)
            open_at = None
    return out


def rule_of(case: DossierCase) -> str | None:
    """The time-limit rule of ``case`` (:func:`dossier.time_limits.rule_key`). A case without a
    recorded type code (one the hearing server announced) takes it from its case number; one
    whose number is not standard either counts as first-instance civil, as the hearing
    server's cases are."""
    type_code = case.type_code
    if type_code is None:
        parsed = parse_case_number(case.case_number)
        type_code = parsed.type_code if parsed is not None else "民初"
    return rule_key(RULES, type_code, case.procedure)


def time_limit_of(case: DossierCase, rows: list[TimeLimitEvent], today: date) -> TimeLimit | None:
    return compute(
        RULES, rule_of(case), case.filed_on,
        rule_events(rows), today=today, closed_on=case.closed_on,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class TimeLimitRequest:
    kind: str
    months: int | None = None
    approver: str | None = None
    approved_by_name: str | None = None
    ground: str | None = None
    on_date: date | None = None
    until: date | None = None
    reason: str | None = None


def _check(req: TimeLimitRequest, case: DossierCase, rows: list[TimeLimitEvent]) -> None:
    events = rule_events(rows)
    suspended_now = any(isinstance(e, Suspension) and e.ends_on is None for e in events)
    if req.kind == "extension":
        if req.months is None or req.approver is None or not req.approved_by_name:
            raise InvalidInputError.because("dossier_time_limit_fields", kind=req.kind)
        earlier = [e for e in events if isinstance(e, Extension)]
        refusal = extension_refusal(
            RULES, rule_of(case), earlier,
            Extension(req.months, req.approver),
        )  # fmt: skip
        if refusal is not None:
            raise InvalidInputError.because(refusal)
        return
    if RULES.procedures.get(rule_of(case) or "") is None:
        raise InvalidInputError.because("dossier_time_limit_unknown")
    if req.on_date is None or req.on_date < case.filed_on:
        raise InvalidInputError.because("dossier_time_limit_fields", kind=req.kind)
    if req.kind == "suspension":
        if req.ground not in RULES.suspension_grounds:
            raise InvalidInputError.because("dossier_time_limit_fields", kind=req.kind)
        if req.until is not None and req.until < req.on_date:
            raise InvalidInputError.because("dossier_time_limit_fields", kind=req.kind)
        if suspended_now:
            raise ConflictError.because("dossier_suspension_open")
        return
    start = (
        next(e for e in reversed(events) if isinstance(e, Suspension)) if suspended_now else None
    )
    if start is None:
        raise ConflictError.because("dossier_no_open_suspension")
    if req.on_date < start.starts_on:
        raise InvalidInputError.because("dossier_time_limit_fields", kind=req.kind)


def do_record_time_limit_event(
    session: Session,
    staff: StaffPrincipal,
    case: DossierCase,
    req: TimeLimitRequest,
    *,
    at_utc: datetime,
) -> TimeLimitEvent:
    _require_case_staff(staff, case, admin=True)
    require_open(case)
    rows = events_of(session, case.id)
    _check(req, case, rows)
    row = TimeLimitEvent(
        case_id=case.id,
        kind=req.kind,
        months=req.months if req.kind == "extension" else None,
        approver=req.approver if req.kind == "extension" else None,
        approved_by_name=req.approved_by_name if req.kind == "extension" else None,
        ground=req.ground if req.kind == "suspension" else None,
        on_date=req.on_date if req.kind != "extension" else None,
        until=req.until if req.kind == "suspension" else None,
        reason=req.reason,
        recorded_at=at_utc,
        recorded_by_id=staff.user_id,
        recorded_by_name=staff.display_name,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        staff,
        f"time_limit.{req.kind}",
        at=at_utc,
        case_id=case.id,
        entity="time_limit_event",
        entity_id=row.id,
        details={
            "months": row.months,
            "approver": row.approver,
            "ground": row.ground,
            "on_date": row.on_date.isoformat() if row.on_date else None,
            "until": row.until.isoformat() if row.until else None,
        },
    )
    return row
