"""What reconciliation takes and gives: the court's own records and the report (pure values).

A :class:`LocalTransaction` is one payment or refund as the fee service booked it. The report
(:class:`ReconcileReport`) lists what does not agree with the provider's bill of one day, in
four lists, and the totals of both sides; :mod:`fees.reconcile.engine` says how it is computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from fees.errors import FeesError
from fees.wechatpay.bill import BillRow

__all__ = [
    "BOOKED",
    "Boundary",
    "Extra",
    "ExtraReason",
    "Kind",
    "LocalStatus",
    "LocalTransaction",
    "Mismatch",
    "Missing",
    "ReconcileError",
    "ReconcileReport",
    "SideTotals",
]

Kind = Literal["payment", "refund"]
LocalStatus = Literal["paid", "refunded", "pending"]
ExtraReason = Literal["not_booked", "pending", "duplicate"]
BOOKED: frozenset[LocalStatus] = frozenset({"paid", "refunded"})
"""The statuses that mean "the money moved" locally; ``pending`` is not booked."""


class ReconcileError(FeesError):
    """The local records cannot be reconciled as given (a reference booked twice, a naive time)."""


@dataclass(frozen=True, slots=True)
class LocalTransaction:
    """One payment or refund in the court's books.

    - ``reference``: the merchant's own number, ``out_trade_no`` of a payment or
      ``out_refund_no`` of a refund (unique per kind);
    - ``provider_id``: WeChat's ``transaction_id`` / ``refund_id`` once known;
    - ``amount_fen``: the order's total (订单金额) of a payment, the amount asked back
      (申请退款金额) of a refund;
    - ``status``: ``paid`` (payment), ``refunded`` (a refund, or a payment refunded since),
      ``pending`` (created, not confirmed by the provider);
    - ``booked_at``: when the service booked it (aware);
    - ``provider_time``: the provider's time when known: a payment's ``success_time``, a
      refund's ``create_time`` (when WeChat accepted it: the bill dates refunds by that);
    - ``out_trade_no``: for a refund, the payment it gives back (checked when given).
    """

    kind: Kind
    reference: str
    amount_fen: int
    status: LocalStatus
    booked_at: datetime
    provider_id: str | None = None
    provider_time: datetime | None = None
    out_trade_no: str | None = None

    def __post_init__(self) -> None:
        if self.booked_at.tzinfo is None or (
            self.provider_time is not None and self.provider_time.tzinfo is None
        ):
            raise ReconcileError(
                f"{self.kind} {self.reference}: times must carry a time zone",
                f"{self.reference}：时间必须带时区",
            )
        if self.amount_fen < 0:
            raise ReconcileError(
                f"{self.kind} {self.reference}: negative amount {self.amount_fen}",
                f"{self.reference}：金额为负数",
            )
        if self.kind == "refund" and self.status == "paid":
            raise ReconcileError(
                f"refund {self.reference}: a refund is 'refunded' or 'pending', not 'paid'",
                f"退款 {self.reference} 的状态只能是已退款或处理中",
            )

    @property
    def booked(self) -> bool:
        return self.status in BOOKED


@dataclass(frozen=True, slots=True)
class SideTotals:
    """Count and fen of payments and of refunds on one side; ``net_fen`` = payments - refunds."""

    payments: int = 0
    payment_fen: int = 0
    refunds: int = 0
    refund_fen: int = 0

    @property
    def net_fen(self) -> int:
        return self.payment_fen - self.refund_fen


@dataclass(frozen=True, slots=True)
class Missing:
    """Booked locally for this day, not in the bill."""

    local: LocalTransaction


@dataclass(frozen=True, slots=True)
class Extra:
    """In the bill, not booked locally: ``not_booked`` (no record of that number at all),
    ``pending`` (a record waiting for a confirmation that never came: query and book it),
    ``duplicate`` (a second line of the bill for a number already seen)."""

    kind: Kind
    reference: str
    amount_fen: int
    reason: ExtraReason
    row: BillRow


@dataclass(frozen=True, slots=True)
class Mismatch:
    """In both, one field differs: ``amount_fen``, ``state``, ``provider_id``, ``out_trade_no``
    or ``bill_date`` (the provider's own time, as booked, falls on another day)."""

    kind: Kind
    reference: str
    field: str
    bill_value: str | int
    local_value: str | int


@dataclass(frozen=True, slots=True)
class Boundary:
    """Booked locally on this day but belonging to another day's bill (``expected_in``):
    ``provider_time`` when the provider's time is on that day, ``near_midnight`` when it is
    unknown, the booking was within the boundary window of midnight and the bill lacks it."""

    local: LocalTransaction
    expected_in: date
    reason: Literal["provider_time", "near_midnight"]


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """``matched`` bill lines found booked (mismatches included); ``bill``: every line of the
    bill; ``local``: the local records this day accounts for (matched or missing), so that
    ``bill = matched + extra`` and ``local = matched + missing`` (each in its own amounts)."""

    bill_date: date
    matched: int
    missing: tuple[Missing, ...]
    extra: tuple[Extra, ...]
    mismatched: tuple[Mismatch, ...]
    boundary: tuple[Boundary, ...]
    bill: SideTotals
    local: SideTotals

    @property
    def clean(self) -> bool:
        """Nothing to look at (boundary items are not faults: another day's bill has them)."""
        return not (self.missing or self.extra or self.mismatched)
