"""What the server has told the side services: the events in the platform's outbox."""

from __future__ import annotations

import uuid

from hearing_server.context import ServerContext
from tingshen_platform.events import Event, EventConsumer


def published(ctx: ServerContext, event_type: str) -> list[Event]:
    """The events of one type the server has published so far, in order (read by a fresh consumer
    each time, so reading twice gives the same list)."""
    seen: list[Event] = []
    reader = f"test-{uuid.uuid4().hex[:12]}"
    EventConsumer(ctx.engine, reader, lambda _c, e: seen.append(e), types={event_type}).poll_once()
    return seen
