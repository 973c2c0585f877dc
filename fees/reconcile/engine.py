"""Reconcile one day's WeChat Pay trade bill against the court's own records (pure).

The rules, in the order they apply:

1. **Keys.** A payment line of the bill (交易状态 ``SUCCESS``, or anything but ``REFUND``) is
   the local *payment* whose ``reference`` is its 商户订单号 (``out_trade_no``). A refund line
   (``REFUND``) is the local *refund* whose ``reference`` is its 商户退款单号
   (``out_refund_no``), not the payment it refunds: a payment refunded in three parts has three
   refund lines, each matched to its own refund record. Payments and refunds are separate
   namespaces. A second bill line with a key already seen is ``extra`` (``duplicate``).
2. **Booked.** Only a record whose status is ``paid`` or ``refunded`` counts as booked. A bill
   line whose record is ``pending`` (the notification never came) or that has no record at all
   is ``extra`` (reason ``pending`` / ``not_booked``): the service queries the order or refund
   and books it. A pending record the bill does not have is nobody's business here.
3. **Compared** (each difference one :class:`~fees.reconcile.model.Mismatch`):
   ``amount_fen`` — the bill's 订单金额 of a payment, 申请退款金额 of a refund, against the
   record's ``amount_fen``; ``state`` — a payment line must say ``SUCCESS`` (``REVOKED`` differs
   from any booked payment), a refund line's 退款状态 must be ``SUCCESS`` or ``PROCESSING`` (the
   bill is a snapshot taken when the refund was accepted; ``FAIL`` or ``CHANGE`` differ from a
   booked refund); ``provider_id`` — the 微信订单号 / 微信退款单号 against the record's, when the
   record knows it; ``out_trade_no`` — a refund line's order against the refund record's, when
   known; ``bill_date`` — the record's provider time, when known, falls on another day.
4. **Days.** WeChat Pay cuts its bill at 00:00:00 Beijing time, and dates a payment by when it
   succeeded and a refund by when it was accepted. A record belongs to the bill of the Beijing
   date of its ``provider_time`` when known (a payment booked at 23:59:59 whose
   ``success_time`` is 00:00:00 the next day belongs to the next day's bill), else of its
   ``booked_at``. Matching (rule 1) looks at every record given, whatever its day.
5. **Missing.** A booked record that belongs to this day and is in no line of this bill is
   ``missing``, except when its provider time is unknown and it was booked within
   ``boundary_window`` (default 5 minutes: clock skew and notification delay) after this day's
   midnight or before the next one: then it is a :class:`~fees.reconcile.model.Boundary` item
   expected in the previous or next day's bill, which that day's reconciliation will settle.
   A booked record booked on this day (``booked_at``) whose provider time puts it on another
   day is listed as a ``Boundary`` item too (reason ``provider_time``), so that nothing booked
   today goes unexplained.

Memory is bounded by the local side (and the extra lines, which the report lists): the bill is
read once, as a stream; the records are in two dicts, plus the set of their keys seen (the
records' own strings, not the bill's copies). Lists in the report follow the bill's order
(``extra``, ``mismatched``) or the records' order as given (``missing``, ``boundary``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta

from fees.reconcile.model import (
    Boundary,
    Extra,
    ExtraReason,
    Kind,
    LocalTransaction,
    Mismatch,
    Missing,
    ReconcileError,
    ReconcileReport,
    SideTotals,
)
from fees.wechatpay.bill import BEIJING, TRADE_STATE_REFUND, TRADE_STATE_SUCCESS, BillRow

__all__ = ["DEFAULT_BOUNDARY_WINDOW", "bill_day", "reconcile"]

DEFAULT_BOUNDARY_WINDOW = timedelta(minutes=5)
_REFUND_STATES_OK = frozenset({"SUCCESS", "PROCESSING"})


def bill_day(record: LocalTransaction) -> date:
    """The Beijing date of the bill the record belongs to (rule 4)."""
    moment = record.provider_time if record.provider_time is not None else record.booked_at
    return moment.astimezone(BEIJING).date()


def reconcile(
    bill_rows: Iterable[BillRow],
    local: Mapping[str, LocalTransaction] | Iterable[LocalTransaction],
    *,
    bill_date: date,
    boundary_window: timedelta = DEFAULT_BOUNDARY_WINDOW,
) -> ReconcileReport:
    """Compare the bill of ``bill_date`` (a stream of rows) with the local records (a mapping,
    whose keys are ignored, or any iterable of them). See the module's rules."""
    records = local.values() if isinstance(local, Mapping) else local
    index: dict[Kind, dict[str, LocalTransaction]] = {"payment": {}, "refund": {}}
    for record in records:
        by_reference = index[record.kind]
        if record.reference in by_reference:
            raise ReconcileError(
                f"{record.kind} {record.reference} is given twice",
                f"{record.reference} 重复出现",
            )
        by_reference[record.reference] = record

    seen: dict[Kind, set[str]] = {"payment": set(), "refund": set()}
    extra: list[Extra] = []
    mismatched: list[Mismatch] = []
    bill = _Tally()
    local_totals = _Tally()
    matched = 0
    for row in bill_rows:
        kind: Kind = "refund" if row.trade_state == TRADE_STATE_REFUND else "payment"
        if kind == "refund":
            reference, amount_fen = row.out_refund_no, row.requested_refund_fen
        else:
            reference, amount_fen = row.out_trade_no, row.order_fen
        bill.add(kind, amount_fen)
        if reference in seen[kind]:
            extra.append(Extra(kind, reference, amount_fen, "duplicate", row))
            continue
        record = index[kind].get(reference)
        # keep the record's own string (the bill's copy goes with its row): memory grows with
        # the local side, and with the extra lines the report keeps anyway
        seen[kind].add(reference if record is None else record.reference)
        if record is None or not record.booked:
            reason: ExtraReason = "not_booked" if record is None else "pending"
            extra.append(Extra(kind, reference, amount_fen, reason, row))
            continue
        matched += 1
        local_totals.add(kind, record.amount_fen)
        mismatched.extend(_compare(row, record, amount_fen, bill_date))

    missing: list[Missing] = []
    boundary: list[Boundary] = []
    for kind, by_reference in index.items():
        for reference, record in by_reference.items():
            if not record.booked or reference in seen[kind]:
                continue
            day = bill_day(record)
            if day != bill_date:
                if record.booked_at.astimezone(BEIJING).date() == bill_date:
                    boundary.append(Boundary(record, day, "provider_time"))
                continue
            near = _near_midnight(record, bill_date, boundary_window)
            if near is not None:
                boundary.append(Boundary(record, near, "near_midnight"))
                continue
            missing.append(Missing(record))
            local_totals.add(kind, record.amount_fen)

    return ReconcileReport(
        bill_date=bill_date,
        matched=matched,
        missing=tuple(missing),
        extra=tuple(extra),
        mismatched=tuple(mismatched),
        boundary=tuple(boundary),
        bill=bill.totals(),
        local=local_totals.totals(),
    )


