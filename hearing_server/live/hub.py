"""``TranscriptHub``: the live transcript of one hearing and its fan-out to WebSocket subscribers.

    hub = TranscriptHub(started_at=clock())
    hub.document(rows)                               # the transcript document's segments changed
    hub.partial(speaker, partial, offset_ms=1200)    # every change gets the next sequence number
    initial, sub = hub.subscribe(since=None)         # [snapshot] (or the missed events), then…
    while (message := await sub.next()) is not None:
        send(message)
    sub.close_code, sub.close_reason                 # why the subscription ended

Snapshot-then-diff (DESIGN.md §3, docs/protocol.md): a subscriber first gets the whole state with
the sequence number it reflects, then every later change in order. ``subscribe(since=seq)`` returns
only the changes after ``seq`` when the bounded ring buffer still holds them, else a snapshot.

Subscribers never slow the hub down: each has a bounded queue, and one that falls ``queue_size``
messages behind is dropped (close code :data:`~hearing_server.errors.WS_CLOSE_OVERFLOW`; every
close code is declared in :mod:`hearing_server.errors`); it reconnects with ``since``.
All methods run on the event loop; there is no locking because nothing here awaits.

The committed text is the transcript document's (one path for a committed utterance: ASR commit →
document, persisted → its update): :meth:`document` turns each document change into ``segment``
and ``segment_removed`` messages, so a clerk's correction reaches the room's live panel too; the
hub itself keeps only partials, gaps and presence (:mod:`hearing_server.live.presence`). A closed
hearing's last message is ``hearing``. Each hub has a new ``live_id``, and ``since`` from another
hub's ``live_id`` gets a snapshot.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta

from asr.types import Gap, Partial, Word
from hearing_server.errors import WS_CLOSE_HEARING_CLOSED, WS_CLOSE_OVERFLOW
from hearing_server.live.speaker import Message, Speaker

__all__ = [
    "Message",
    "Speaker",
    "Subscription",
    "TranscriptHub",
    "word_rows",
]

_logger = logging.getLogger(__name__)


class Subscription:
    """One subscriber's bounded queue; ``next()`` returns ``None`` once the subscription ended."""

    def __init__(self, queue_size: int, key: str | None = None) -> None:
        self.key = key
        """Speaker key of the person subscribed (``None``: not known), for :meth:`end_for`."""
        self._queue: asyncio.Queue[Message | None] = asyncio.Queue(maxsize=queue_size + 1)
        self._limit = queue_size
        self.close_code: int | None = None
        self.close_reason = ""

    @property
    def closed(self) -> bool:
        return self.close_code is not None

    async def next(self) -> Message | None:
        return await self._queue.get()

    def _offer(self, message: Message) -> bool:
        """Queue ``message``; False (and the subscription ends) when the queue is full."""
        if self.closed:
            return False
        if self._queue.qsize() >= self._limit:
            self._end(WS_CLOSE_OVERFLOW, "transcript subscriber too slow; reconnect with since")
            return False
        self._queue.put_nowait(message)
        return True

    def _end(self, code: int, reason: str, *, deliver_pending: bool = False) -> None:
        """End after the queued messages (``deliver_pending``) or instead of them (overflow:
        what is left is useless, the client must resync). There is always room for the end."""
        if self.closed:
            return
        self.close_code, self.close_reason = code, reason
        while not deliver_pending and not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(None)


def word_rows(words: tuple[Word, ...], offset_ms: int) -> list[Message]:
    return [
        {
            "text": w.text,
            "start_ms": w.start_ms + offset_ms,
            "end_ms": w.end_ms + offset_ms,
            "probability": round(w.probability, 3),
        }
        for w in words
    ]


