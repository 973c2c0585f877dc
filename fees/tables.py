"""The fee service's tables (their own metadata and Alembic version table ``alembic_version_fees``).

One case, one account (``fee_accounts``): its notice code, its notices (every version kept), the
parties who may pay, orders at the payment provider, the provider's notifications as received,
receipts and refunds. Money moves only in the double-entry ledger (``fee_entries`` with their
``fee_postings``, which sum to zero per entry); what a party owes or may get back is derived from
the postings, never stored alone (:mod:`fees.ledger`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tingshen_platform.sqltypes import UTCDateTime

__all__ = [
    "Base",
    "FeeAccount",
    "FeeAudit",
    "FeeCode",
    "FeeEntry",
    "FeeNotice",
    "FeeNotification",
    "FeeOrder",
    "FeeParty",
    "FeePosting",
    "FeeReceipt",
    "FeeReconciliation",
    "FeeRefund",
    "FeeSend",
]


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class FeeAccount(Base):
    """One case's fee account, opened when the case is filed (``case.filed``)."""

    __tablename__ = "fee_accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_case_id: Mapped[int] = mapped_column(unique=True)
    court_id: Mapped[int] = mapped_column(index=True)
    court_name: Mapped[str] = mapped_column(String(200))
    case_number: Mapped[str] = mapped_column(String(100), unique=True)
    cause_code: Mapped[str] = mapped_column(String(32))
    cause_name: Mapped[str] = mapped_column(String(200))
    procedure: Mapped[str] = mapped_column(String(16))
    claim_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    fee_kind: Mapped[str] = mapped_column(String(64))
    notice_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    """缴费码: court, year, account number and two ISO 7064 check digits (:mod:`fees.codes`);
    set right after the row has its id."""
    pay_token: Mapped[str] = mapped_column(String(64), unique=True)
    """The secret part of the payment link (SMS, e-mail, the notice's QR code): whoever holds the
    notice may see what is due and start a payment; paying needs a code sent to the payer."""
    status: Mapped[str] = mapped_column(String(16), index=True)
    """``open`` or ``closed`` (the case ended, ``case.closed``)."""
    filed_on: Mapped[date]
    opened_at: Mapped[datetime]
    closed_on: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(String(32))


