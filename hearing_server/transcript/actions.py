"""``TranscriptActions``: every change to a hearing's transcript: validate → apply → persist → ack
→ broadcast (DESIGN.md §1), one hearing at a time, in sequence-number order.

    actions = await TranscriptActions.load(hearing_id, store, broadcast)
    await actions.commit_asr(speaker, start_ms, end_ms, text, words)  # ASR: append a segment
    await actions.commit_gap(gap)                 # the server: a gap of someone's recording
    seq = await actions.edit(author, update)      # a Yjs update; EditRefusedError if not allowed
    seq, state = actions.snapshot()               # what a new client loads
    await actions.missed(since=seq)               # what a reconnecting client missed

An edit is acknowledged (``edit`` returns) only after the store says the update is durable; the
broadcast happens after that too, so no client ever sees a change that a crash could take back.
Text or speaker changes by a person mark the segment ``edited`` in the same durable step, and
each change is recorded as an attributed :class:`Revision` (who, when, before → after).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from hearing_server.transcript.asr_revision import splice_last, splice_words
from hearing_server.transcript.model import (
    Change,
    Field,
    GapView,
    Revision,
    SpeakerRef,
    WordView,
    gap_text,
)
from hearing_server.transcript.policy import EditorRole, check_changes
from hearing_server.transcript.ydoc import NewSegment, TranscriptDoc, TranscriptDocError

__all__ = [
    "ASR_AUTHOR",
    "SERVER_AUTHOR",
    "Author",
    "EditRefusedError",
    "StoredUpdate",
    "TranscriptActions",
    "UpdateStore",
]

MAX_UPDATE_BYTES = 256 * 1024


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


class UpdateStore(Protocol):
    """Durable, append-only log of a hearing's document updates (and revisions)."""

    def load(self, hearing_id: int) -> list[StoredUpdate]: ...

    def since(self, hearing_id: int, seq: int) -> list[StoredUpdate]: ...

    def append(
        self, hearing_id: int, updates: Sequence[StoredUpdate], revisions: Sequence[Revision]
    ) -> None:
        """All or nothing, durable when it returns (the database commit)."""


class EditRefusedError(Exception):
    """The update was not applied: not allowed, or not a valid transcript update."""


Broadcast = Callable[[dict[str, Any]], None]


class TranscriptActions:
    def __init__(
        self,
        hearing_id: int,
        store: UpdateStore,
        broadcast: Broadcast,
        history: Sequence[StoredUpdate] = (),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.hearing_id = hearing_id
        self._store = store
        self._broadcast = broadcast
        self._clock = clock
        self._doc = TranscriptDoc([item.update for item in history])
        self._seq = history[-1].seq if history else 0
        self._lock = asyncio.Lock()
        self._open: dict[str, str] = {}
        """Speaker key → the segment their current utterance goes into."""

    async def _reload(self) -> None:
        """Rebuild the document from storage, the only truth (after a refused or failed edit)."""
        history = await asyncio.to_thread(self._store.load, self.hearing_id)
        self._doc = TranscriptDoc([item.update for item in history])
        self._seq = history[-1].seq if history else 0

    @classmethod
    async def load(
        cls, hearing_id: int, store: UpdateStore, broadcast: Broadcast, **kwargs: Any
    ) -> TranscriptActions:
        history = await asyncio.to_thread(store.load, hearing_id)
        return cls(hearing_id, store, broadcast, history, **kwargs)

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

    async def commit_asr(
        self,
        speaker: SpeakerRef,
        start_ms: int,
        end_ms: int,
        text: str,
        words: tuple[WordView, ...] = (),
        *,
        end_of_utterance: bool = True,
        start_utc: str = "",
    ) -> int:
        """The ASR committed words: they open a segment, or extend the speaker's open one until
        the utterance ends (so a segment is an utterance, not a two-word fragment)."""
        async with self._lock:
            open_id = self._open.get(speaker.key)
            if open_id is not None and self._doc.get(open_id) is None:
                open_id = None  # merged away or deleted by an editor: start a new one
            if open_id is None:
                open_id = f"seg-{self._seq + 1}"
                segment = NewSegment(
                    open_id, speaker, start_ms, end_ms, text, words, start_utc=start_utc
                )
                update = self._doc.append_commit(segment)
                change = Change(open_id, Field.CREATED, "", text)
            else:
                before = self._doc.get(open_id)
                update = self._doc.extend_segment(open_id, text, end_ms, words)
                after = self._doc.get(open_id)
                change = Change(
                    open_id, Field.TEXT, before.text if before else "", after.text if after else ""
                )
            if end_of_utterance:
                self._open.pop(speaker.key, None)
            else:
                self._open[speaker.key] = open_id
            return await self._persist(ASR_AUTHOR, [update], [change])

    async def revise_asr(
        self, speaker_key: str, old: tuple[WordView, ...], new: tuple[WordView, ...], glue: str
    ) -> int | None:
        """The recogniser's final decode of an utterance corrected words it committed earlier in
        the same utterance (``asr.types.Revision``): applied to the speaker's open segment while
        no person has changed or locked it, else dropped (a person's text is never overwritten).
        ``glue`` joins words (" " for English, "" for Mandarin). The sequence number, or None."""
        async with self._lock:
            segment_id = self._open.get(speaker_key)
            view = self._doc.get(segment_id) if segment_id is not None else None
            if segment_id is None or view is None or view.touched or view.locked:
                return None
            old_text = glue.join(w.text.strip() for w in old)
            new_text = glue.join(w.text.strip() for w in new)
            text = splice_last(view.text, old_text, new_text)
            if text is None:
                return None
            words = splice_words(view.words, old, new)
            asr_text = splice_last(view.asr_text, old_text, new_text)
            update = self._doc.replace_text(segment_id, text, asr_text=asr_text, words=words)
            change = Change(segment_id, Field.TEXT, view.text, text)
            return await self._persist(ASR_AUTHOR, [update], [change])

    async def end_utterance(self, speaker_key: str) -> None:
        """The speaker's utterance ended with no new words: their open segment is complete."""
        async with self._lock:
            self._open.pop(speaker_key, None)

    async def commit_gap(self, gap: GapView) -> int | None:
        """A gap of a speaker's recording ended: it becomes part of the transcript, attributed to
        the server, with a revision. Idempotent by ``gap.id`` (``None``: already there)."""
        async with self._lock:
            if any(g.id == gap.id for g in self._doc.gaps()):
                return None
            update = self._doc.append_gap(gap)
            change = Change(gap.id, Field.GAP, "", gap_text(gap))
            return await self._persist(SERVER_AUTHOR, [update], [change])

    async def edit(self, author: Author, update: bytes) -> int:
        """Apply an editor's update; the sequence number once it is durable."""
        if len(update) > MAX_UPDATE_BYTES:
            raise EditRefusedError(f"update larger than {MAX_UPDATE_BYTES} bytes")
        async with self._lock:
            try:
                patch = self._doc.apply_update(update)
            except TranscriptDocError as exc:
                await self._reload()  # a half-applied update must not stay in memory
                raise EditRefusedError(str(exc)) from exc
            verdict = check_changes(author.role, patch.changes, patch.before, patch.after)
            if not verdict.allowed:
                await self._reload()  # rare: the API refuses readers before they get here
                raise EditRefusedError(verdict.reason)
            changes = patch.changes
            updates = [update]
            touched = [c.segment_id for c in changes if c.field in (Field.TEXT, Field.SPEAKER)]
            if touched:
                updates.append(self._doc.mark_edited(touched))
            return await self._persist(author, updates, changes)

    async def replace_text(
        self,
        author: Author,
        segment_id: str,
        expected: str,
        new: str,
        *,
        asr_text: str | None = None,
    ) -> int:
        """Replace a segment's text server-side (an accepted re-transcription suggestion),
        attributed to ``author``; refused unless the text is still ``expected`` (so a person's
        later edit is never overwritten) and the segment is not locked."""
        async with self._lock:
            view = self._doc.get(segment_id)
            if view is None:
                raise EditRefusedError(f"segment {segment_id} no longer exists")
            if view.text != expected:
                raise EditRefusedError(f"segment {segment_id} changed since the proposal")
            change = Change(segment_id, Field.TEXT, view.text, new)
            verdict = check_changes(author.role, [change], {segment_id: view})
            if not verdict.allowed:
                raise EditRefusedError(verdict.reason)
            update = self._doc.replace_text(segment_id, new, asr_text=asr_text)
            # A person chose this text: from now on a later recognition may only suggest.
            touched = self._doc.mark_edited([segment_id])
            return await self._persist(author, [update, touched], [change])

    async def insert_segment(self, author: Author, segment: NewSegment) -> int:
        """Insert a whole speech segment in time order, attributed to ``author`` (speech the live
        transcript missed, proposed by re-transcription and accepted by a person)."""
        async with self._lock:
            try:
                update = self._doc.append_commit(segment)
            except TranscriptDocError as exc:
                raise EditRefusedError(str(exc)) from exc
            change = Change(segment.id, Field.CREATED, "", segment.text)
            return await self._persist(author, [update], [change])

    async def _persist(
        self, author: Author, updates: Sequence[bytes], changes: Sequence[Change]
    ) -> int:
        now = self._clock()
        stored = [
            StoredUpdate(self._seq + n, author.key, author.name, update, now)
            for n, update in enumerate(updates, start=1)
        ]
        revisions = [
            Revision(
                hearing_id=self.hearing_id,
                segment_id=c.segment_id,
                field=c.field,
                before=c.before,
                after=c.after,
                author=author.key,
                author_name=author.name,
                at=now,
                seq=stored[0].seq,
            )
            for c in changes
        ]
        try:
            await asyncio.to_thread(self._store.append, self.hearing_id, stored, revisions)
        except BaseException:
            await self._reload()  # not durable: forget it in memory too
            raise
        self._seq = stored[-1].seq
        for item in stored:
            self._broadcast(item.message())
        return self._seq