class TranscriptHub:
    def __init__(
        self,
        *,
        started_at: datetime,
        buffer_size: int = 1000,
        queue_size: int = 256,
    ) -> None:
        if buffer_size < 1 or queue_size < 1:
            raise ValueError("buffer_size and queue_size must be positive")
        self.started_at = started_at
        self.queue_size = queue_size
        self.live_id = uuid.uuid4().hex
        self._seq = 0
        self._segments: dict[str, Message] = {}
        """The transcript document's segments (id → row), in document order."""
        self._partials: dict[str, Message] = {}
        self._presence: dict[str, Message] = {}
        self._floor: Message = {"queue": [], "holder": None}
        self.recording = False
        """Whether the server records this session's audio (every page shows 录音中 then)."""
        self._buffer: deque[Message] = deque(maxlen=buffer_size)
        self._subscribers: set[Subscription] = set()
        self._closed = False

    @property
    def seq(self) -> int:
        return self._seq

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def at(self, ms: int) -> str:
        """Absolute UTC time of ``ms`` after the hearing's live start (ISO 8601)."""
        return (self.started_at + timedelta(milliseconds=ms)).isoformat()

    # -- changes -------------------------------------------------------------------------------

    def document(self, rows: Sequence[Message]) -> list[Message]:
        """The transcript document changed (an ASR commit, a person's correction, on this process
        or another): publish the rows that are new or different (``segment``) and the ids that
        are gone (``segment_removed``: merged or deleted). ``rows`` is the whole document, in
        its order (:func:`hearing_server.transcript.bridge.live_rows`)."""
        published: list[Message] = []
        current = {row["id"]: row for row in rows}
        for gone in [i for i in self._segments if i not in current]:
            published.append(self._publish({"type": "segment_removed", "id": gone}))
        before, self._segments = self._segments, current
        for row in rows:
            if before.get(row["id"]) != row:
                published.append(self._publish({"type": "segment", "segment": row}))
        return published

    def utterance_ended(self, speaker: Speaker) -> Message | None:
        """The speaker's utterance ended: their partial line goes (its words are in the
        document now)."""
        if self._partials.pop(speaker.key, None) is None:
            return None
        empty = {**speaker.label(), "start_ms": None, "end_ms": None, "text": "", "words": []}
        return self._publish({"type": "partial", "partial": empty})

    def partial(self, speaker: Speaker, partial: Partial, *, offset_ms: int) -> Message:
        words = word_rows(partial.words, offset_ms)
        state = {
            **speaker.label(),
            "start_ms": words[0]["start_ms"] if words else None,
            "end_ms": words[-1]["end_ms"] if words else None,
            "text": partial.text,
            "words": words,
        }
        if words:
            self._partials[speaker.key] = state
        else:
            self._partials.pop(speaker.key, None)
        return self._publish({"type": "partial", "partial": state})

    def gap(self, speaker: Speaker, gap: Gap, *, offset_ms: int) -> Message:
        start_ms, end_ms = gap.start_ms + offset_ms, gap.end_ms + offset_ms
        return self._publish(
            {
                "type": "gap",
                **speaker.label(),
                "reason": gap.reason,
                "start_ms": start_ms,
                "end_ms": end_ms,
                "start_at": self.at(start_ms),
                "end_at": self.at(end_ms),
            }
        )

    def presence(self, state: Message) -> Message:
        """Someone's presence changed (``state`` from :mod:`hearing_server.live.presence`)."""
        self._presence[state["speaker"]] = state
        return self._publish({"type": "presence", "presence": state})

    def floor(self, state: Message) -> Message:
        """Raised hands or the floor changed (``state`` from :mod:`hearing_server.live.floor`)."""
        self._floor = state
        return self._publish({"type": "floor", "floor": state})

    def hearing_closed(self) -> Message:
        """The last message of a hearing closed by the clerk (before :meth:`close`)."""
        return self._publish({"type": "hearing", "status": "closed"})

    # -- reading -------------------------------------------------------------------------------

    def snapshot(self) -> Message:
        return {
            "type": "snapshot",
            "seq": self._seq,
            "live_id": self.live_id,
            "started_at": self.started_at.isoformat(),
            "segments": list(self._segments.values()),
            "partials": dict(self._partials),
            "presence": dict(self._presence),
            "floor": self._floor,
            "recording": self.recording,
        }

    def since(self, seq: int) -> list[Message] | None:
        """The changes after ``seq``; ``None`` when they are no longer buffered (or ``seq`` is
        from the future, e.g. a previous server run): the client must take a new snapshot."""
        if seq == self._seq:
            return []
        if seq < 0 or seq > self._seq:
            return None
        oldest = self._buffer[0]["seq"] if self._buffer else self._seq + 1
        if seq + 1 < oldest:
            return None
        return [m for m in self._buffer if m["seq"] > seq]

    def subscribe(
        self, since: int | None = None, *, live_id: str | None = None, key: str | None = None
    ) -> tuple[list[Message], Subscription]:
        """``(initial messages, subscription)``: the missed changes when ``since`` is still
        buffered (and ``live_id``, if given, is this hub's), else ``[snapshot]``; later changes
        arrive on the subscription, without gaps. ``key``: who subscribes (see :meth:`end_for`)."""
        same_hub = live_id is None or live_id == self.live_id
        missed = self.since(since) if since is not None and same_hub else None
        initial = missed if missed is not None else [self.snapshot()]
        subscription = Subscription(self.queue_size, key)
        if self._closed:
            subscription._end(WS_CLOSE_HEARING_CLOSED, "the hearing's live session has ended")
        else:
            self._subscribers.add(subscription)
        return initial, subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscribers.discard(subscription)

    def end_for(self, key: str, code: int, reason: str) -> int:
        """End the subscriptions of one person (removed by the judge); how many there were."""
        ended = [s for s in self._subscribers if s.key == key]
        for subscription in ended:
            subscription._end(code, reason)
            self._subscribers.discard(subscription)
        return len(ended)

    def end(self, subscription: Subscription, code: int, reason: str) -> None:
        """End one subscription (its page's seat was taken by a newer page of the person)."""
        subscription._end(code, reason)
        self._subscribers.discard(subscription)

    def close(
        self,
        code: int = WS_CLOSE_HEARING_CLOSED,
        reason: str = "the hearing's live session has ended",
    ) -> None:
        self._closed = True
        for subscription in list(self._subscribers):
            subscription._end(code, reason, deliver_pending=True)
        self._subscribers.clear()

    def _publish(self, change: Message) -> Message:
        self._seq += 1
        message = {"seq": self._seq, **change}
        self._buffer.append(message)
        for subscription in list(self._subscribers):
            if not subscription._offer(message):
                self._subscribers.discard(subscription)
                _logger.info("dropped a transcript subscriber: %s", subscription.close_reason)
        return message
