"""Refunds: the party applies from the payment link, staff record a counter application, the
finance officer lists, approves or rejects them and completes those paid by bank or in cash."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from fees.accounts import payer_of
from fees.api.deps import (
    APPROVERS,
    CASHIERS,
    ContextDep,
    SessionDep,
    StaffDep,
    Token,
    account_by_id,
    account_by_token,
    require_role,
)
from fees.api.views import refund_out
from fees.audit import actor_of
from fees.confirm import check_code
from fees.errors import ConflictError, NotFoundError
from fees.refunds import apply_refund, complete_refund, decide_refund
from fees.schemas import In, RefundOut
from fees.tables import FeeAccount, FeeRefund
from tingshen_platform.bounded import MultiLine, Name

__all__ = ["router"]

router = APIRouter(prefix="/api/fees", tags=["fees: refunds"])


class BankIn(In):
    bank: Name
    account_name: Name
    account_no: str = Field(pattern=r"^[0-9 ]{8,40}$", max_length=40)


class PartyRefundIn(In):
    code: str = Field(pattern=r"^\s*\d{6}\s*$", max_length=12)
    channel: Literal["original", "bank"]
    bank: BankIn | None = None


class CounterRefundIn(In):
    channel: Literal["original", "bank", "counter"]
    applicant: Name
    bank: BankIn | None = None


class DecisionIn(In):
    approve: bool
    note: Annotated[str, Field(max_length=500), MultiLine] = ""


class RefundRow(RefundOut):
    account_id: int
    case_number: str


class RefundPage(BaseModel):
    items: list[RefundRow]
    next_cursor: str | None


@router.post("/pay/{token}/refunds", response_model=RefundOut, status_code=201)
def party_applies(
    token: Token, body: PartyRefundIn, ctx: ContextDep, session: SessionDep
) -> RefundOut:
    """The payer applies online, confirmed with the SMS code."""
    account = account_by_token(session, token)
    check_code(session, ctx, account, body.code)
    payer = payer_of(session, ctx, account.id)
    refund = apply_refund(
        session,
        ctx,
        account,
        channel=body.channel,
        actor=("party", payer.name if payer else "交款人"),
        party_ref=payer.party_ref if payer else None,
        bank_details=body.bank.model_dump() if body.bank else None,
    )
    session.commit()
    return refund_out(refund)


@router.post("/accounts/{account_id}/refunds", response_model=RefundOut, status_code=201)
def counter_application(
    account_id: int, body: CounterRefundIn, ctx: ContextDep, session: SessionDep, staff: StaffDep
) -> RefundOut:
    """An application made at the counter, recorded by staff."""
    require_role(staff, CASHIERS, "登记退费申请")
    account = account_by_id(session, staff, account_id)
    payer = payer_of(session, ctx, account.id)
    refund = apply_refund(
        session,
        ctx,
        account,
        channel=body.channel,
        actor=("staff", f"{staff.display_name}（代{body.applicant}申请）"),
        party_ref=payer.party_ref if payer else None,
        bank_details=body.bank.model_dump() if body.bank else None,
    )
    session.commit()
    return refund_out(refund)


@router.get("/refunds", response_model=RefundPage)
def list_refunds(
    session: SessionDep,
    staff: StaffDep,
    status: Annotated[
        str | None,
        Query(pattern="^(applied|approved|rejected|processing|succeeded|failed)$", max_length=10),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,12}$", max_length=12)] = None,
) -> RefundPage:
    """The court's refunds, newest first (``status=applied``: those waiting for a decision)."""
    query = (
        select(FeeRefund, FeeAccount.case_number)
        .join(FeeAccount, FeeAccount.id == FeeRefund.account_id)
        .where(FeeAccount.court_id == staff.court_id)
    )
    if status is not None:
        query = query.where(FeeRefund.status == status)
    if cursor is not None:
        query = query.where(FeeRefund.id < int(cursor))
    rows = session.execute(query.order_by(FeeRefund.id.desc()).limit(limit + 1)).all()
    page = rows[:limit]
    return RefundPage(
        items=[
            RefundRow(**refund_out(r).model_dump(), account_id=r.account_id, case_number=number)
            for r, number in page
        ],
        next_cursor=str(page[-1][0].id) if len(rows) > limit else None,
    )


def _refund(session: SessionDep, staff: StaffDep, refund_id: int) -> FeeRefund:
    refund = session.get(FeeRefund, refund_id)
    if refund is None:
        raise NotFoundError("no such refund", "没有这笔退费", reason="fees_no_refund")
    account_by_id(session, staff, refund.account_id)  # another court's: not found
    return refund


@router.post("/refunds/{refund_id}/decision", response_model=RefundOut)
def decide(
    refund_id: int, body: DecisionIn, ctx: ContextDep, session: SessionDep, staff: StaffDep
) -> RefundOut:
    require_role(staff, APPROVERS, "审批退费")
    refund = _refund(session, staff, refund_id)
    decide_refund(session, ctx, refund, approve=body.approve, note=body.note, actor=actor_of(staff))
    session.commit()
    return refund_out(refund)


@router.post("/refunds/{refund_id}/paid", response_model=RefundOut)
def paid_out(refund_id: int, ctx: ContextDep, session: SessionDep, staff: StaffDep) -> RefundOut:
    """The finance officer made the bank transfer or paid the cash."""
    require_role(staff, APPROVERS, "办理退费")
    refund = _refund(session, staff, refund_id)
    if refund.channel == "original" or refund.status != "approved":
        raise ConflictError(
            "only an approved bank or cash refund is completed by hand",
            "只有已批准的银行或现金退费由财务人员办结（原路退回由支付平台完成）",
            reason="fees_refund_state",
        )
    complete_refund(session, ctx, refund, actor=actor_of(staff))
    session.commit()
    return refund_out(refund)
