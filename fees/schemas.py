"""What the fee service's API answers and takes (money in fen, integers; yuan as text beside)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tingshen_platform.bounded import CourtDate, MultiLine

__all__ = [
    "AccountOut",
    "AccountPage",
    "AccountSummary",
    "AdjustIn",
    "BalancesOut",
    "In",
    "MovementOut",
    "NoticeOut",
    "OrderOut",
    "PartyOut",
    "ReceiptOut",
    "RefundOut",
    "SendIn",
    "SendOut",
]


class In(BaseModel):
    """What a request sends: an unknown field is refused."""

    model_config = ConfigDict(extra="forbid")


class BalancesOut(BaseModel):
    assessed_fen: int
    paid_fen: int
    refunded_fen: int
    balance_fen: int
    outstanding_fen: int
    refundable_fen: int


class PartyOut(BaseModel):
    party_ref: str
    role: str
    name: str
    phone: str | None
    """Masked (``*******0001``)."""
    email: str | None
    is_payer: bool


class NoticeOut(BaseModel):
    version: int
    amount_fen: int
    amount_yuan: str
    deadline: date
    reason: str
    reason_text: str | None
    issued_at: datetime
    issued_by: str
    payer_name: str | None
    breakdown: dict[str, Any]


class SendOut(BaseModel):
    id: int
    purpose: str
    channel: str
    address: str
    """Masked for phones."""
    party_name: str | None
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    created_by: str
    notice_version: int | None


class OrderOut(BaseModel):
    out_trade_no: str
    amount_fen: int
    status: str
    channel: str
    payer_name: str
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None
    transaction_id: str | None
    booked_by: str | None


class ReceiptOut(BaseModel):
    number: str
    amount_fen: int
    issued_at: datetime
    ready: bool


class RefundOut(BaseModel):
    id: int
    out_refund_no: str
    amount_fen: int
    channel: str
    bank: dict[str, Any] | None
    """Where a bank refund goes: ``bank``, ``account_name``, ``account_no``."""
    status: str
    applied_by: str
    applied_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    completed_at: datetime | None


class MovementOut(BaseModel):
    kind: str
    reference: str
    memo: str
    at: datetime
    actor: str
    postings: list[dict[str, Any]]


class AccountSummary(BaseModel):
    id: int
    notice_code: str
    notice_code_display: str
    case_number: str
    cause_name: str
    court_name: str
    status: str
    filed_on: date
    amount_fen: int
    balances: BalancesOut
    deadline: date | None
    """The notice in force's last day to pay."""
    overdue: bool
    """Still owing after the deadline (诉讼费用交纳办法 第二十二条: treated as withdrawn unless
    relief was asked for): the judge is told on the staff page."""


class AccountPage(BaseModel):
    items: list[AccountSummary]
    next_cursor: str | None


class AccountOut(AccountSummary):
    procedure: str
    claim_amount_fen: int | None
    fee_kind: str
    closed_on: date | None
    outcome: str | None
    pay_link: str
    parties: list[PartyOut]
    notices: list[NoticeOut]
    sends: list[SendOut]
    orders: list[OrderOut]
    receipts: list[ReceiptOut]
    refunds: list[RefundOut]
    movements: list[MovementOut]


class AdjustIn(In):
    reason: Literal["claim_changed", "reduced", "deferred", "waived"]
    note: Annotated[str, Field(max_length=500), MultiLine] = ""
    claim_amount_fen: int | None = Field(default=None, ge=0, le=10**14)
    amount_fen: int | None = Field(default=None, ge=0, le=10**14)
    deadline: CourtDate | None = None
    send: bool = True


class SendIn(In):
    channels: list[Literal["sms", "email"]] = Field(default_factory=list, max_length=2)
    express_waybill: str | None = Field(
        default=None, min_length=6, max_length=40, pattern=r"^[0-9A-Za-z\-]+$"
    )
    """Staff posted the printed notice: the waybill number (快递单号) is recorded."""
