"""A consumer's failed attempts at an event (``platform_event_failures``), and dead events.

One row per (consumer, event) from the handler's first failure on the event until the consumer
handles it::

    handler fails ──► record_failure (its own transaction; the handler's was rolled back):
      │                 attempts + 1, last error, next attempt after the back-off (RetryBudget)
      ├── a later attempt succeeds: the row goes, in the transaction that marks the event handled
      └── the last attempt fails: dead_at is set and the event is marked processed (parked), so
          the consumer's horizon moves on and later events flow
    retry_dead (an operator) ──► the mark is removed, the row is pending again (attempts start
          over, due at once) and the consumer handles the event at its next poll

A pending row is also what brings a replayed event back to its consumer: the horizon may have
passed it while it was parked, and the consumer reads rows of its own below the horizon rather
than moving the horizon back (which could race with a process moving it forward).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    delete,
    exists,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError

from tingshen_platform.events.backoff import RetryBudget
from tingshen_platform.schema import event_failures, events, processed_events

__all__ = [
    "DeadEvent",
    "FailureOutcome",
    "clear_failure",
    "dead_events",
    "describe_error",
    "not_waiting",
    "record_failure",
    "replayed_below",
    "retry_dead",
]

_ERROR_CHARS = 2000
_ERROR_TYPE_CHARS = 200


@dataclass(frozen=True, slots=True)
class FailureOutcome:
    attempts: int
    """Failed attempts so far, this one included."""
    next_attempt_at: datetime | None
    """When the consumer tries again; None when it gave up (the event is parked as dead)."""

    @property
    def dead(self) -> bool:
        return self.next_attempt_at is None


@dataclass(frozen=True, slots=True)
class DeadEvent:
    """An event a consumer gave up on: what ``tingshen events dead`` shows."""

    consumer: str
    id: int
    """Position in the outbox (``Event.id``): what ``retry_dead`` takes."""
    event_id: str
    type: str
    attempts: int
    last_error_type: str
    last_error: str
    first_failed_at: datetime
    dead_at: datetime


def _utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes: they were stored as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _insert(connection: Connection) -> Any:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(event_failures)


def _row(consumer: str, event_id: int) -> ColumnElement[bool]:
    return (event_failures.c.consumer == consumer) & (event_failures.c.event_id == event_id)


def describe_error(error: BaseException) -> tuple[str, str]:
    """The error's class and message, bounded. A database error gives the driver's message, not
    the statement and its parameters (which may carry a party's data)."""
    kind = type(error)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    cause = error.orig if isinstance(error, StatementError) and error.orig is not None else error
    return name[:_ERROR_TYPE_CHARS], str(cause)[:_ERROR_CHARS]


def record_failure(
    engine: Engine,
    consumer: str,
    event_id: int,
    error: BaseException,
    *,
    now: datetime,
    budget: RetryBudget,
) -> FailureOutcome | None:
    """Count a failed attempt of ``consumer`` at the event at outbox position ``event_id``, in a
    transaction of its own; park the event as dead when the budget is spent. None when the
    event was handled (or parked) by another process of the consumer in the meantime."""
    error_type, message = describe_error(error)
    with engine.begin() as connection:
        # Write first: on SQLite a transaction that reads and then writes can fail at once
        # ("database is locked") when another connection wrote in between.
        counted = connection.execute(
            _insert(connection)
            .values(
                consumer=consumer,
                event_id=event_id,
                attempts=1,
                last_error_type=error_type,
                last_error=message,
                first_failed_at=now,
                last_failed_at=now,
                next_attempt_at=now,
                dead_at=None,
            )
            .on_conflict_do_update(
                index_elements=[event_failures.c.consumer, event_failures.c.event_id],
                set_={
                    "attempts": event_failures.c.attempts + 1,
                    "last_error_type": error_type,
                    "last_error": message,
                    "last_failed_at": now,
                },
                where=event_failures.c.dead_at.is_(None),
            )
            .returning(event_failures.c.attempts)
        ).scalar_one_or_none()
        if counted is None:
            return None  # already parked
        handled = connection.execute(
            select(processed_events.c.event_id).where(
                processed_events.c.consumer == consumer, processed_events.c.event_id == event_id
            )
        ).first()
        if handled is not None:  # another process of this consumer handled it meanwhile
            connection.execute(delete(event_failures).where(_row(consumer, event_id)))
            return None
        attempts = int(counted)
        if not budget.exhausted(attempts):
            next_attempt_at = now + budget.delay_after(attempts)
            connection.execute(
                update(event_failures)
                .where(_row(consumer, event_id))
                .values(next_attempt_at=next_attempt_at)
            )
            return FailureOutcome(attempts, next_attempt_at)
        connection.execute(
            update(event_failures)
            .where(_row(consumer, event_id))
            .values(dead_at=now, next_attempt_at=now)
        )
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        connection.execute(
            dialect.insert(processed_events)
            .values(consumer=consumer, event_id=event_id, processed_at=now)
            .on_conflict_do_nothing()
        )
        return FailureOutcome(attempts, None)


def clear_failure(connection: Connection, consumer: str, event_id: int) -> None:
    """Forget the failures of an event the consumer has now handled (in that transaction)."""
    connection.execute(delete(event_failures).where(_row(consumer, event_id)))


def not_waiting(consumer: str, now: datetime) -> ColumnElement[bool]:
    """For a query of ``platform_events``: the event is not waiting out a back-off."""
    return ~exists().where(
        event_failures.c.consumer == consumer,
        event_failures.c.event_id == events.c.id,
        event_failures.c.next_attempt_at > now,
    )


def replayed_below(connection: Connection, consumer: str, horizon: int) -> list[int]:
    """Positions at or below the consumer's horizon that it is to handle all the same: events an
    operator sent round again (``retry_dead``) after the horizon had passed them. Usually none,
    so the consumer's query stays a range scan of the outbox's recent end."""
    return [
        int(position)
        for position in connection.execute(
            select(event_failures.c.event_id)
            .where(
                event_failures.c.consumer == consumer,
                event_failures.c.dead_at.is_(None),
                event_failures.c.event_id <= horizon,
            )
            .order_by(event_failures.c.event_id)
        ).scalars()
    ]


def dead_events(
    engine: Engine, consumer: str | None = None, *, limit: int = 100
) -> list[DeadEvent]:
    """Dead events, newest first (of one consumer, or of all): what an operator looks at."""
    query = (
        select(event_failures, events.c.event_id.label("uuid"), events.c.type)
        .join(events, events.c.id == event_failures.c.event_id, isouter=True)
        .where(event_failures.c.dead_at.is_not(None))
    )
    if consumer is not None:
        query = query.where(event_failures.c.consumer == consumer)
    query = query.order_by(event_failures.c.dead_at.desc(), event_failures.c.event_id.desc())
    with engine.connect() as connection:
        rows = connection.execute(query.limit(limit)).all()
    return [
        DeadEvent(
            consumer=str(row.consumer),
            id=int(row.event_id),
            event_id=str(row.uuid or ""),
            type=str(row.type or "?"),
            attempts=int(row.attempts),
            last_error_type=str(row.last_error_type),
            last_error=str(row.last_error),
            first_failed_at=_utc(row.first_failed_at),
            dead_at=_utc(row.dead_at),
        )
        for row in rows
    ]


def retry_dead(engine: Engine, consumer: str, event_id: int | str, *, now: datetime) -> bool:
    """An operator sends a dead event round again: its processed mark and dead record go, and
    the consumer handles it at its next poll (attempts start over). ``event_id`` is the outbox
    position (``DeadEvent.id``) or the event's UUID. False if it is not dead for ``consumer``."""
    position = event_id if isinstance(event_id, int) else _position(engine, event_id)
    if position is None:
        return False
    with engine.begin() as connection:
        revived = connection.execute(
            update(event_failures)
            .where(_row(consumer, position), event_failures.c.dead_at.is_not(None))
            .values(dead_at=None, attempts=0, next_attempt_at=now)
        )
        if revived.rowcount != 1:
            return False
        connection.execute(
            delete(processed_events).where(
                processed_events.c.consumer == consumer, processed_events.c.event_id == position
            )
        )
    return True


def _position(engine: Engine, event_uuid: str) -> int | None:
    with engine.connect() as connection:
        value = connection.execute(
            select(events.c.id).where(events.c.event_id == event_uuid)
        ).scalar_one_or_none()
    return None if value is None else int(value)
