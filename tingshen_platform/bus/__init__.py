"""Fan-out: a per-topic (per-hearing) publish/subscribe bus, in this process
(:class:`InProcessBus`, the embedded default) or across processes through Redis pub/sub
(:class:`RedisBus`). Both keep one contract (:mod:`tingshen_platform.bus.api`)."""

from tingshen_platform.bus.api import Bus, Subscription
from tingshen_platform.bus.memory import InProcessBus
from tingshen_platform.bus.redis import RedisBus

__all__ = ["Bus", "InProcessBus", "RedisBus", "Subscription"]
