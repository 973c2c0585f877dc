"""``DocumentRoom``: one hearing's transcript document and the sockets that watch or edit it.

    room = await rooms.get(hearing_id)                 # loads the document from the store once
    subscriber = room.subscribe()                      # a bounded queue of outgoing messages
    seq = await room.actions.edit(author, update)      # durable, then broadcast to every subscriber
    room.join_presence(subscriber, author)             # an editor's entry, built by the server
    room.move_cursor(subscriber, Cursor("seg-1", 3, 3))  # cursors: to the others, never stored
    room.unsubscribe(subscriber)

A subscriber that falls ``queue_size`` messages behind is dropped (it reconnects with ``since``
and gets the missed updates from the store, so nothing is lost, only re-read).

Several server processes: each holds its own room of a hearing, and the rooms meet on the bus
(``tingshen_platform.bus``; Redis pub/sub across processes, in-process by default), topic
``transcript.<hearing id>``. Every update a process stores and every presence change is
published there; the other processes apply the update to their copy (in sequence-number order,
gaps filled from the store: :class:`~hearing_server.transcript.log.DocumentLog`) and pass it to
their sockets. So an edit made through one process reaches the sockets on every other.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from hearing_server.errors import WS_CLOSE_OVERFLOW
from hearing_server.transcript.actions import Author, TranscriptActions, UpdateStore
from hearing_server.transcript.log import StoredUpdate
from hearing_server.transcript.policy import EditorRole
from hearing_server.transcript.presence import Cursor, Peer, PresenceBook
from tingshen_platform.bus import Bus, InProcessBus, Subscription

__all__ = ["DocumentRoom", "DocumentRooms", "Subscriber"]

Message = dict[str, Any]
_logger = logging.getLogger(__name__)


def topic(hearing_id: int) -> str:
    return f"transcript.{hearing_id}"


class Subscriber:
    def __init__(self, queue_size: int) -> None:
        self.queue: asyncio.Queue[Message | None] = asyncio.Queue(maxsize=queue_size + 1)
        self._limit = queue_size
        self.dropped = False
        self.close_code = WS_CLOSE_OVERFLOW
        self.close_reason = "too slow: reconnect with since"
        self.sent_seq = 0
        """The last document update sent on this socket (catch-up and live may overlap)."""
        self.peer_id: str | None = None
        """This socket's presence entry (``None``: a reader, who has none)."""

    def offer(self, message: Message | None) -> None:
        """Queue a message; ``None`` ends the subscription (the socket closes: too slow)."""
        if self.dropped:
            return
        if message is None or self.queue.qsize() >= self._limit:
            self.dropped = True
            self.queue.put_nowait(None)
            return
        self.queue.put_nowait(message)

    def ended(self) -> bool:
        """Dropped, revoked or closed: nothing more it sends is acted on."""
        return self.dropped

    def end(self, code: int, reason: str) -> None:
        """End the subscription with ``code`` (revoked, refused, over a limit)."""
        if self.dropped:
            return
        self.close_code, self.close_reason = code, reason
        self.dropped = True
        self.queue.put_nowait(None)


class DocumentRoom:
    def __init__(
        self,
        hearing_id: int,
        queue_size: int,
        publish: Callable[[Message], None] = lambda _message: None,
        node: str = "local",
    ) -> None:
        self.hearing_id = hearing_id
        self._queue_size = queue_size
        self._publish = publish
        """Presence to the other processes' rooms of this hearing."""
        self._subscribers: set[Subscriber] = set()
        self.actions: TranscriptActions | None = None
        # Who is editing and where their cursor is, built from who each socket is (never from
        # what a client says: transcript/presence.py); a newcomer sees everyone at once.
        self.presence = PresenceBook(node)

    def broadcast(self, message: Message) -> None:
        for subscriber in list(self._subscribers):
            subscriber.offer(message)

    def subscribe(self) -> Subscriber:
        subscriber = Subscriber(self._queue_size)
        self._subscribers.add(subscriber)
        return subscriber

    def join_presence(self, subscriber: Subscriber, author: Author) -> None:
        """An editor's socket appears in everyone's list (readers do not: they only watch)."""
        if author.role is EditorRole.READER or subscriber.peer_id is not None:
            return
        peer = self.presence.join(author_key=author.key, name=author.name, role=author.role.value)
        subscriber.peer_id = peer.id
        self._share({"type": "presence", "peers": [peer.message()]}, but=subscriber)

    def presence_snapshot(self, subscriber: Subscriber) -> Message:
        """Everyone's entry, and which is this socket's own (``you``), for a newcomer."""
        return {"type": "presence", "you": subscriber.peer_id, "peers": self.presence.snapshot()}

    def move_cursor(self, subscriber: Subscriber, cursor: Cursor | None) -> None:
        if subscriber.peer_id is None:
            return  # a reader's cursor is nobody's business
        moved = self.presence.move(subscriber.peer_id, cursor)
        if moved is not None:
            self._share({"type": "presence", "peers": [moved.message()]}, but=subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)
        if subscriber.peer_id is not None and self.presence.leave(subscriber.peer_id):
            self._share({"type": "presence", "gone": [subscriber.peer_id]})
        subscriber.peer_id = None

    def _share(self, message: Message, *, but: Subscriber | None = None) -> None:
        for subscriber in list(self._subscribers):
            if subscriber is not but:
                subscriber.offer(message)
        self._publish(message)

    def apply_remote_presence(self, message: Message) -> None:
        """Editors connected to another process (built by that process's server)."""
        peers = [Peer.from_message(p) for p in message.get("peers", [])]
        gone = [str(i) for i in message.get("gone", [])]
        for peer in peers:
            self.presence.put(peer)
        for peer_id in gone:
            self.presence.leave(peer_id)
        out: Message = {"type": "presence"}
        if peers:
            out["peers"] = [p.message() for p in peers]
        if gone:
            out["gone"] = gone
        self.broadcast(out)

    @property
    def watchers(self) -> int:
        return len(self._subscribers)