class FeeParty(Base):
    """A party of the case as filed: who may be asked to pay, where notices go."""

    __tablename__ = "fee_parties"
    __table_args__ = (UniqueConstraint("account_id", "party_ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("fee_accounts.id"), index=True)
    party_ref: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(320))
    represents_ref: Mapped[str | None] = mapped_column(String(64))


class FeeNotice(Base):
    """One version of the case's fee notice (交纳诉讼费用通知书); the highest is in force."""

    __tablename__ = "fee_notices"
    __table_args__ = (UniqueConstraint("account_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("fee_accounts.id"), index=True)
    version: Mapped[int]
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    breakdown: Mapped[dict[str, Any]]
    payer_ref: Mapped[str | None] = mapped_column(String(64))
    """The party who must pay (the plaintiff for acceptance fees); ``None``: nobody yet."""
    deadline: Mapped[date]
    reason: Mapped[str] = mapped_column(String(32))
    """``filed``, ``claim_changed``, ``reduced``, ``deferred``, ``waived``, ``halved``."""
    reason_text: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime]
    issued_by: Mapped[str] = mapped_column(String(200))


class FeeSend(Base):
    """One delivery of a notice (or of a receipt or refund message) to one address."""

    __tablename__ = "fee_sends"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("fee_accounts.id"), index=True)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("fee_notices.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    """``notice``, ``receipt``, ``refund``, ``code`` (an SMS confirmation code: text not kept)."""
    channel: Mapped[str] = mapped_column(String(16))
    """``sms``, ``email``, ``express`` (staff record the waybill), ``online``."""
    address: Mapped[str] = mapped_column(String(320))
    party_ref: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    """What was sent (``None`` for a confirmation code: never kept); for ``express`` the
    waybill number."""
    status: Mapped[str] = mapped_column(String(16))
    """``queued``, ``sent``, ``failed``."""
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(200))


class FeeOrder(Base):
    """A payment: an order at the payment provider (WeChat Pay Native, one per attempt), or a
    payment by bank transfer or in cash that staff recorded."""

    __tablename__ = "fee_orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("fee_accounts.id"), index=True)
    out_trade_no: Mapped[str] = mapped_column(String(32), unique=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    notice_version: Mapped[int]
    party_ref: Mapped[str | None] = mapped_column(String(64))
    payer_name: Mapped[str] = mapped_column(String(200))
    payer_phone: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    """``created`` (awaiting payment), ``paid``, ``closed`` (expired or cancelled)."""
    channel: Mapped[str] = mapped_column(String(16), default="wechat", server_default="wechat")
    """``wechat`` (an order at the provider), ``bank_transfer`` or ``cash`` (recorded by staff:
    ``transaction_id`` is then the bank's serial or the cash voucher's number)."""
    code_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    transaction_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    paid_at: Mapped[datetime | None]
    booked_by: Mapped[str | None] = mapped_column(String(16))
    """How the payment was learnt: ``notification``, ``query``, ``reconciliation``."""
    queried_at: Mapped[datetime | None]
    """When the provider was last asked about it (the payment page asks while it waits)."""


class FeeNotification(Base):
    """Every notification the provider sent, as received, with what was made of it."""

    __tablename__ = "fee_notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    notification_id: Mapped[str | None] = mapped_column(String(64))
    event_type: Mapped[str | None] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(64), index=True)
    """The out_trade_no or out_refund_no it names (if it could be read)."""
    outcome: Mapped[str] = mapped_column(String(32))
    """``booked``, ``duplicate``, ``unknown_order``, ``mismatch``, ``rejected``, ``refund``."""
    detail: Mapped[str | None] = mapped_column(Text)
    flagged: Mapped[bool] = mapped_column(default=False)


class FeeEntry(Base):
    """A balanced ledger entry: its postings sum to zero."""

    __tablename__ = "fee_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("fee_accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    """``assessment``, ``adjustment``, ``payment``, ``refund``."""
    reference: Mapped[str] = mapped_column(String(96), unique=True)
    """What the entry books, once: ``notice:<id>``, ``order:<out_trade_no>``, ``refund:<no>``."""
    memo: Mapped[str] = mapped_column(String(500))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))


class FeePosting(Base):
    __tablename__ = "fee_postings"
    __table_args__ = (Index("ix_fee_postings_ledger", "entry_id", "ledger"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("fee_entries.id"), index=True)
    ledger: Mapped[str] = mapped_column(String(32))
    """``due`` (the party's debt to the court; negative: owed back), ``assessed`` (fees the
    court charges), ``cash:wechat``, ``cash:counter``."""
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    """Debit positive, credit negative."""


class FeeReceipt(Base):
    __tablename__ = "fee_receipts"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("fee_accounts.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("fee_orders.id"), unique=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    verify_code: Mapped[str] = mapped_column(String(16))
    blob_key: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime]


class FeeRefund(Base):
    __tablename__ = "fee_refunds"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("fee_accounts.id"), index=True)
    out_refund_no: Mapped[str] = mapped_column(String(64), unique=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(16))
    """``original`` (back through the provider), ``bank`` (transfer), ``counter``."""
    order_id: Mapped[int | None] = mapped_column(ForeignKey("fee_orders.id"))
    bank_details: Mapped[dict[str, Any] | None]
    status: Mapped[str] = mapped_column(String(16), index=True)
    """``applied``, ``approved``, ``rejected``, ``processing``, ``succeeded``, ``failed``."""
    party_ref: Mapped[str | None] = mapped_column(String(64))
    applied_by: Mapped[str] = mapped_column(String(200))
    applied_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    provider_refund_id: Mapped[str | None] = mapped_column(String(64))
    completed_at: Mapped[datetime | None]


class FeeCode(Base):
    """A confirmation code sent by SMS to the payer before a payment or a refund application
    (only its hash is kept)."""

    __tablename__ = "fee_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("fee_accounts.id"), index=True)
    phone: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)


class FeeReconciliation(Base):
    """One day's reconciliation against the provider's trade bill, as the finance officer saw
    it: the totals and every item that did not match (and what was done about it)."""

    __tablename__ = "fee_reconciliations"
    id: Mapped[int] = mapped_column(primary_key=True)
    bill_date: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    bill_lines: Mapped[int]
    bill_sha256: Mapped[str] = mapped_column(String(64))
    summary: Mapped[dict[str, Any]]
    items: Mapped[dict[str, Any]]


class FeeAudit(Base):
    """Every state change of an account's records, in the transaction that makes it."""

    __tablename__ = "fee_audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    account_id: Mapped[int | None] = mapped_column(index=True)
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any] | None]
