"""Event types (a name, a version, a pydantic model of the payload) and events as read back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

__all__ = ["Event", "EventType", "WrongEventError"]

P = TypeVar("P", bound=BaseModel)


class WrongEventError(ValueError):
    """An event read as a type (or version) it is not."""


@dataclass(frozen=True, slots=True)
class EventType(Generic[P]):
    """``name`` like ``hearing.closed``; a change of the payload's meaning is a new ``version``
    (consumers say which versions they read)."""

    name: str
    version: int
    payload: type[P]
    description: str


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    """Position in the outbox (increasing in the order events were written)."""
    event_id: str
    """A UUID: what an idempotent receiver outside the database keys on."""
    type: str
    version: int
    stream: str | None
    """What the event is about (``hearing:12``), for consumers that keep per-stream order."""
    payload: dict[str, Any]
    occurred_at: datetime

    def parse(self, event_type: EventType[P]) -> P:
        if (self.type, self.version) != (event_type.name, event_type.version):
            raise WrongEventError(
                f"event {self.event_id} is {self.type} v{self.version}, "
                f"not {event_type.name} v{event_type.version}"
            )
        return event_type.payload.model_validate(self.payload)
