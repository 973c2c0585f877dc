"""Staff: a case's fee account in real time (by notice code or case number), its notice
versions, sending the notice, and the court's accounts page by page."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import Field
from sqlalchemy import select

from fees.accounts import current_notice, issue_version
from fees.api.deps import (
    ADJUSTERS,
    CASHIERS,
    ContextDep,
    SessionDep,
    StaffDep,
    account_by_code,
    account_by_id,
    require_role,
)
from fees.api.views import account_out, account_summary
from fees.audit import actor_of, record
from fees.counter import record_payment
from fees.errors import ConflictError, InvalidInputError, NotFoundError
from fees.notice_document import render_notice
from fees.schemas import AccountOut, AccountPage, AdjustIn, In, SendIn
from fees.sending import queue_notice
from fees.tables import FeeAccount, FeeNotice, FeeReceipt, FeeSend
from tingshen_platform.bounded import Name

__all__ = ["router"]

router = APIRouter(prefix="/api/fees", tags=["fees"])


@router.get("/accounts", response_model=AccountPage)
def list_accounts(
    ctx: ContextDep,
    session: SessionDep,
    staff: StaffDep,
    status: Annotated[str | None, Query(pattern="^(open|closed)$", max_length=6)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,12}$", max_length=12)] = None,
) -> AccountPage:
    """The court's accounts, newest first."""
    query = select(FeeAccount).where(FeeAccount.court_id == staff.court_id)
    if status is not None:
        query = query.where(FeeAccount.status == status)
    if cursor is not None:
        query = query.where(FeeAccount.id < int(cursor))
    rows = session.scalars(query.order_by(FeeAccount.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return AccountPage(
        items=[account_summary(session, a, ctx.today()) for a in rows],
        next_cursor=str(rows[-1].id) if more and rows else None,
    )


@router.get("/lookup", response_model=AccountOut)
def lookup_account(
    q: Annotated[str, Query(min_length=1, max_length=100)],
    ctx: ContextDep,
    session: SessionDep,
    staff: StaffDep,
) -> AccountOut:
    """The account of a notice code (spaces allowed, its check digits checked) or a case
    number, in real time."""
    return account_out(session, ctx, account_by_code(session, staff, q))


@router.get("/accounts/{account_id}", response_model=AccountOut)
def get_account(
    account_id: int, ctx: ContextDep, session: SessionDep, staff: StaffDep
) -> AccountOut:
    return account_out(session, ctx, account_by_id(session, staff, account_id))


@router.post("/accounts/{account_id}/notices", response_model=AccountOut, status_code=201)
def adjust_notice(
    account_id: int, body: AdjustIn, ctx: ContextDep, session: SessionDep, staff: StaffDep
) -> AccountOut:
    """A new notice version: a changed claim, or a reduction, deferral or waiver the court
    granted (诉讼费用交纳办法 第四十四条以下)."""
    require_role(staff, ADJUSTERS, "调整缴费通知")
    account = account_by_id(session, staff, account_id)
    notice = issue_version(
        session,
        ctx,
        account,
        reason=body.reason,
        note=body.note,
        actor=actor_of(staff),
        claim_amount_fen=body.claim_amount_fen,
        amount_fen=body.amount_fen,
        deadline=body.deadline,
    )
    if body.send and notice.amount_fen > 0:
        queue_notice(session, ctx, account, notice, actor=actor_of(staff))
    session.commit()
    return account_out(session, ctx, account)


@router.post("/accounts/{account_id}/sends", response_model=AccountOut, status_code=201)
def send_notice(
    account_id: int, body: SendIn, ctx: ContextDep, session: SessionDep, staff: StaffDep
) -> AccountOut:
    """Send the notice in force again (SMS, e-mail), or record that it was posted (快递)."""
    require_role(staff, ADJUSTERS, "发送缴费通知")
    account = account_by_id(session, staff, account_id)
    notice = current_notice(session, account.id)
    if notice is None or account.status != "open":
        raise ConflictError(
            "the account has no notice to send",
            "该案件没有可发送的缴费通知（或已结案）",
            reason="fees_nothing_to_send",
        )
    if not body.channels and body.express_waybill is None:
        raise InvalidInputError(
            "choose SMS, e-mail or express",
            "请选择短信、电子邮件，或填写快递单号",
            reason="fees_send_channel",
        )
    actor = actor_of(staff)
    sends = queue_notice(session, ctx, account, notice, actor=actor, channels=body.channels)
    if body.channels and not sends:
        raise ConflictError(
            "the payer has no phone or e-mail on file",
            "交费人没有登记手机号或电子邮箱，请改用邮寄送达",
            reason="fees_no_address",
        )
    if body.express_waybill is not None:
        session.add(
            FeeSend(
                account_id=account.id,
                notice_id=notice.id,
                purpose="notice",
                channel="express",
                address=body.express_waybill,
                party_ref=notice.payer_ref,
                text=None,
                status="sent",
                attempts=1,
                created_at=ctx.now(),
                sent_at=ctx.now(),
                created_by=actor[1],
            )
        )
        record(
            session,
            actor,
            "notice.posted",
            at=ctx.now(),
            account_id=account.id,
            details={"version": notice.version, "waybill": body.express_waybill},
        )
    session.commit()
    return account_out(session, ctx, account)


@router.get("/accounts/{account_id}/notices/{version}/pdf")
def notice_file(
    account_id: int,
    version: Annotated[int, Path(ge=1, le=1000)],
    ctx: ContextDep,
    session: SessionDep,
    staff: StaffDep,
) -> Response:
    """A notice version as its PDF, sealed by the court (for printing and posting)."""
    account = account_by_id(session, staff, account_id)
    notice = session.scalars(
        select(FeeNotice).where(FeeNotice.account_id == account.id, FeeNotice.version == version)
    ).first()
    if notice is None:
        raise NotFoundError("no such notice version", "没有这一版缴费通知", reason="fees_not_found")
    return _pdf(render_notice(session, ctx, account, notice), f"notice-{version}.pdf")


def _pdf(data: bytes, name: str) -> Response:
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


class PaymentIn(In):
    amount_fen: int = Field(ge=1, le=10**12)
    channel: Literal["bank_transfer", "cash"]
    reference: str = Field(min_length=4, max_length=64, pattern=r"^[0-9A-Za-z\-]+$")
    """The bank's serial number (流水号) or the cash voucher's number."""
    payer_name: Name


@router.post("/accounts/{account_id}/payments", response_model=AccountOut, status_code=201)
def record_counter_payment(
    account_id: int, body: PaymentIn, ctx: ContextDep, session: SessionDep, staff: StaffDep
) -> AccountOut:
    """A bank transfer to the court's fee account, or cash at the counter (filing clerks and
    finance)."""
    require_role(staff, CASHIERS, "登记缴费")
    account = account_by_id(session, staff, account_id)
    record_payment(
        session,
        ctx,
        account,
        amount_fen=body.amount_fen,
        channel=body.channel,
        reference=body.reference,
        payer_name=body.payer_name,
        actor=actor_of(staff),
    )
    session.commit()
    return account_out(session, ctx, account)


@router.get("/accounts/{account_id}/receipt")
def receipt_file(
    account_id: int,
    number: Annotated[str, Query(pattern=r"^\d{16}$", max_length=16)],
    ctx: ContextDep,
    session: SessionDep,
    staff: StaffDep,
) -> Response:
    """A receipt of the account as its sealed PDF."""
    account = account_by_id(session, staff, account_id)
    receipt = session.scalars(
        select(FeeReceipt).where(FeeReceipt.number == number, FeeReceipt.account_id == account.id)
    ).first()
    if receipt is None or receipt.blob_key is None:
        raise NotFoundError(
            "no such receipt (yet)", "票据尚未生成，请稍后刷新", reason="fees_receipt_pending"
        )
    return _pdf(ctx.files.get(receipt.blob_key), f"receipt-{number}.pdf")
