"""The bus contract (one interface, one module per implementation, as pyHanko's timestamp
clients).

- ``await bus.publish(topic, message)`` delivers ``message`` (bytes) to every subscription of
  ``topic`` whose ``subscribe`` had returned when it was published, in publishing order per
  publisher (across processes a message still in flight may also reach a subscription made just
  after it was published). There is no history: a subscriber that joins later does not get
  earlier messages (it reads a snapshot from the store first, as the transcript socket does).
- ``bus.subscribe(topic)`` returns a :class:`Subscription`: ``async for message in sub`` until
  ``await sub.close()``. Each subscription has a bounded queue (``max_queued``); when a slow
  subscriber's queue is full the *oldest* message is dropped and ``sub.overflowed`` becomes True,
  so that the subscriber knows to resynchronise from the store rather than miss text silently.
- Delivery is at most once and not durable: durable facts go through the event outbox
  (``tingshen_platform.events``); the bus carries live fan-out only.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Protocol

__all__ = ["DEFAULT_MAX_QUEUED", "Bus", "Subscription"]

DEFAULT_MAX_QUEUED = 1000


class Subscription:
    """One subscriber's queue of one topic."""

    def __init__(self, topic: str, max_queued: int) -> None:
        self.topic = topic
        self.overflowed = False
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue(max_queued)
        self._closed = False

    def deliver(self, message: bytes) -> None:
        """Called by the bus (on the event loop): queue, dropping the oldest when full."""
        if self._closed:
            return
        if self._queue.full():
            self._queue.get_nowait()
            self.overflowed = True
        self._queue.put_nowait(message)

    async def get(self) -> bytes:
        message = await self._queue.get()
        if message is None:
            raise StopAsyncIteration
        return message

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        return await self.get()

    def end(self) -> None:
        """No more messages: a reader gets the ones queued, then the iteration stops."""
        if not self._closed:
            self._closed = True
            if self._queue.full():
                self._queue.get_nowait()
                self.overflowed = True
            self._queue.put_nowait(None)

    async def close(self) -> None:
        self.end()


class Bus(Protocol):
    async def publish(self, topic: str, message: bytes) -> None: ...

    async def subscribe(
        self, topic: str, *, max_queued: int = DEFAULT_MAX_QUEUED
    ) -> Subscription: ...

    async def aclose(self) -> None: ...
