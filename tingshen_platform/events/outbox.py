"""Writing events into the outbox, in the transaction of the change they report."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy import Connection, insert

from tingshen_platform.events.types import EventType
from tingshen_platform.schema import events

__all__ = ["publish"]

P = TypeVar("P", bound=BaseModel)


def publish(
    connection: Connection,
    event_type: EventType[P],
    payload: P,
    *,
    occurred_at: datetime,
    stream: str | None = None,
) -> str:
    """Write one event on ``connection`` (the caller's transaction: rolled back with it);
    returns its UUID. The payload must be the type's model."""
    if not isinstance(payload, event_type.payload):
        raise TypeError(
            f"{event_type.name} v{event_type.version} takes {event_type.payload.__name__}, "
            f"not {type(payload).__name__}"
        )
    event_id = str(uuid.uuid4())
    connection.execute(
        insert(events).values(
            event_id=event_id,
            type=event_type.name,
            version=event_type.version,
            stream=stream,
            payload=payload.model_dump(mode="json"),
            occurred_at=occurred_at,
        )
    )
    return event_id