class DocumentRooms:
    """Every hearing's document room in this process, loaded on first use (one load even under
    concurrency), each joined to the bus while this process holds it."""

    def __init__(
        self, store: UpdateStore, *, bus: Bus | None = None, queue_size: int = 256
    ) -> None:
        self._store = store
        self._bus: Bus = bus if bus is not None else InProcessBus()
        self._queue_size = queue_size
        self._rooms: dict[int, DocumentRoom] = {}
        self._loading: dict[int, asyncio.Lock] = {}
        self._readers: dict[int, asyncio.Task[None]] = {}
        self._outbox: asyncio.Queue[tuple[str, bytes]] | None = None
        self._sender: asyncio.Task[None] | None = None
        self.node = uuid.uuid4().hex
        """This process's name on the bus: its own messages come back and are skipped."""
        self.listeners: list[Callable[[int, Message], None]] = []

    async def get(self, hearing_id: int) -> DocumentRoom:
        room = self._rooms.get(hearing_id)
        if room is not None and room.actions is not None:
            return room
        async with self._loading.setdefault(hearing_id, asyncio.Lock()):
            room = self._rooms.get(hearing_id)
            if room is None or room.actions is None:
                room = await self._load(hearing_id)
            return room

    async def _load(self, hearing_id: int) -> DocumentRoom:
        def publish(message: Message) -> None:
            self._send(hearing_id, message)

        fresh = DocumentRoom(hearing_id, self._queue_size, publish, node=self.node[:8])

        def fan_out(message: Message) -> None:
            self._fan_out(fresh, message)

        # Subscribed before loading: an update stored after the load arrives on the bus, and
        # one stored before it but delivered after is skipped by its sequence number.
        subscription = await self._bus.subscribe(topic(hearing_id))
        try:
            fresh.actions = await TranscriptActions.load(
                hearing_id, self._store, fan_out, publish=publish
            )
        except BaseException:
            await subscription.close()
            raise
        self._rooms[hearing_id] = fresh
        self._readers[hearing_id] = asyncio.get_running_loop().create_task(
            self._read(fresh, subscription), name=f"transcript-bus-{hearing_id}"
        )
        return fresh

    def _fan_out(self, room: DocumentRoom, message: Message) -> None:
        room.broadcast(message)
        for listener in self.listeners:
            listener(room.hearing_id, message)

    def _send(self, hearing_id: int, message: Message) -> None:
        """Publish in order, without making the writer wait for the bus."""
        if self._outbox is None:
            self._outbox = asyncio.Queue()
            self._sender = asyncio.get_running_loop().create_task(
                self._publish_all(self._outbox), name="transcript-bus-sender"
            )
        body = json.dumps({"node": self.node, "message": message}, separators=(",", ":"))
        self._outbox.put_nowait((topic(hearing_id), body.encode()))

    async def _publish_all(self, outbox: asyncio.Queue[tuple[str, bytes]]) -> None:
        while True:
            name, body = await outbox.get()
            try:
                await self._bus.publish(name, body)
            except Exception:  # the others catch up from the store at their next update
                _logger.warning("transcript update not published on %s", name, exc_info=True)
            finally:
                outbox.task_done()

    async def _read(self, room: DocumentRoom, subscription: Subscription) -> None:
        actions = room.actions
        assert actions is not None
        try:
            async for raw in subscription:
                if subscription.overflowed:  # messages were dropped: the store has them
                    subscription.overflowed = False
                    await actions.catch_up()
                try:
                    envelope = json.loads(raw)
                    if envelope["node"] == self.node:
                        continue
                    message = envelope["message"]
                    if message["type"] == "update":
                        await actions.apply_remote(StoredUpdate.from_message(message))
                    elif message["type"] == "presence":
                        room.apply_remote_presence(message)
                except (ValueError, KeyError, TypeError):
                    _logger.warning("malformed message on %s dropped", subscription.topic)
        finally:
            await subscription.close()

    def loaded(self, hearing_id: int) -> DocumentRoom | None:
        """The room if this process holds it already (no loading)."""
        room = self._rooms.get(hearing_id)
        return room if room is not None and room.actions is not None else None

    def forget(self, hearing_id: int) -> None:
        self._rooms.pop(hearing_id, None)
        reader = self._readers.pop(hearing_id, None)
        if reader is not None:
            reader.cancel()

    async def aclose(self) -> None:
        """Leave the bus (the bus itself belongs to the caller)."""
        tasks = [*self._readers.values(), *([self._sender] if self._sender else [])]
        if self._outbox is not None and self._sender is not None and not self._sender.done():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2.0):
                    await self._outbox.join()  # let queued updates reach the others
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._readers.clear()
        self._rooms.clear()
        self._sender, self._outbox = None, None
