"""The embedded default: fan-out inside this process (see :mod:`tingshen_platform.bus.api`)."""

from __future__ import annotations

from tingshen_platform.bus.api import DEFAULT_MAX_QUEUED, Subscription

__all__ = ["InProcessBus"]


class _Tracked(Subscription):
    def __init__(self, bus: InProcessBus, topic: str, max_queued: int) -> None:
        super().__init__(topic, max_queued)
        self._bus = bus

    async def close(self) -> None:
        self._bus._forget(self)
        self.end()


class InProcessBus:
    def __init__(self) -> None:
        self._topics: dict[str, set[Subscription]] = {}

    async def publish(self, topic: str, message: bytes) -> None:
        for subscription in list(self._topics.get(topic, ())):
            subscription.deliver(message)

    async def subscribe(self, topic: str, *, max_queued: int = DEFAULT_MAX_QUEUED) -> Subscription:
        subscription = _Tracked(self, topic, max_queued)
        self._topics.setdefault(topic, set()).add(subscription)
        return subscription

    def _forget(self, subscription: Subscription) -> None:
        subscribers = self._topics.get(subscription.topic)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._topics[subscription.topic]

    async def aclose(self) -> None:
        for subscribers in list(self._topics.values()):
            for subscription in list(subscribers):
                subscription.end()
        self._topics.clear()
