"""Fan-out across server processes through Redis pub/sub (see :mod:`tingshen_platform.bus.api`).

One connection per bus publishes; one pub/sub connection per bus listens, and a reader task
hands each message to this process's subscriptions of its topic. ``subscribe`` returns once Redis
confirmed the channel, so a message published after it returns (by any process) reaches it.
Channels are ``<prefix><topic>``, so several deployments (or tests) can share one Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from redis.asyncio import Redis

from tingshen_platform.bus.api import DEFAULT_MAX_QUEUED, Subscription

__all__ = ["RedisBus"]

logger = logging.getLogger(__name__)
_CONFIRM_TIMEOUT_S = 10.0


class _Tracked(Subscription):
    def __init__(self, bus: RedisBus, topic: str, max_queued: int) -> None:
        super().__init__(topic, max_queued)
        self._bus = bus

    async def close(self) -> None:
        await self._bus._forget(self)
        self.end()


class RedisBus:
    def __init__(self, url: str = "redis://127.0.0.1:6379/0", *, prefix: str = "tingshen:") -> None:
        self._client: Redis = Redis.from_url(url)
        self._pubsub = self._client.pubsub()
        self._prefix = prefix
        self._topics: dict[str, set[Subscription]] = {}
        self._confirmed: dict[str, asyncio.Event] = {}
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def publish(self, topic: str, message: bytes) -> None:
        await self._client.publish(self._prefix + topic, message)

    async def subscribe(self, topic: str, *, max_queued: int = DEFAULT_MAX_QUEUED) -> Subscription:
        subscription = _Tracked(self, topic, max_queued)
        async with self._lock:
            subscribers = self._topics.setdefault(topic, set())
            if not subscribers:
                self._confirmed[topic] = asyncio.Event()
                await self._pubsub.subscribe(self._prefix + topic)
                if self._reader is None or self._reader.done():
                    self._reader = asyncio.create_task(self._read(), name="redis-bus-reader")
            subscribers.add(subscription)
            confirmed = self._confirmed[topic]
        async with asyncio.timeout(_CONFIRM_TIMEOUT_S):
            await confirmed.wait()
        return subscription

    async def _forget(self, subscription: Subscription) -> None:
        async with self._lock:
            subscribers = self._topics.get(subscription.topic)
            if subscribers is None:
                return
            subscribers.discard(subscription)
            if not subscribers:
                del self._topics[subscription.topic]
                self._confirmed.pop(subscription.topic, None)
                await self._pubsub.unsubscribe(self._prefix + subscription.topic)

    async def _read(self) -> None:
        while self._topics:
            message: dict[str, Any] | None = await self._pubsub.get_message(timeout=1.0)
            if message is None:
                continue
            channel = message["channel"]
            topic = (channel.decode() if isinstance(channel, bytes) else channel)[
                len(self._prefix) :
            ]
            if message["type"] == "subscribe":
                event = self._confirmed.get(topic)
                if event is not None:
                    event.set()
            elif message["type"] == "message":
                for subscription in list(self._topics.get(topic, ())):
                    subscription.deliver(bytes(message["data"]))

    async def aclose(self) -> None:
        for subscribers in list(self._topics.values()):
            for subscription in list(subscribers):
                subscription.end()
        self._topics.clear()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._pubsub.aclose()
        await self._client.aclose()
