"""The audit of a stored log: recompute every leaf hash and court signature and every checkpoint
root from the leaves, and name what does not hold.

The tables' triggers refuse updates and deletes, but the database's owner can drop them; this
audit is what catches that, naming each finding:

- ``leaf.changed``: a leaf's data no longer matches the hash stored beside it;
- ``leaf.removed``: an index is missing (the log has a gap);
- ``leaf.moved``: a leaf sits at another index than the one written into it (reordered, or
  renumbered after a removal);
- ``entry.bad_signature`` / ``entry.unknown_court`` / ``entry.malformed``: the court's signature
  of an entry does not verify;
- ``checkpoint.mismatch``: the leaves no longer give a signed checkpoint's root (a leaf before
  it was replaced, hash and all);
- ``log.rolled_back``: a checkpoint is larger than the log;
- ``checkpoint.bad_signature`` etc.: a stored checkpoint's own signature does not verify.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from sqlalchemy import Connection, select

from ledger.entries import EntryError, open_leaf
from ledger.log.checkpoint import open_checkpoint
from ledger.log.errors import CheckpointError
from ledger.log.merkle import MerkleTree, leaf_hash
from ledger.log.note import NoteVerifier
from ledger.store import court_keys
from ledger.tables import checkpoints, leaves

__all__ = ["Finding", "audit_log"]


@dataclass(frozen=True, slots=True)
class Finding:
    reason: str
    index: int  # the leaf, or the checkpoint's size
    detail: str


def audit_log(connection: Connection, log_key: NoteVerifier, origin: str) -> list[Finding]:
    """Every finding, in log order; an empty list means the stored log is intact."""
    keys = court_keys(connection)
    findings: list[Finding] = []
    tree = MerkleTree()
    rows = connection.execute(
        select(leaves.c.idx, leaves.c.data, leaves.c.leaf_hash).order_by(leaves.c.idx)
    )
    for idx, data, stored in rows:
        if idx != tree.size:
            findings.append(Finding("leaf.removed", tree.size, f"leaves {tree.size}–{idx - 1}"))
        h = leaf_hash(bytes(data))
        if not hmac.compare_digest(h, bytes(stored)):
            findings.append(Finding("leaf.changed", idx, "its data does not match its hash"))
        try:
            claimed, _entry = open_leaf(bytes(data), keys)
        except EntryError as exc:
            findings.append(Finding(exc.reason, idx, exc.detail))
        else:
            if claimed != idx:
                findings.append(Finding("leaf.moved", idx, f"the leaf was written at {claimed}"))
        tree.append_hash(h)
    previous = 0
    for size, note in connection.execute(
        select(checkpoints.c.size, checkpoints.c.note).order_by(checkpoints.c.size)
    ):
        try:
            cp, _ = open_checkpoint(note, log_key, origin)
        except CheckpointError as exc:
            findings.append(Finding(exc.reason, size, exc.detail))
            continue
        if cp.size != size or cp.size > tree.size:
            findings.append(
                Finding("log.rolled_back", size, f"checkpoint of {cp.size}, {tree.size} leaves")
            )
        elif not hmac.compare_digest(tree.root(cp.size), cp.root_hash):
            findings.append(
                Finding(
                    "checkpoint.mismatch",
                    size,
                    f"leaves before {size} (after {previous} if that checkpoint holds) differ",
                )
            )
        previous = size
    return findings
