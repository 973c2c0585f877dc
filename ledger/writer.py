"""The log writer: appends court-signed entries as leaves and signs a checkpoint every N leaves.

Crash safety comes from the database: a leaf and the checkpoint it completes are written in one
transaction, so a writer killed at any point (kill -9) leaves whole leaves and checkpoints that
match them; a restarted writer reloads the leaf hashes, checks them against its latest
checkpoint, and goes on. Several writers (processes) may append at once: a leaf's index is its
primary key, so of two writers that tried the same index one fails, catches up and retries.
Within a process one thread at a time uses a writer's tree (a lock).

The writer never updates or deletes a row (the tables' triggers would refuse it anyway).
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert
from sqlalchemy.exc import IntegrityError, OperationalError

from ledger.entries import Entry, leaf_data, open_entry
from ledger.log.checkpoint import Checkpoint, sign_checkpoint
from ledger.log.merkle import MerkleTree, leaf_hash
from ledger.log.note import NoteSigner
from ledger.store import (
    LedgerError,
    StoredCheckpoint,
    court_keys,
    latest_checkpoint,
    leaf_hashes,
)
from ledger.tables import checkpoints, leaves

__all__ = ["LogWriter"]

_RETRIES = 20


def _utcnow() -> datetime:
    return datetime.now(UTC)


class LogWriter:
    """Appends to the log of ``origin``, signing checkpoints with ``log_key``."""

    def __init__(
        self,
        engine: Engine,
        log_key: NoteSigner,
        origin: str,
        *,
        checkpoint_every: int,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if checkpoint_every < 1:
            raise ValueError("checkpoint_every ≥ 1")
        self._engine = engine
        self._log_key = log_key
        self.log_key = log_key.verifier()
        self.origin = origin
        self.checkpoint_every = checkpoint_every
        self._clock = clock
        self.tree = MerkleTree()
        self._lock = threading.Lock()  # one thread at a time changes or reads the tree
        with engine.connect() as connection:
            self._catch_up(connection)
            latest = latest_checkpoint(connection)
        if latest is not None:
            self._check_against(latest)

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """After taking in other writers' leaves; safe beside appends in other threads."""
        with self._lock, self._engine.connect() as connection:
            self._catch_up(connection)
            return self.tree.consistency_proof(old_size, new_size)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        with self._lock, self._engine.connect() as connection:
            self._catch_up(connection)
            return self.tree.inclusion_proof(index, size)

    def _catch_up(self, connection: Connection) -> None:
        def add(idx: int, h: bytes) -> None:
            if idx != self.tree.size:
                raise LedgerError("log.gap", f"leaf {self.tree.size} is missing (next is {idx})")
            self.tree.append_hash(h)

        leaf_hashes(connection, self.tree.size, add)

    def _check_against(self, stored: StoredCheckpoint) -> None:
        cp = stored.checkpoint
        if cp.origin != self.origin:
            raise LedgerError("log.wrong_origin", f"the stored log is {cp.origin!r}")
        if cp.size > self.tree.size:
            raise LedgerError("log.rolled_back", f"{self.tree.size} leaves, checkpoint {cp.size}")
        if not hmac.compare_digest(self.tree.root(cp.size), cp.root_hash):
            raise LedgerError("log.tampered", f"the leaves do not give checkpoint {cp.size}")

    def append(self, data: bytes) -> int:
        """Append one court-signed entry (:func:`ledger.entries.sign_entry`); its index."""
        return self.append_many([data])[0]

    def append_many(self, batch: Iterable[bytes]) -> list[int]:
        """Append entries in one transaction (all or none), in order; their indices."""
        datas = list(batch)
        with self._lock:
            return self._append_many(datas)

    def _append_many(self, datas: list[bytes]) -> list[int]:
        for _ in range(_RETRIES):
            base = self.tree.size
            try:
                with self._engine.begin() as connection:
                    self._catch_up(connection)
                    base = self.tree.size
                    keys = court_keys(connection)
                    entries = [open_entry(data, keys) for data in datas]
                    self._insert(connection, base, datas, entries)
            except (IntegrityError, OperationalError):
                self._rewind(base)  # another writer took these indices: catch up and retry
                continue
            except BaseException:
                self._rewind(base)
                raise
            return list(range(base, base + len(datas)))
        raise LedgerError("log.busy", "could not append after repeated conflicts")

    def _insert(
        self, connection: Connection, base: int, datas: list[bytes], entries: list[Entry]
    ) -> None:
        now = self._clock()
        for offset, (data, entry) in enumerate(zip(datas, entries, strict=True)):
            leaf = leaf_data(base + offset, data)
            h = leaf_hash(leaf)
            connection.execute(
                insert(leaves).values(
                    idx=base + offset,
                    court_key=entry.court,
                    kind=entry.kind,
                    subject=entry.subject,
                    data=leaf,
                    leaf_hash=h,
                    appended_at=now,
                )
            )
            self.tree.append_hash(h)
            if self.tree.size % self.checkpoint_every == 0:
                self._write_checkpoint(connection, now)

    def _rewind(self, size: int) -> None:
        """Forget leaves appended in memory by a transaction that did not commit."""
        if self.tree.size != size:
            self.tree.truncate(size)

    def _write_checkpoint(self, connection: Connection, now: datetime) -> Checkpoint:
        cp = Checkpoint(self.origin, self.tree.size, self.tree.root())
        connection.execute(
            insert(checkpoints).values(
                size=cp.size,
                root_hash=cp.root_hash,
                note=sign_checkpoint(cp, self._log_key).render(),
                created_at=now,
            )
        )
        return cp

    def checkpoint(self) -> Checkpoint:
        """A checkpoint of the log as it is now (a new one if it grew since the latest)."""
        with self._lock:
            return self._checkpoint()

    def _checkpoint(self) -> Checkpoint:
        for _ in range(_RETRIES):
            try:
                with self._engine.begin() as connection:
                    self._catch_up(connection)
                    latest = latest_checkpoint(connection)
                    if latest is not None and latest.checkpoint.size == self.tree.size:
                        return latest.checkpoint
                    return self._write_checkpoint(connection, self._clock())
            except (IntegrityError, OperationalError):
                continue
        raise LedgerError("log.busy", "could not checkpoint after repeated conflicts")
