"""``DocumentRoom``: one hearing's transcript document and the sockets that watch or edit it.

    room = await rooms.get(hearing_id)                 # loads the document from the store once
    subscriber = room.subscribe()                      # a bounded queue of outgoing messages
    seq = await room.actions.edit(author, update)      # durable, then broadcast to every subscriber
    room.relay_awareness(subscriber, update_b64)       # cursors: to the others, never stored
    room.unsubscribe(subscriber)

A subscriber that falls ``queue_size`` messages behind is dropped (it reconnects with ``since``
and gets the missed updates from the store, so nothing is lost, only re-read).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from typing import Any

from pycrdt import Awareness, Doc

from hearing_server.transcript.actions import TranscriptActions, UpdateStore

__all__ = ["DocumentRoom", "DocumentRooms", "Subscriber"]

Message = dict[str, Any]


class Subscriber:
    def __init__(self, queue_size: int) -> None:
        self.queue: asyncio.Queue[Message | None] = asyncio.Queue(maxsize=queue_size + 1)
        self._limit = queue_size
        self.dropped = False
        self.sent_seq = 0
        """The last document update sent on this socket (catch-up and live may overlap)."""

    def offer(self, message: Message | None) -> None:
        """Queue a message; ``None`` ends the subscription (the socket closes)."""
        if self.dropped:
            return
        if message is None or self.queue.qsize() >= self._limit:
            self.dropped = True
            self.queue.put_nowait(None)
            return
        self.queue.put_nowait(message)


class DocumentRoom:
    def __init__(self, hearing_id: int, queue_size: int) -> None:
        self.hearing_id = hearing_id
        self._queue_size = queue_size
        self._subscribers: set[Subscriber] = set()
        self.actions: TranscriptActions | None = None
        # Who is here and where their cursor is (Yjs awareness): kept so that a newcomer sees
        # everyone at once, and so that a socket that goes away takes its cursors with it.
        self._awareness = Awareness(Doc())
        self._awareness.set_local_state(None)  # the server itself is nobody's cursor
        self._awareness_ids: dict[Subscriber, set[int]] = {}
        self._awareness.observe(self._on_awareness)

    def _on_awareness(self, topic: str, event: tuple[dict[str, Any], Any]) -> None:
        changes, origin = event
        if topic == "update" and isinstance(origin, Subscriber):
            ids = self._awareness_ids.setdefault(origin, set())
            ids.update(changes["added"], changes["updated"])
            ids.difference_update(changes["removed"])

    def broadcast(self, message: Message) -> None:
        for subscriber in list(self._subscribers):
            subscriber.offer(message)

    def subscribe(self) -> Subscriber:
        subscriber = Subscriber(self._queue_size)
        self._subscribers.add(subscriber)
        return subscriber

    def awareness_snapshot(self) -> Message | None:
        """Everyone's current awareness state, for a newcomer (``None`` when nobody is here)."""
        ids = [i for i in self._awareness.states if i != self._awareness.client_id]
        if not ids:
            return None
        update = self._awareness.encode_awareness_update(ids)
        return {"type": "awareness", "update": base64.b64encode(update).decode("ascii")}

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)
        gone = sorted(self._awareness_ids.pop(subscriber, set()))
        if gone:
            self._awareness.remove_awareness_states(gone, None)
            update = self._awareness.encode_awareness_update(gone)  # their states, now null
            self.broadcast({"type": "awareness", "update": base64.b64encode(update).decode()})

    def relay_awareness(self, sender: Subscriber, update: str) -> None:
        try:
            self._awareness.apply_awareness_update(base64.b64decode(update), sender)
        except Exception:  # not an awareness update: drop it, do not relay garbage
            return
        message = {"type": "awareness", "update": update}
        for subscriber in list(self._subscribers):
            if subscriber is not sender:
                subscriber.offer(message)

    @property
    def watchers(self) -> int:
        return len(self._subscribers)


class DocumentRooms:
    """Every hearing's document room, loaded on first use (one load even under concurrency)."""

    def __init__(self, store: UpdateStore, *, queue_size: int = 256) -> None:
        self._store = store
        self._queue_size = queue_size
        self._rooms: dict[int, DocumentRoom] = {}
        self._loading: dict[int, asyncio.Lock] = {}
        self.listeners: list[Callable[[int, Message], None]] = []

    async def get(self, hearing_id: int) -> DocumentRoom:
        room = self._rooms.get(hearing_id)
        if room is not None and room.actions is not None:
            return room
        async with self._loading.setdefault(hearing_id, asyncio.Lock()):
            room = self._rooms.get(hearing_id)
            if room is None or room.actions is None:
                fresh = DocumentRoom(hearing_id, self._queue_size)

                def fan_out(message: Message) -> None:
                    self._fan_out(fresh, message)

                fresh.actions = await TranscriptActions.load(hearing_id, self._store, fan_out)
                self._rooms[hearing_id] = room = fresh
            return room

    def _fan_out(self, room: DocumentRoom, message: Message) -> None:
        room.broadcast(message)
        for listener in self.listeners:
            listener(room.hearing_id, message)

    def forget(self, hearing_id: int) -> None:
        self._rooms.pop(hearing_id, None)
