"""The audit trail: one append-only row per state change, written in the action's transaction,
each row chained to the one before by hash (:mod:`hearing_server.audit_chain`).

**Order under concurrent writers.** Several server processes share the database, so the chain's
order is decided in the database, at commit. :func:`record` adds the event at once (queries in
the same transaction see it) with a provisional negative place; just before the transaction
commits, :func:`_seal` (a ``before_commit`` hook of every ORM session) flushes everything else,
moves the chain's one-row head (``UPDATE audit_chain_head SET seq = seq + n … RETURNING``), gives
the transaction's events their places and hashes, and stores the last hash in the head. On
PostgreSQL the head's row lock makes a second writer wait until the first has committed; SQLite
has one writer at a time anyway. So the chain is complete at every commit and its order is the
commit order, and the head is the *last* lock a transaction takes (nothing else is locked after
it: no deadlock) and is held only for the commit itself, however long the action ran before.

Why not a background sealer that chains rows later by id: on PostgreSQL ids are handed out before
commit, so a sealer cannot tell a missing id of a rollback from a transaction still running, and
rows written between two sealings would be unprotected. A row with a provisional place never
persists (it is sealed in its own transaction); :func:`verify` reports one that does.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from hearing_server.audit_chain import (
    GENESIS,
    ChainBreak,
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
_PENDING = "audit_chain_pending"
_PROVISIONAL_HASH = ""


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
    """Add an audit event to ``session``; the caller's commit makes it durable with the change
    and gives it its place in the chain."""
    row = AuditEvent(
        at=at,
        actor_kind=actor.kind,
        actor_id=actor.id,
        action=action,
        entity_type=entity.type,
        entity_id=entity.id,
        case_id=case_id,
        details=canonical_details(details or {}),
        seq=-(secrets.randbits(62) + 1),  # provisional and unique until the commit seals it
        prev_hash=_PROVISIONAL_HASH,
        row_hash=_PROVISIONAL_HASH,
    )
    session.add(row)
    session.info.setdefault(_PENDING, []).append(row)
    return row


def _seal(session: Session) -> None:
    """Chain the transaction's events (see the module's docstring)."""
    pending: list[AuditEvent] = session.info.pop(_PENDING, [])
    session.flush()  # everything else first: the head is the last lock taken
    rows = [row for row in pending if row in session and row.id is not None]
    if not rows:
        return
    head = session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(seq=AuditChainHead.seq + len(rows))
        .returning(AuditChainHead.seq, AuditChainHead.last_hash)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if head is None:
        raise RuntimeError("the audit chain has no head row: migrate the database")
    last_seq, previous = head
    for seq, row in enumerate(rows, start=last_seq - len(rows) + 1):
        digest = row_hash(_fields(row, seq), previous)
        session.execute(  # a bulk UPDATE: past the ORM's append-only guard, for sealing only
            update(AuditEvent)
            .where(AuditEvent.id == row.id)
            .values(seq=seq, prev_hash=previous, row_hash=digest)
            .execution_options(synchronize_session=False)
        )
        for name, value in (("seq", seq), ("prev_hash", previous), ("row_hash", digest)):
            set_committed_value(row, name, value)
        previous = digest
    session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(last_hash=previous)
        .execution_options(synchronize_session=False)
    )


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


event.listen(Session, "before_commit", _seal)
event.listen(Session, "after_rollback", _forget)


def _fields(row: AuditEvent, seq: int) -> ChainFields:
    return ChainFields(
        seq=seq,
        at=row.at,
        actor_kind=row.actor_kind,
        actor_id=row.actor_id,
        action=row.action,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        case_id=row.case_id,
        details=row.details,
    )


def verify(session: Session, *, batch_rows: int = 1000) -> ChainReport:
    """Check the whole chain in ``seq`` order (read in batches: memory stays flat)."""
    head = session.get(AuditChainHead, HEAD_ID)
    head_seq, head_hash = (head.seq, head.last_hash) if head is not None else (0, GENESIS)
    report = verify_chain(
        _chained_rows(session, batch_rows), head_seq=head_seq, head_hash=head_hash
    )
    if report.intact:
        outside = session.scalars(
            select(AuditEvent).where(AuditEvent.seq < 1).order_by(AuditEvent.id).limit(1)
        ).first()
        if outside is not None:
            problem = "has no place in the chain: inserted past it"
            found = ChainBreak(outside.id, outside.seq, outside.at, outside.action, problem)
            return ChainReport(report.rows, head_seq, head_hash, found)
    return report


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
        for row in batch:
            yield ChainedRow(
                id=row.id,
                fields=_fields(row, row.seq),
                prev_hash=row.prev_hash,
                row_hash=row.row_hash,
            )
        after = batch[-1].seq
        session.expunge_all()
