"""Events: a transactional outbox (:func:`publish` writes the event in the caller's transaction,
so it exists exactly when the change it reports committed) and consumers (:class:`EventConsumer`)
that get every event at least once and handle it once. Event types are versioned
(:class:`EventType`); each service declares its own and documents them in ``docs/events.md``.
An event a handler keeps failing on is retried with back-off (:class:`RetryBudget`), then parked
as dead so that later events flow; an operator lists dead events (:func:`dead_events`) and replays
one (:func:`retry_dead`)."""

from tingshen_platform.events.backoff import RetryBudget
from tingshen_platform.events.consumer import EventConsumer
from tingshen_platform.events.failures import DeadEvent, dead_events, retry_dead
from tingshen_platform.events.orm import orm_session
from tingshen_platform.events.outbox import publish
from tingshen_platform.events.types import Event, EventType

__all__ = [
    "DeadEvent",
    "Event",
    "EventConsumer",
    "EventType",
    "RetryBudget",
    "dead_events",
    "orm_session",
    "publish",
    "retry_dead",
]
