"""The audit trail: one append-only row per state change, written in the action's transaction,
each row chained to the one before by hash (:mod:`hearing_server.audit_chain`).

**Order under concurrent writers.** Several server processes share the database, so the chain's
order has to be decided in the database. :func:`record` first moves the chain's head
(``UPDATE audit_chain_head SET seq = seq + 1 … RETURNING seq, last_hash``): on PostgreSQL that
row lock makes a second writer wait until the first transaction commits (or rolls back, when the
place is given back with it); SQLite has one writer at a time anyway. The event is then written
with that place and the head's hash, and the head takes the event's hash. So the chain is complete
at every commit and its order is the commit order.

Why not a background sealer that chains rows later by id: on PostgreSQL ids are handed out before
commit, so a sealer cannot know whether a missing id is a rollback or a transaction still running,
and rows written between two sealings would be unprotected. The price here: transactions that
write audit rows commit one after the other from their :func:`record` call on. Actions call it
last or close to their commit, and they are short (no network inside a transaction), so the wait
is the length of another action's commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hearing_server.audit_chain import (
    GENESIS,
    ChainedRow,
    ChainFields,
    ChainReport,
    canonical_details,
    row_hash,
    verify_chain,
)
from hearing_server.models import AuditChainHead, AuditEvent

ActorKind = Literal["staff", "participant", "system"]
HEAD_ID = 1


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: int | None

    @classmethod
    def system(cls) -> Actor:
        return cls("system", None)


@dataclass(frozen=True, slots=True)
class EntityRef:
    type: str
    id: int | None


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity: EntityRef,
    case_id: int | None,
    details: dict[str, Any] | None = None,
    at: datetime,
) -> AuditEvent:
    """Add an audit event to ``session``; the caller's commit makes it durable with the change."""
    head = session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(seq=AuditChainHead.seq + 1)
        .returning(AuditChainHead.seq, AuditChainHead.last_hash)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if head is None:
        raise RuntimeError("the audit chain has no head row: migrate the database")
    seq, previous = head
    fields = ChainFields(
        seq=seq,
        at=at,
        actor_kind=actor.kind,
        actor_id=actor.id,
        action=action,
        entity_type=entity.type,
        entity_id=entity.id,
        case_id=case_id,
        details=canonical_details(details or {}),
    )
    digest = row_hash(fields, previous)
    event = AuditEvent(
        at=at,
        actor_kind=actor.kind,
        actor_id=actor.id,
        action=action,
        entity_type=entity.type,
        entity_id=entity.id,
        case_id=case_id,
        details=fields.details,
        seq=seq,
        prev_hash=previous,
        row_hash=digest,
    )
    session.add(event)
    session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(last_hash=digest)
        .execution_options(synchronize_session=False)
    )
    return event


def verify(session: Session, *, batch_rows: int = 1000) -> ChainReport:
    """Check the whole chain in ``seq`` order (read in batches: memory stays flat)."""
    head = session.get(AuditChainHead, HEAD_ID)
    head_seq, head_hash = (head.seq, head.last_hash) if head is not None else (0, GENESIS)
    return verify_chain(_chained_rows(session, batch_rows), head_seq=head_seq, head_hash=head_hash)


def _chained_rows(session: Session, batch_rows: int) -> Iterator[ChainedRow]:
    after = 0
    while True:
        batch = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.seq > after)
            .order_by(AuditEvent.seq)
            .limit(batch_rows)
            .execution_options(populate_existing=True)
        ).all()
        if not batch:
            return
        for event in batch:
            yield ChainedRow(
                id=event.id,
                fields=ChainFields(
                    seq=event.seq,
                    at=event.at,
                    actor_kind=event.actor_kind,
                    actor_id=event.actor_id,
                    action=event.action,
                    entity_type=event.entity_type,
                    entity_id=event.entity_id,
                    case_id=event.case_id,
                    details=event.details,
                ),
                prev_hash=event.prev_hash,
                row_hash=event.row_hash,
            )
        after = batch[-1].seq
        session.expunge_all()
