"""``DocumentLog``: one hearing's transcript document in this process, kept in step with the
durable log that every server process shares.

Each process holds the document in memory and writes through it; the store's unique
``(hearing_id, seq)`` is the arbiter. A write is drafted against the local copy and persisted
with the next sequence number; when another process took that number first
(:class:`SeqTakenError`), the local copy is behind: it is rebuilt from the store (the missed
updates go to this process's sockets, in order) and the write is drafted again, so a person's edit
is validated against the document as it really is. Updates written by other processes arrive
through the bus (:meth:`apply_remote`); a gap in their sequence numbers (a message lost or still
in flight) is filled from the store, so every local socket sees every update once, in order.

    log.catch_up()                     # read what other processes wrote (before a snapshot)
    log.apply_remote(stored_update)    # a bus message from another process
"""

from __future__ import annotations

import asyncio
import base64
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from hearing_server.transcript.model import Change, Revision
from hearing_server.transcript.policy import EditorRole
from hearing_server.transcript.ydoc import TranscriptDoc, TranscriptDocError

__all__ = [
    "ASR_AUTHOR",
    "SERVER_AUTHOR",
    "Author",
    "Broadcast",
    "DocumentLog",
    "Draft",
    "SeqTakenError",
    "StoredUpdate",
    "UpdateStore",
]

#: Drafting again after another process wrote first (each time it did, someone made progress; the
#: jittered pause keeps one busy writer from outrunning another for ever).
MAX_DRAFTS = 32
_BACKOFF_S = 0.002


@dataclass(frozen=True, slots=True)
class Author:
    key: str
    """``user-3`` (staff), ``participant-7``, or ``asr``."""
    name: str
    role: EditorRole


ASR_AUTHOR = Author("asr", "ASR", EditorRole.READER)
SERVER_AUTHOR = Author("server", "Server", EditorRole.READER)
"""The server itself: what it writes as a fact of the record (recording gaps), not an edit."""


@dataclass(frozen=True, slots=True)
class StoredUpdate:
    seq: int
    author_key: str
    author_name: str
    update: bytes
    at: datetime

    def message(self) -> dict[str, Any]:
        return {
            "type": "update",
            "seq": self.seq,
            "update": base64.b64encode(self.update).decode("ascii"),
            "author": {"key": self.author_key, "name": self.author_name},
            "at": self.at.isoformat(),
        }

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> StoredUpdate:
        author = message["author"]
        return cls(
            int(message["seq"]),
            str(author["key"]),
            str(author["name"]),
            base64.b64decode(message["update"]),
            datetime.fromisoformat(message["at"]),
        )


class SeqTakenError(Exception):
    """Another process stored this sequence number first: the local copy was behind."""


class UpdateStore(Protocol):
    """Durable, append-only log of a hearing's document updates (and revisions)."""

    def load(self, hearing_id: int) -> list[StoredUpdate]: ...

    def since(self, hearing_id: int, seq: int) -> list[StoredUpdate]: ...

    def append(
        self, hearing_id: int, updates: Sequence[StoredUpdate], revisions: Sequence[Revision]
    ) -> None:
        """All or nothing, durable when it returns (the database commit); :class:`SeqTakenError`
        when one of the sequence numbers is taken."""


Broadcast = Callable[[dict[str, Any]], None]
"""A message to this process's sockets (and, given as ``publish``, to the other processes)."""


@dataclass(frozen=True, slots=True)
class Draft:
    """A write drafted against the local copy: persisted as one step, then ``done`` runs."""

    author: Author
    updates: Sequence[bytes]
    changes: Sequence[Change]
    done: Callable[[], None] | None = None


class DocumentLog:
    def __init__(
        self,
        hearing_id: int,
        store: UpdateStore,
        broadcast: Broadcast,
        history: Sequence[StoredUpdate],
        clock: Callable[[], datetime],
        publish: Broadcast | None = None,
    ) -> None:
        self.hearing_id = hearing_id
        self._store = store
        self._broadcast = broadcast
        self._publish = publish
        self._clock = clock
        self._doc = TranscriptDoc([item.update for item in history])
        self._seq = history[-1].seq if history else 0
        self._lock = asyncio.Lock()

    @property
    def doc(self) -> TranscriptDoc:
        return self._doc

    @property
    def seq(self) -> int:
        return self._seq

    def snapshot(self) -> tuple[int, bytes]:
        return self._seq, self._doc.encode_state()

    async def missed(self, since: int) -> list[StoredUpdate]:
        return await asyncio.to_thread(self._store.since, self.hearing_id, since)

    async def catch_up(self) -> None:
        """Read what other processes stored since this copy's sequence number."""
        async with self._lock:
            await self._catch_up()

    async def apply_remote(self, item: StoredUpdate) -> None:
        """Another process stored ``item`` (a bus message): apply it when it is the next one,
        fill a gap from the store, ignore what this copy has already."""
        async with self._lock:
            if item.seq <= self._seq:
                return
            if item.seq > self._seq + 1:
                await self._catch_up()
                return
            try:
                self._doc.apply_update(item.update)
            except TranscriptDocError:
                await self._reload()  # the store decides; a garbled message does not
                return
            self._seq = item.seq
            self._broadcast(item.message())

    async def _catch_up(self) -> None:
        for item in await self.missed(self._seq):
            try:
                self._doc.apply_update(item.update)
            except TranscriptDocError:
                await self._reload()
                return
            self._seq = item.seq
            self._broadcast(item.message())

    async def _reload(self) -> None:
        """Rebuild the document from storage, the only truth (after a refused, failed or
        outrun write); updates it did not have yet go to this process's sockets."""
        history = await asyncio.to_thread(self._store.load, self.hearing_id)
        known = self._seq
        self._doc = TranscriptDoc([item.update for item in history])
        self._seq = history[-1].seq if history else 0
        for item in history:
            if item.seq > known:
                self._broadcast(item.message())

    async def _write(self, draft: Callable[[], Draft | None]) -> int | None:
        """Draft, persist and broadcast one write (the caller holds the lock); drafted again
        when another process stored first. The sequence number, or None (nothing to write)."""
        for attempt in range(1, MAX_DRAFTS + 1):
            step = draft()
            if step is None:
                return None
            try:
                seq = await self._persist(step)
            except SeqTakenError:
                # _persist rebuilt the copy from the store: draft against that
                await asyncio.sleep(random.uniform(0, _BACKOFF_S * attempt))
                continue
            if step.done is not None:
                step.done()
            return seq
        raise SeqTakenError(f"hearing {self.hearing_id}: outrun {MAX_DRAFTS} times in a row")

    async def _persist(self, draft: Draft) -> int:
        now = self._clock()
        stored = [
            StoredUpdate(self._seq + n, draft.author.key, draft.author.name, update, now)
            for n, update in enumerate(draft.updates, start=1)
        ]
        revisions = [
            Revision(
                hearing_id=self.hearing_id,
                segment_id=c.segment_id,
                field=c.field,
                before=c.before,
                after=c.after,
                author=draft.author.key,
                author_name=draft.author.name,
                at=now,
                seq=stored[0].seq,
            )
            for c in draft.changes
        ]
        try:
            await asyncio.to_thread(self._store.append, self.hearing_id, stored, revisions)
        except BaseException:
            await self._reload()  # not durable: forget it in memory too
            raise
        self._seq = stored[-1].seq
        for item in stored:
            message = item.message()
            self._broadcast(message)
            if self._publish is not None:
                self._publish(message)
        return self._seq
