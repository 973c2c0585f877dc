"""The audit trail's hash chain (pure): how a row is hashed, and how a chain is checked.

Every ``audit_events`` row carries its place in the chain (``seq``: 1, 2, 3, …), the hash of the
row before it (``prev_hash``; the first row's is :data:`GENESIS`) and its own hash::

    row_hash = SHA-256( canonical JSON of {v, seq, at, actor_kind, actor_id, action,
                                           entity_type, entity_id, case_id, details, prev} )

Canonical JSON: keys sorted, no spaces, UTF-8, ``at`` as UTC ISO 8601 with microseconds,
``details`` as the database gives it back (JSON). A row changed after it was written no longer
matches its hash; a deleted row leaves a gap in ``seq`` and a ``prev_hash`` that names no row; an
inserted row cannot take a place without breaking the next row's ``prev_hash``; rows cut off at
the end are found against the chain's head (``audit_chain_head``: the last ``seq`` and hash).

What a hash chain does not do: someone who can write the database can recompute every hash after
the row they changed. Record the head (``tingshen audit verify`` prints it) somewhere they cannot
write, e.g. with each day's report, to pin the chain up to then.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "GENESIS",
    "ChainBreak",
    "ChainFields",
    "ChainReport",
    "ChainedRow",
    "canonical_bytes",
    "row_hash",
    "verify_chain",
]

GENESIS = "0" * 64
CHAIN_VERSION = 1


@dataclass(frozen=True, slots=True)
class ChainFields:
    """What a row's hash covers (besides the previous hash)."""

    seq: int
    at: datetime
    actor_kind: str
    actor_id: int | None
    action: str
    entity_type: str
    entity_id: int | None
    case_id: int | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ChainedRow:
    id: int
    fields: ChainFields
    prev_hash: str
    row_hash: str


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first row where the chain does not hold, and why."""

    id: int | None
    seq: int | None
    at: datetime | None
    action: str | None
    problem: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    rows: int
    head_seq: int
    head_hash: str
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def canonical_details(details: dict[str, Any]) -> dict[str, Any]:
    """``details`` as it reads back from a JSON column (tuples become lists, keys strings)."""
    value: dict[str, Any] = json.loads(json.dumps(details, allow_nan=False))
    return value


def canonical_bytes(fields: ChainFields, prev_hash: str) -> bytes:
    if fields.at.tzinfo is None:
        raise ValueError("audit times are timezone-aware UTC")
    document = {
        "v": CHAIN_VERSION,
        "seq": fields.seq,
        "at": fields.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_kind": fields.actor_kind,
        "actor_id": fields.actor_id,
        "action": fields.action,
        "entity_type": fields.entity_type,
        "entity_id": fields.entity_id,
        "case_id": fields.case_id,
        "details": fields.details,
        "prev": prev_hash,
    }
    text = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def row_hash(fields: ChainFields, prev_hash: str) -> str:
    """The hex SHA-256 a row with ``fields`` following ``prev_hash`` carries."""
    return hashlib.sha256(canonical_bytes(fields, prev_hash)).hexdigest()


def _break(row: ChainedRow, problem: str) -> ChainBreak:
    f = row.fields
    return ChainBreak(id=row.id, seq=f.seq, at=f.at, action=f.action, problem=problem)


def verify_chain(rows: Iterable[ChainedRow], *, head_seq: int, head_hash: str) -> ChainReport:
    """Check ``rows`` (in ``seq`` order) against each other and the chain's head."""
    expected_seq, previous, count = 1, GENESIS, 0
    last: ChainedRow | None = None
    for row in rows:
        count += 1
        if row.fields.seq != expected_seq:
            problem = (
                f"rows are missing before this one (expected place {expected_seq}, "
                f"found {row.fields.seq}): deleted"
                if row.fields.seq > expected_seq
                else f"two rows take place {row.fields.seq}: one was inserted"
            )
            return ChainReport(count, head_seq, head_hash, _break(row, problem))
        if row.prev_hash != previous:
            problem = "does not follow the row before it: a row was deleted or inserted"
            return ChainReport(count, head_seq, head_hash, _break(row, problem))
        if row_hash(row.fields, row.prev_hash) != row.row_hash:
            problem = "its content does not match its hash: changed after it was written"
            return ChainReport(count, head_seq, head_hash, _break(row, problem))
        previous, expected_seq, last = row.row_hash, expected_seq + 1, row
    if head_seq != expected_seq - 1 or head_hash != previous:
        after = f"after row {last.id}" if last is not None else "from the start"
        problem = (
            f"the chain's head is at place {head_seq} but the rows end at {expected_seq - 1}: "
            f"rows were deleted or added {after}"
        )
        return ChainReport(count, head_seq, head_hash, ChainBreak(None, None, None, None, problem))
    return ChainReport(count, head_seq, head_hash, None)
