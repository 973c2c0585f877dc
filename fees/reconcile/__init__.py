"""Daily reconciliation of the court's fee payments against WeChat Pay's trade bill (对账).

Each day the finance officer compares the court's own records of the day
(:class:`~fees.reconcile.model.LocalTransaction`) with the provider's trade bill of that day
(:mod:`fees.wechatpay.bill`): :func:`~fees.reconcile.engine.reconcile` streams the bill and
reports what is ``missing`` (booked here, not in the bill), ``extra`` (in the bill, not booked
here), ``mismatched`` (in both, a field differs) and ``boundary`` (booked today, belonging to
the bill of the day before or after), with the totals of each side. The matching rules and the
day boundary are written in :mod:`fees.reconcile.engine`. Pure: no I/O, no framework.
"""

from fees.reconcile.engine import DEFAULT_BOUNDARY_WINDOW, bill_day, reconcile
from fees.reconcile.model import (
    Boundary,
    Extra,
    LocalTransaction,
    Mismatch,
    Missing,
    ReconcileError,
    ReconcileReport,
    SideTotals,
)

__all__ = [
    "DEFAULT_BOUNDARY_WINDOW",
    "Boundary",
    "Extra",
    "LocalTransaction",
    "Mismatch",
    "Missing",
    "ReconcileError",
    "ReconcileReport",
    "SideTotals",
    "bill_day",
    "reconcile",
]
