"""Reading and registering in the ledger's tables (SQLAlchemy Core, one connection passed in):
the courts' entry keys, leaf hashes in order, checkpoints and their cosignatures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from ledger.log.checkpoint import Checkpoint
from ledger.log.errors import LogError
from ledger.log.merkle import MerkleTree
from ledger.log.note import NoteVerifier, Signature, SignedNote, parse_note
from ledger.receipt import Receipt
from ledger.tables import checkpoints, cosignatures, courts, leaves

__all__ = [
    "LedgerError",
    "StoredCheckpoint",
    "add_cosignature",
    "checkpoint_at",
    "court_keys",
    "latest_checkpoint",
    "leaf_hashes",
    "log_size",
    "make_receipt",
    "register_court",
]


class LedgerError(LogError):
    """The stored log cannot be used as it is (a gap, a tampered leaf, a refused write)."""


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    checkpoint: Checkpoint
    note: SignedNote  # the log's signature and every cosignature received

    def render(self) -> str:
        return self.note.render()


def register_court(
    connection: Connection, verifier: NoteVerifier, court_name: str, now: datetime
) -> None:
    """Add a court's entry key (its key name is the court's name in entries); keys are never
    changed: a second, different key under the same name is refused."""
    row = connection.execute(
        select(courts.c.vkey).where(courts.c.key_name == verifier.name)
    ).scalar_one_or_none()
    if row is not None:
        if row != verifier.vkey():
            raise LedgerError("court.key_exists", f"{verifier.name} already has another key")
        return
    connection.execute(
        insert(courts).values(
            key_name=verifier.name, court_name=court_name, vkey=verifier.vkey(), added_at=now
        )
    )


def court_keys(connection: Connection) -> dict[str, NoteVerifier]:
    rows = connection.execute(select(courts.c.key_name, courts.c.vkey))
    return {name: NoteVerifier.parse(vkey) for name, vkey in rows}


def log_size(connection: Connection) -> int:
    top = connection.execute(select(func.max(leaves.c.idx))).scalar_one_or_none()
    return 0 if top is None else int(top) + 1


def leaf_hashes(connection: Connection, start: int, on_hash: Callable[[int, bytes], None]) -> None:
    """Call ``on_hash(idx, leaf_hash)`` for every stored leaf from ``start``, in order."""
    query = select(leaves.c.idx, leaves.c.leaf_hash).where(leaves.c.idx >= start)
    for idx, h in connection.execute(query.order_by(leaves.c.idx)):
        on_hash(int(idx), bytes(h))


def _stored(connection: Connection, size: int, note: str) -> StoredCheckpoint:
    signed = parse_note(note)
    lines = connection.execute(
        select(cosignatures.c.line).where(cosignatures.c.size == size).order_by(cosignatures.c.id)
    ).scalars()
    extra: list[Signature] = []
    for line in lines:
        extra.extend(parse_note(signed.text + "\n" + line).signatures)
    return StoredCheckpoint(
        Checkpoint.parse(signed.text), SignedNote(signed.text, (*signed.signatures, *extra))
    )


def latest_checkpoint(connection: Connection) -> StoredCheckpoint | None:
    row = connection.execute(
        select(checkpoints.c.size, checkpoints.c.note).order_by(checkpoints.c.size.desc()).limit(1)
    ).first()
    return None if row is None else _stored(connection, int(row.size), row.note)


def checkpoint_at(connection: Connection, size: int) -> StoredCheckpoint | None:
    note = connection.execute(
        select(checkpoints.c.note).where(checkpoints.c.size == size)
    ).scalar_one_or_none()
    return None if note is None else _stored(connection, size, note)


def add_cosignature(connection: Connection, size: int, signature: Signature, now: datetime) -> None:
    """Keep a witness's cosignature line of the checkpoint of ``size`` (verified by the caller)."""
    connection.execute(
        insert(cosignatures).values(
            size=size, witness=signature.name, line=signature.line(), received_at=now
        )
    )


def make_receipt(connection: Connection, tree: MerkleTree, index: int, size: int) -> Receipt:
    """The receipt of leaf ``index`` under the stored checkpoint of ``size`` (with whatever
    cosignatures it has so far); ``tree`` is the writer's tree (:attr:`LogWriter.tree`)."""
    stored = checkpoint_at(connection, size)
    if stored is None or not 0 <= index < size:
        raise LedgerError("receipt.no_checkpoint", f"no checkpoint of {size} covers leaf {index}")
    data = connection.execute(
        select(leaves.c.data).where(leaves.c.idx == index)
    ).scalar_one_or_none()
    if data is None:
        raise LedgerError("log.gap", f"leaf {index} is missing")
    proof = tuple(tree.inclusion_proof(index, size))
    return Receipt(index, bytes(data), proof, stored.render())