class _Tally:
    """Counts and sums while streaming (a new :class:`SideTotals` per line would cost more)."""

    __slots__ = ("payment_fen", "payments", "refund_fen", "refunds")

    def __init__(self) -> None:
        self.payments = self.payment_fen = self.refunds = self.refund_fen = 0

    def add(self, kind: Kind, amount_fen: int) -> None:
        if kind == "payment":
            self.payments += 1
            self.payment_fen += amount_fen
        else:
            self.refunds += 1
            self.refund_fen += amount_fen

    def totals(self) -> SideTotals:
        return SideTotals(self.payments, self.payment_fen, self.refunds, self.refund_fen)


def _compare(
    row: BillRow, record: LocalTransaction, amount_fen: int, bill_date: date
) -> list[Mismatch]:
    found: list[Mismatch] = []

    def differs(field: str, bill_value: str | int, local_value: str | int) -> None:
        found.append(Mismatch(record.kind, record.reference, field, bill_value, local_value))

    if amount_fen != record.amount_fen:
        differs("amount_fen", amount_fen, record.amount_fen)
    if record.kind == "refund":
        if row.refund_state not in _REFUND_STATES_OK:
            differs("state", row.refund_state, record.status)
        provider_id = row.refund_id
        if record.out_trade_no is not None and record.out_trade_no != row.out_trade_no:
            differs("out_trade_no", row.out_trade_no, record.out_trade_no)
    else:
        if row.trade_state != TRADE_STATE_SUCCESS:
            differs("state", row.trade_state, record.status)
        provider_id = row.transaction_id
    if record.provider_id is not None and record.provider_id != provider_id:
        differs("provider_id", provider_id, record.provider_id)
    if record.provider_time is not None:
        day = bill_day(record)
        if day != bill_date:
            differs("bill_date", bill_date.isoformat(), day.isoformat())
    return found


def _near_midnight(record: LocalTransaction, bill_date: date, window: timedelta) -> date | None:
    """For a record without provider time: the neighbouring day whose bill may hold it."""
    if record.provider_time is not None:
        return None
    booked = record.booked_at.astimezone(BEIJING)
    start = datetime.combine(bill_date, time(), BEIJING)
    if booked - start <= window:
        return bill_date - timedelta(days=1)
    if start + timedelta(days=1) - booked <= window:
        return bill_date + timedelta(days=1)
    return None
