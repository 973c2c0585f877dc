"""Events: a transactional outbox (:func:`publish` writes the event in the caller's transaction,
so it exists exactly when the change it reports committed) and consumers (:class:`EventConsumer`)
that get every event at least once and handle it once. Event types are versioned
(:class:`EventType`); each service declares its own and documents them in ``docs/events.md``."""

from tingshen_platform.events.consumer import EventConsumer
from tingshen_platform.events.outbox import publish
from tingshen_platform.events.types import Event, EventType

__all__ = ["Event", "EventConsumer", "EventType", "publish"]
