"""A step of an order as a leaf: the step's canonical record is hashed into a court-signed entry
(:mod:`ledger.entries`), appended by the writer, and the step row keeps the record and the leaf's
index. The leaf comes first and the row after, in that order: a crash between them leaves the log
saying one step more than the tables (found by :func:`steps_of` against the log), never less.

Receipts (:mod:`ledger.receipt`) of an order's steps under one checkpoint are what its PDF, its
QR page and ``tingshen ledger verify`` carry (:func:`status_bundle`).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from ledger.entries import Entry, sign_entry
from ledger.order_context import Actor, OrderContext
from ledger.order_rules import canonical, digest
from ledger.order_tables import order_steps
from ledger.receipt import Receipt
from ledger.store import checkpoint_at
from ledger.tables import leaves

__all__ = ["PRIVATE_STEPS", "Step", "append_step", "receipt_of", "status_bundle", "steps_of"]


PRIVATE_STEPS = frozenset({"order.applied", "order.decided"})
"""Steps whose records the public never sees: what the lawyer asked for and what the judge
struck out are the court's and the lawyer's; an institution sees the order as issued and what
happened to it since."""


@dataclass(frozen=True, slots=True)
class Step:
    kind: str
    leaf_idx: int
    record: dict[str, Any]
    actor: str
    at: datetime


def append_step(
    ctx: OrderContext, order_id: int, number: str, kind: str, record: dict[str, Any],
    actor: Actor, at: datetime,
) -> int:  # fmt: skip
    """Append the step's leaf, then its row; the leaf's index."""
    entry = Entry(ctx.court.name, kind, number, at, digest(record))
    idx = ctx.writer.append(sign_entry(entry, ctx.court))
    with ctx.engine.begin() as connection:
        connection.execute(
            insert(order_steps).values(
                order_id=order_id, kind=kind, leaf_idx=idx, record_json=canonical(record),
                actor=actor.label(), at=at,
            )
        )  # fmt: skip
    return idx


def steps_of(connection: Connection, order_id: int) -> list[Step]:
    rows = connection.execute(
        select(order_steps).where(order_steps.c.order_id == order_id).order_by(order_steps.c.id)
    ).all()
    return [Step(r.kind, int(r.leaf_idx), json.loads(r.record_json), r.actor, r.at) for r in rows]


def receipt_of(ctx: OrderContext, connection: Connection, idx: int, size: int) -> Receipt:
    stored = checkpoint_at(connection, size)
    data = connection.execute(select(leaves.c.data).where(leaves.c.idx == idx)).scalar_one()
    assert stored is not None
    return Receipt(idx, bytes(data), tuple(ctx.writer.inclusion_proof(idx, size)), stored.render())


def status_bundle(ctx: OrderContext, order_id: int, since: int | None = None) -> dict[str, Any]:
    """Every public step of the order (from its issue on) with its record and its receipt under
    one (new, witnessed where
    witnesses are configured) checkpoint, and — ``since`` a smaller checkpoint size (the one in
    the order's PDF) — the consistency proof from it. JSON; what the verify page checks and what
    ``tingshen ledger verify --checkpoint`` takes."""
    size = ctx.witness()
    with ctx.engine.connect() as connection:
        stored = checkpoint_at(connection, size)
        assert stored is not None
        steps = []
        for step in steps_of(connection, order_id):
            if step.kind in PRIVATE_STEPS:
                continue
            receipt = receipt_of(ctx, connection, step.leaf_idx, size)
            steps.append(
                {
                    "kind": step.kind,
                    "record": canonical(step.record),
                    "actor": step.actor,
                    "receipt": json.loads(receipt.to_json()),
                }
            )
    bundle: dict[str, Any] = {
        "version": 1,
        "origin": ctx.settings.origin,
        "checkpoint": stored.render(),
        "steps": steps,
    }
    if since is not None and 0 < since <= size:
        proof = ctx.writer.consistency_proof(since, size)
        bundle["consistency"] = {
            "old": since,
            "proof": [base64.b64encode(h).decode() for h in proof],
        }
    return bundle
