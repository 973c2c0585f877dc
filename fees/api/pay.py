"""The payment link (SMS, e-mail, the notice's QR code): what a party sees and does with no
account or session: what is due, a code by SMS, the WeChat Pay QR code, the payment's state,
receipts; and the receipt check anyone can do with a receipt's number and verification code."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated

import segno
from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from fees import ledger
from fees.accounts import current_notice, payer_of
from fees.api.deps import ContextDep, SessionDep, Token, account_by_token
from fees.api.views import balances_out, mask_phone, receipts_out, refunds_out
from fees.checkout import due_for_query, start_order, sync_order
from fees.codes import format_notice_code
from fees.confirm import check_code, send_code
from fees.errors import ConflictError, InvalidInputError, NotFoundError
from fees.notice_document import render_notice
from fees.schemas import BalancesOut, In, ReceiptOut, RefundOut
from fees.tables import FeeAccount, FeeNotice, FeeOrder, FeeReceipt

__all__ = ["router"]

router = APIRouter(prefix="/api/fees", tags=["fees: payment link"])


class NoticeLine(BaseModel):
    version: int
    amount_fen: int
    reason: str
    """``filed``, ``claim_changed``, ``reduced``, ``deferred``, ``waived``, ``halved``."""
    reason_text: str | None
    deadline: str


class PayView(BaseModel):
    court_name: str
    case_number: str
    cause_name: str
    notice_code_display: str
    status: str
    payer_name: str | None
    payer_phone: str | None
    """Masked; where the confirmation code goes (``None``: the person gives a phone)."""
    deadline: str | None
    balances: BalancesOut
    notices: list[NoticeLine]
    receipts: list[ReceiptOut]
    refunds: list[RefundOut]
    waiting_order: str | None
    online: bool


class CodeIn(In):
    phone: str | None = Field(default=None, pattern=r"^1\d{10}$", max_length=11)


class ConfirmIn(In):
    code: str = Field(pattern=r"^\s*\d{6}\s*$", max_length=12)


class OrderView(BaseModel):
    out_trade_no: str
    amount_fen: int
    status: str
    expires_at: str
    code_url: str | None
    qr_svg: str | None
    receipt_number: str | None


@router.get("/pay/{token}", response_model=PayView)
def pay_view(token: Token, ctx: ContextDep, session: SessionDep) -> PayView:
    account = account_by_token(session, token)
    payer = payer_of(session, ctx, account.id)
    notice = current_notice(session, account.id)
    waiting = session.scalars(
        select(FeeOrder.out_trade_no)
        .where(
            FeeOrder.account_id == account.id,
            FeeOrder.status == "created",
            FeeOrder.expires_at > ctx.now(),
            FeeOrder.code_url.is_not(None),
        )
        .order_by(FeeOrder.id.desc())
    ).first()
    return PayView(
        court_name=account.court_name,
        case_number=account.case_number,
        cause_name=account.cause_name,
        notice_code_display=format_notice_code(account.notice_code or ""),
        status=account.status,
        payer_name=payer.name if payer else None,
        payer_phone=mask_phone(payer.phone) if payer else None,
        deadline=notice.deadline.isoformat() if notice else None,
        balances=balances_out(ledger.balances(session, account.id)),
        notices=[
            NoticeLine(
                version=n.version,
                amount_fen=n.amount_fen,
                reason=n.reason,
                reason_text=n.reason_text,
                deadline=n.deadline.isoformat(),
            )
            for n in session.scalars(
                select(FeeNotice)
                .where(FeeNotice.account_id == account.id)
                .order_by(FeeNotice.version)
            )
        ],
        receipts=receipts_out(session, account.id),
        refunds=refunds_out(session, account.id),
        waiting_order=waiting,
        online=ctx.provider is not None,
    )


@router.post("/pay/{token}/code", status_code=204)
def ask_code(token: Token, body: CodeIn, ctx: ContextDep, session: SessionDep) -> Response:
    """A confirmation code by SMS to the payer's phone on file (or, when none is on file, to the
    phone given)."""
    account = account_by_token(session, token)
    payer = payer_of(session, ctx, account.id)
    phone = payer.phone if payer and payer.phone else body.phone
    if phone is None:
        raise InvalidInputError(
            "give a mobile number for the code", "请填写接收验证码的手机号", reason="fees_phone"
        )
    send_code(session, ctx, account, phone)
    return Response(status_code=204)


def _order_view(order: FeeOrder, receipt: FeeReceipt | None) -> OrderView:
    qr = (
        segno.make(order.code_url, error="m").svg_inline(scale=6, border=2)
        if order.code_url and order.status == "created"
        else None
    )
    return OrderView(
        out_trade_no=order.out_trade_no,
        amount_fen=order.amount_fen,
        status=order.status,
        expires_at=order.expires_at.isoformat(),
        code_url=order.code_url,
        qr_svg=qr,
        receipt_number=receipt.number if receipt else None,
    )


@router.post("/pay/{token}/orders", response_model=OrderView, status_code=201)
async def create_order(token: Token, body: ConfirmIn, ctx: ContextDep) -> OrderView:
    """Confirm with the SMS code, then get the WeChat Pay QR code for what is due."""

    def confirm() -> tuple[int, str | None, str]:
        with ctx.session_factory() as session:
            account = account_by_token(session, token)
            if account.status != "open":
                raise ConflictError("the case has ended", "案件已结案，无需再缴费")
            phone = check_code(session, ctx, account, body.code)
            payer = payer_of(session, ctx, account.id)
            return account.id, payer.party_ref if payer else None, phone

    account_id, payer_ref, phone = await asyncio.to_thread(confirm)
    order = await start_order(ctx, account_id, payer_ref, phone)
    return _order_view(order, None)


@router.get("/pay/{token}/orders/{out_trade_no}", response_model=OrderView)
async def order_state(
    token: Token,
    out_trade_no: Annotated[str, Path(max_length=32, pattern=r"^[0-9A-Za-z]+$")],
    ctx: ContextDep,
) -> OrderView:
    """The order's state; while it waits, the provider is asked at most every 5 seconds (the
    payment is booked from that answer when its notification is late or lost)."""

    def load() -> tuple[FeeOrder, FeeReceipt | None]:
        with ctx.session_factory() as session:
            account = account_by_token(session, token)
            order = session.scalars(
                select(FeeOrder).where(
                    FeeOrder.out_trade_no == out_trade_no, FeeOrder.account_id == account.id
                )
            ).first()
            if order is None:
                raise NotFoundError("no such order", "没有这笔缴费订单", reason="fees_no_order")
            receipt = session.scalars(
                select(FeeReceipt).where(FeeReceipt.order_id == order.id)
            ).first()
            return order, receipt

    order, receipt = await asyncio.to_thread(load)
    if ctx.provider is not None and due_for_query(order, ctx.now(), timedelta(seconds=5)):
        await sync_order(ctx, out_trade_no)
        order, receipt = await asyncio.to_thread(load)
    return _order_view(order, receipt)


@router.get("/pay/{token}/receipt")
def receipt_file(
    token: Token,
    number: Annotated[str, Query(pattern=r"^\d{16}$", max_length=16)],
    ctx: ContextDep,
    session: SessionDep,
) -> Response:
    account = account_by_token(session, token)
    receipt = session.scalars(
        select(FeeReceipt).where(FeeReceipt.number == number, FeeReceipt.account_id == account.id)
    ).first()
    if receipt is None or receipt.blob_key is None:
        raise NotFoundError(
            "no such receipt (yet)", "票据尚未生成，请稍后刷新", reason="fees_receipt_pending"
        )
    return Response(
        ctx.files.get(receipt.blob_key),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="receipt-{number}.pdf"'},
    )


class ReceiptCheck(BaseModel):
    valid: bool
    court_name: str | None = None
    case_number: str | None = None
    amount_fen: int | None = None
    paid_at: str | None = None
    payer_name: str | None = None
    sha256: str | None = None


@router.get("/receipts/verify", response_model=ReceiptCheck)
def verify_receipt(
    ctx: ContextDep,
    session: SessionDep,
    number: Annotated[str, Query(pattern=r"^\d{16}$", max_length=16)],
    code: Annotated[str, Query(pattern=r"^[0-9A-Z]{8}$", max_length=8)],
) -> ReceiptCheck:
    """Anyone holding a receipt checks it: its number and verification code (printed on it)."""
    receipt = session.scalars(select(FeeReceipt).where(FeeReceipt.number == number)).first()
    if receipt is None or receipt.verify_code != code:
        return ReceiptCheck(valid=False)
    order = session.get(FeeOrder, receipt.order_id)
    account = session.get(FeeAccount, receipt.account_id)
    assert order is not None and order.paid_at is not None and account is not None
    name = order.payer_name
    return ReceiptCheck(
        valid=True,
        court_name=account.court_name,
        case_number=account.case_number,
        amount_fen=order.amount_fen,
        paid_at=order.paid_at.isoformat(),
        payer_name=name[0] + "*" * (len(name) - 1),
        sha256=receipt.sha256,
    )


@router.get("/pay/{token}/notice")
def party_notice(token: Token, ctx: ContextDep, session: SessionDep) -> Response:
    """The notice in force, as its PDF."""
    account = account_by_token(session, token)
    notice = current_notice(session, account.id)
    if notice is None:
        raise NotFoundError("no notice", "没有缴费通知", reason="fees_not_found")
    return Response(
        render_notice(session, ctx, account, notice),
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="notice.pdf"'},
    )
