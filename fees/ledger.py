"""The double-entry ledger of fee accounts: every movement of money is one balanced entry.

Ledgers (per case account; debit positive, credit negative):

- ``due``: what the party owes the court (a debit balance) or is owed back (a credit balance);
- ``assessed``: the fees the court charges in the case (a credit balance);
- ``cash:wechat`` / ``cash:counter``: money received through the payment provider / at the
  counter or by bank transfer.

===============  ===========================  ===========================
entry            debit                        credit
===============  ===========================  ===========================
assessment       due                          assessed
adjustment       due (or assessed, if less)   assessed (or due)
payment          cash:<channel>               due
refund           due                          cash:<channel>
===============  ===========================  ===========================

Each entry books one thing once: its ``reference`` is unique (``notice:12``, ``order:…``,
``refund:…``), so a duplicate notification, a retried job or a payment found both by a query
and by reconciliation books nothing the second time. The balance is derived from the postings
(:func:`balances`), never kept apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fees.tables import FeeEntry, FeePosting

__all__ = [
    "CHANNELS",
    "Balances",
    "Movement",
    "Posting",
    "UnbalancedEntryError",
    "adjustment",
    "assessment",
    "balances",
    "book",
    "movements",
    "payment",
    "refund",
]

CHANNELS = ("wechat", "counter")


class UnbalancedEntryError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Posting:
    ledger: str
    amount_fen: int


def assessment(amount_fen: int) -> list[Posting]:
    return [Posting("due", amount_fen), Posting("assessed", -amount_fen)]


def adjustment(delta_fen: int) -> list[Posting]:
    """The fee changed by ``delta_fen`` (negative: reduced)."""
    return [Posting("due", delta_fen), Posting("assessed", -delta_fen)]


def payment(amount_fen: int, channel: str) -> list[Posting]:
    _channel(channel)
    return [Posting(f"cash:{channel}", amount_fen), Posting("due", -amount_fen)]


def refund(amount_fen: int, channel: str) -> list[Posting]:
    _channel(channel)
    return [Posting("due", amount_fen), Posting(f"cash:{channel}", -amount_fen)]


def _channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")


def book(
    session: Session,
    *,
    account_id: int,
    kind: str,
    reference: str,
    memo: str,
    postings: Sequence[Posting],
    at: datetime,
    actor: str,
) -> FeeEntry | None:
    """Book one entry in ``session``'s transaction; ``None`` if ``reference`` is booked already
    (by this session before, or by another process: the unique constraint decides)."""
    if sum(p.amount_fen for p in postings) != 0 or not postings:
        raise UnbalancedEntryError(f"{reference}: postings do not sum to zero: {postings}")
    if session.scalar(select(FeeEntry.id).where(FeeEntry.reference == reference)) is not None:
        return None
    entry = FeeEntry(
        account_id=account_id, kind=kind, reference=reference, memo=memo, at=at, actor=actor
    )
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
            session.add_all(
                FeePosting(entry_id=entry.id, ledger=p.ledger, amount_fen=p.amount_fen)
                for p in postings
                if p.amount_fen != 0
            )
            session.flush()
    except IntegrityError:
        return None
    return entry


@dataclass(frozen=True, slots=True)
class Balances:
    assessed_fen: int
    """The fees charged, after every adjustment."""
    paid_fen: int
    refunded_fen: int
    balance_fen: int
    """Still to pay (positive) or to be refunded (negative): the ``due`` ledger."""

    @property
    def outstanding_fen(self) -> int:
        return max(self.balance_fen, 0)

    @property
    def refundable_fen(self) -> int:
        return max(-self.balance_fen, 0)


def balances(session: Session, account_id: int) -> Balances:
    rows = session.execute(
        select(FeeEntry.kind, FeePosting.ledger, func.sum(FeePosting.amount_fen))
        .join(FeePosting, FeePosting.entry_id == FeeEntry.id)
        .where(FeeEntry.account_id == account_id)
        .group_by(FeeEntry.kind, FeePosting.ledger)
    ).all()
    assessed = paid = refunded = due = 0
    for kind, ledger, total in rows:
        amount = int(total or 0)
        if ledger == "assessed":
            assessed -= amount
        elif ledger == "due":
            due += amount
        elif ledger.startswith("cash:"):
            if kind == "payment":
                paid += amount
            elif kind == "refund":
                refunded -= amount
    return Balances(assessed_fen=assessed, paid_fen=paid, refunded_fen=refunded, balance_fen=due)


@dataclass(frozen=True, slots=True)
class Movement:
    entry_id: int
    kind: str
    reference: str
    memo: str
    at: datetime
    actor: str
    postings: tuple[Posting, ...]


def movements(session: Session, account_id: int) -> list[Movement]:
    entries = session.scalars(
        select(FeeEntry).where(FeeEntry.account_id == account_id).order_by(FeeEntry.id)
    ).all()
    postings: dict[int, list[Posting]] = {e.id: [] for e in entries}
    for row in session.scalars(
        select(FeePosting).where(FeePosting.entry_id.in_(postings)).order_by(FeePosting.id)
    ):
        postings[row.entry_id].append(Posting(row.ledger, row.amount_fen))
    return [
        Movement(e.id, e.kind, e.reference, e.memo, e.at, e.actor, tuple(postings[e.id]))
        for e in entries
    ]
