"""The finance officer's work besides refunds: the day's reconciliation against the provider's
bill, and the provider notifications that were flagged (forged, stale, for an unknown order or
a wrong amount)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from fees.api.deps import APPROVERS, ContextDep, SessionDep, StaffDep, require_role
from fees.audit import actor_of
from fees.errors import InvalidInputError, NotFoundError
from fees.reconciliation import run_reconciliation
from fees.schemas import In
from fees.tables import FeeNotification, FeeReconciliation
from tingshen_platform.bounded import CourtDate

__all__ = ["router"]

router = APIRouter(prefix="/api/fees", tags=["fees: finance"])


class ReconcileIn(In):
    bill_date: CourtDate


class ReconciliationOut(BaseModel):
    id: int
    bill_date: date
    created_at: datetime
    created_by: str
    bill_lines: int
    summary: dict[str, Any]


class ReconciliationDetail(ReconciliationOut):
    items: dict[str, Any]


class ReconciliationPage(BaseModel):
    items: list[ReconciliationOut]
    next_cursor: str | None


class NotificationOut(BaseModel):
    id: int
    received_at: datetime
    event_type: str | None
    reference: str | None
    outcome: str
    detail: str | None
    flagged: bool


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None


def _detail(row: FeeReconciliation) -> ReconciliationDetail:
    return ReconciliationDetail(
        id=row.id,
        bill_date=row.bill_date,
        created_at=row.created_at,
        created_by=row.created_by,
        bill_lines=row.bill_lines,
        summary=row.summary,
        items=row.items,
    )


@router.post("/reconciliations", response_model=ReconciliationDetail, status_code=201)
async def reconcile_day(
    body: ReconcileIn, ctx: ContextDep, staff: StaffDep
) -> ReconciliationDetail:
    """Fetch the provider's trade bill of ``bill_date`` and reconcile it (finance only)."""
    require_role(staff, APPROVERS, "对账")
    if body.bill_date >= ctx.today():
        raise InvalidInputError(
            "the bill of a day is ready the next day",
            "只能核对今天以前的账单（次日才出账单）",
            reason="fees_bill_date",
        )
    row_id = await run_reconciliation(ctx, body.bill_date, actor_of(staff))
    with ctx.session_factory() as session:
        row = session.get(FeeReconciliation, row_id)
        assert row is not None
        return _detail(row)


@router.get("/reconciliations", response_model=ReconciliationPage)
def list_reconciliations(
    session: SessionDep,
    staff: StaffDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,12}$", max_length=12)] = None,
) -> ReconciliationPage:
    require_role(staff, APPROVERS, "查看对账记录")
    query = select(FeeReconciliation)
    if cursor is not None:
        query = query.where(FeeReconciliation.id < int(cursor))
    rows = session.scalars(query.order_by(FeeReconciliation.id.desc()).limit(limit + 1)).all()
    page = rows[:limit]
    return ReconciliationPage(
        items=[ReconciliationOut(**_detail(r).model_dump(exclude={"items"})) for r in page],
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )


@router.get("/reconciliations/{reconciliation_id}", response_model=ReconciliationDetail)
def get_reconciliation(
    reconciliation_id: int, session: SessionDep, staff: StaffDep
) -> ReconciliationDetail:
    require_role(staff, APPROVERS, "查看对账记录")
    row = session.get(FeeReconciliation, reconciliation_id)
    if row is None:
        raise NotFoundError("no such reconciliation", "没有这次对账记录", reason="fees_not_found")
    return _detail(row)


@router.get("/notifications", response_model=NotificationPage)
def list_notifications(
    session: SessionDep,
    staff: StaffDep,
    flagged: bool = True,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,12}$", max_length=12)] = None,
) -> NotificationPage:
    """What the provider sent about this court's orders (and what could not be read at all),
    newest first (``flagged``: only those that need a look)."""
    require_role(staff, APPROVERS, "查看支付通知")
    prefix = f"{staff.court_id:04d}%"  # references start with the court's notice codes
    query = select(FeeNotification).where(
        FeeNotification.reference.like(prefix) | FeeNotification.reference.is_(None)
    )
    if flagged:
        query = query.where(FeeNotification.flagged)
    if cursor is not None:
        query = query.where(FeeNotification.id < int(cursor))
    rows = session.scalars(query.order_by(FeeNotification.id.desc()).limit(limit + 1)).all()
    page = rows[:limit]
    return NotificationPage(
        items=[
            NotificationOut(
                id=n.id,
                received_at=n.received_at,
                event_type=n.event_type,
                reference=n.reference,
                outcome=n.outcome,
                detail=n.detail,
                flagged=n.flagged,
            )
            for n in page
        ],
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )
