"""``TranscriptActions``: every change to a hearing's transcript: validate → apply → persist → ack
→ broadcast (DESIGN.md §1), one hearing at a time, in sequence-number order.

    actions = await TranscriptActions.load(hearing_id, store, broadcast)
    await actions.commit_asr(speaker, start_ms, end_ms, text, words)  # ASR: append a segment
    await actions.commit_gap(gap)                 # the server: a gap of someone's recording
    await actions.add_marker(author, marker)      # the server: a court stage, an identity check
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
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from hearing_server.transcript.asr_revision import splice_last, splice_words
from hearing_server.transcript.log import (
    ASR_AUTHOR,
    SERVER_AUTHOR,
    Author,
    Broadcast,
    DocumentLog,
    Draft,
    StoredUpdate,
    UpdateStore,
)
from hearing_server.transcript.model import (
    Change,
    Field,
    GapView,
    SegmentKind,
    SegmentView,
    SpeakerRef,
    WordView,
    gap_text,
    is_blank,
)
from hearing_server.transcript.policy import check_changes
from hearing_server.transcript.ydoc import NewSegment, TranscriptDocError

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


class EditRefusedError(Exception):
    """The update was not applied: not allowed, or not a valid transcript update."""


class TranscriptActions(DocumentLog):
    def __init__(
        self,
        hearing_id: int,
        store: UpdateStore,
        broadcast: Broadcast,
        history: Sequence[StoredUpdate] = (),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        publish: Broadcast | None = None,
    ) -> None:
        super().__init__(hearing_id, store, broadcast, history, clock, publish)
        self._open: dict[str, str] = {}
        """Speaker key → the segment their current utterance goes into."""
        self._last: dict[str, str] = {}
        """Speaker key → the segment of their previous utterance (the recogniser may still
        correct its last words once, having heard what followed: ``asr.revise``)."""

    @classmethod
    async def load(
        cls, hearing_id: int, store: UpdateStore, broadcast: Broadcast, **kwargs: Any
    ) -> TranscriptActions:
        history = await asyncio.to_thread(store.load, hearing_id)
        return cls(hearing_id, store, broadcast, history, **kwargs)

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
    ) -> int | None:
        """The ASR committed words: they open a segment, or extend the speaker's open one until
        the utterance ends (so a segment is an utterance, not a two-word fragment). A commit
        with no words (empty, or punctuation only) opens no segment: a speaker label with
        nothing after it is not a line of the record (issue 13). None: nothing written."""

        def draft() -> Draft | None:
            open_id = self._open.get(speaker.key)
            if open_id is not None and self._doc.get(open_id) is None:
                open_id = None  # merged away or deleted by an editor: start a new one
            if not text.strip() or (open_id is None and is_blank(text)):
                if end_of_utterance:
                    self._close(speaker.key)
                return None
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

            def done() -> None:
                self._open[speaker.key] = open_id
                if end_of_utterance:
                    self._close(speaker.key)

            return Draft(ASR_AUTHOR, [update], [change], done)

        async with self._lock:
            return await self._write(draft)

    async def revise_asr(
        self, speaker_key: str, old: tuple[WordView, ...], new: tuple[WordView, ...], glue: str
    ) -> int | None:
        """The recogniser corrected words it committed earlier (``asr.types.Revision``): the
        final decode of an utterance its quick commits, or the next utterance's final decode the
        last words of the previous one. Applied to the segment that holds those words (the
        speaker's open segment, else the one of their previous utterance) while no person has
        changed or locked it, else dropped (a person's text is never overwritten). ``glue``
        joins words (" " for English, "" for Mandarin). A correction that leaves the segment
        with no words (the recogniser took them all back) removes the segment. The sequence
        number, or None."""
        old_text = glue.join(w.text.strip() for w in old)
        new_text = glue.join(w.text.strip() for w in new)

        def draft() -> Draft | None:
            last = self._last.get(speaker_key)
            for segment_id in (self._open.get(speaker_key), last):
                view = self._doc.get(segment_id) if segment_id is not None else None
                if segment_id is None or view is None or view.touched or view.locked:
                    continue
                if segment_id == last and splice_words(view.words, old, new) == view.words:
                    continue  # the previous utterance's segment, but not its words
                text = splice_last(view.text, old_text, new_text)
                if text is not None:
                    return revised(segment_id, view, text)
            return None

        def revised(segment_id: str, view: SegmentView, text: str) -> Draft:
            if is_blank(text):
                gone = Change(segment_id, Field.DELETED, view.text, "")
                return Draft(ASR_AUTHOR, [self._doc.delete_segment(segment_id)], [gone])
            words = splice_words(view.words, old, new)
            asr_text = splice_last(view.asr_text, old_text, new_text)
            update = self._doc.replace_text(segment_id, text, asr_text=asr_text, words=words)
            return Draft(ASR_AUTHOR, [update], [Change(segment_id, Field.TEXT, view.text, text)])

        async with self._lock:
            return await self._write(draft)

    async def end_utterance(self, speaker_key: str) -> None:
        """The speaker's utterance ended with no new words: their open segment is complete."""
        async with self._lock:
            self._close(speaker_key)

    def _close(self, speaker_key: str) -> None:
        """The speaker's utterance ended: its segment becomes their previous one."""
        closed = self._open.pop(speaker_key, None)
        if closed is not None:
            self._last[speaker_key] = closed

    async def commit_gap(self, gap: GapView) -> int | None:
        """A gap of a speaker's recording ended: it becomes part of the transcript, attributed to
        the server, with a revision. Idempotent by ``gap.id`` (``None``: already there)."""

        def draft() -> Draft | None:
            if any(g.id == gap.id for g in self._doc.gaps()):
                return None
            update = self._doc.append_gap(gap)
            return Draft(SERVER_AUTHOR, [update], [Change(gap.id, Field.GAP, "", gap_text(gap))])

        async with self._lock:
            return await self._write(draft)

    async def add_marker(self, author: Author, marker: NewSegment) -> int | None:
        """A marker row (``SegmentKind.MARKER``: a court stage begins, an identity was checked),
        placed in time order and attributed to ``author`` (who made the stage change). Written
        by the server only (the policy refuses it in an editor's update). Idempotent by
        ``marker.id`` (``None``: already there)."""

        def draft() -> Draft | None:
            if marker.kind is not SegmentKind.MARKER:
                raise EditRefusedError("not a marker")
            if self._doc.get(marker.id) is not None:
                return None
            update = self._doc.append_commit(marker)
            return Draft(author, [update], [Change(marker.id, Field.CREATED, "", marker.text)])

        async with self._lock:
            return await self._write(draft)

    async def edit(self, author: Author, update: bytes) -> int:
        """Apply an editor's update; the sequence number once it is durable."""
        if len(update) > MAX_UPDATE_BYTES:
            raise EditRefusedError(f"update larger than {MAX_UPDATE_BYTES} bytes")
        refused: list[str] = []

        def draft() -> Draft | None:
            try:
                patch = self._doc.apply_update(update)
            except TranscriptDocError as exc:
                refused.append(str(exc))
                return None
            verdict = check_changes(author.role, patch.changes, patch.before, patch.after)
            if not verdict.allowed:
                refused.append(verdict.reason)  # rare: the API refuses readers before this
                return None
            updates = [update]
            touched = [
                c.segment_id for c in patch.changes if c.field in (Field.TEXT, Field.SPEAKER)
            ]
            if touched:
                updates.append(self._doc.mark_edited(touched))
            return Draft(author, updates, patch.changes)

        async with self._lock:
            seq = await self._write(draft)
            if refused:
                await self._reload()  # a half-applied update must not stay in memory
                raise EditRefusedError(refused[-1])
        assert seq is not None
        return seq

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

        def draft() -> Draft:
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
            return Draft(author, [update, touched], [change])

        async with self._lock:
            seq = await self._write(draft)
        assert seq is not None
        return seq

    async def insert_segment(self, author: Author, segment: NewSegment) -> int:
        """Insert a whole speech segment in time order, attributed to ``author`` (speech the live
        transcript missed, proposed by re-transcription and accepted by a person)."""

        def draft() -> Draft:
            if is_blank(segment.text):
                raise EditRefusedError("a segment needs words (this one has none)")
            try:
                update = self._doc.append_commit(segment)
            except TranscriptDocError as exc:
                raise EditRefusedError(str(exc)) from exc
            return Draft(author, [update], [Change(segment.id, Field.CREATED, "", segment.text)])

        async with self._lock:
            seq = await self._write(draft)
        assert seq is not None
        return seq

    async def delete_blank_segment(self, author: Author, segment_id: str) -> int:
        """Remove a segment with no words (an empty row left by an earlier version), attributed
        to ``author`` with a revision (before: its text, after: nothing). Refused for a segment
        with words (those are merged or corrected, never deleted) or a locked one."""

        def draft() -> Draft:
            view = self._doc.get(segment_id)
            if view is None:
                raise EditRefusedError(f"segment {segment_id} no longer exists")
            if not is_blank(view.text):
                raise EditRefusedError(f"segment {segment_id} has words: only an empty one goes")
            change = Change(segment_id, Field.DELETED, view.text, "")
            verdict = check_changes(author.role, [change], {segment_id: view})
            if not verdict.allowed:
                raise EditRefusedError(verdict.reason)
            return Draft(author, [self._doc.delete_segment(segment_id)], [change])

        async with self._lock:
            seq = await self._write(draft)
        assert seq is not None
        return seq
