"""``EventConsumer``: every event of the types it reads, at least once, handled once.

Each event is handled in its own transaction, which also marks it processed for this consumer
(``platform_processed_events``): the handler's database changes and the mark commit together, so
a crash before the commit (the process killed mid-batch) leaves the event unprocessed and it comes
again, and a second process running the same consumer skips an event the first one holds (the
mark is a primary key). A handler with effects outside the database (an SMS) keys them on
``event.event_id`` so that the receiver drops a repeat.

Events are read in outbox order, unprocessed ones only, above the consumer's *horizon*: the
newest position below which everything is processed and older than ``settle`` (a transaction
still open when later events committed can only add events that are at most that old), so a poll
reads only the recent end of the outbox. The marks are kept: a second process of the consumer
that read an event before the first one handled it finds the mark and skips it, however late.

**Failures.** A handler's error rolls its transaction back (the mark with it); the failed attempt
is then counted in a transaction of its own (:mod:`tingshen_platform.events.failures`) and the
batch goes on with the next event. The event waits out a back-off before it is tried again
(:class:`~tingshen_platform.events.backoff.RetryBudget`: 30 s doubling up to 10 min; polls skip it
meanwhile, so it is neither hot-looped nor in the way), so a passing failure (the database
locked, a connection dropped) is simply retried. After ``max_attempts`` failed attempts (8, about
35 minutes) the event is parked as dead: marked processed, with its dead record, and logged at
ERROR. An event a handler can never accept (a malformed payload, a bug, a row that breaks a
constraint) therefore no longer blocks every later event of the consumer for good. An operator
sees dead events (``dead_events``, ``tingshen events dead``) and replays one after the fix
(``retry_dead``, ``tingshen events retry CONSUMER EVENT_ID``): it is then handled once more.
A process killed between counting a failure and its next poll loses nothing: the count, the
back-off and the unmarked event are all in the database.

**Order.** Events are handled in outbox order while they succeed; a failing event no longer holds
up later ones: they are handled while it waits, and after it is parked. That is the right trade
for a court: a consumer stuck behind one event leaves, say, the dossier silently ignorant of
every case filed after it, for as long as nobody looks; a parked event is one known gap, an
operator is told and replays it. A handler that needs an earlier event's effect (per stream)
checks for it and raises until it is there, so it waits in turn instead of acting out of order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tingshen_platform.events.backoff import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_RETRY_BASE,
    DEFAULT_RETRY_CAP,
    RetryBudget,
)
from tingshen_platform.events.failures import (
    DeadEvent,
    clear_failure,
    dead_events,
    describe_error,
    not_waiting,
    record_failure,
    replayed_below,
    retry_dead,
)
from tingshen_platform.events.types import Event
from tingshen_platform.schema import event_consumers, events, processed_events

__all__ = ["EventConsumer", "Handler"]

logger = logging.getLogger(__name__)

Handler = Callable[[Connection, Event], None]
"""Handles one event inside the transaction that marks it processed (use the connection)."""


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _event(row: Any) -> Event:
    return Event(
        id=int(row.id),
        event_id=str(row.event_id),
        type=str(row.type),
        version=int(row.version),
        stream=row.stream,
        payload=dict(row.payload or {}),
        occurred_at=_utc(row.occurred_at),
    )


class EventConsumer:
    def __init__(
        self,
        engine: Engine,
        name: str,
        handler: Handler,
        *,
        types: Collection[str] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        settle: timedelta = timedelta(minutes=5),
        batch: int = 100,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        retry_base: timedelta = DEFAULT_RETRY_BASE,
        retry_cap: timedelta = DEFAULT_RETRY_CAP,
    ) -> None:
        self._engine = engine
        self.name = name
        self._handler = handler
        self._types = None if types is None else sorted(types)
        self._clock = clock
        self._settle = settle
        self._batch = batch
        self.budget = RetryBudget(max_attempts, retry_base, retry_cap)

    def poll_once(self) -> int:
        """Handle what is waiting (one batch); returns how many events this call handled.
        A handler's error is counted and the batch goes on: the event comes again after its
        back-off, or is parked as dead once its attempts are spent."""
        horizon = self._horizon()
        with self._engine.connect() as connection:
            replayed = replayed_below(connection, self.name, horizon)
            above = events.c.id > horizon
            rows = connection.execute(
                select(events)
                .where(
                    or_(above, events.c.id.in_(replayed)) if replayed else above,
                    self._wanted(),
                    ~self._processed(),
                    not_waiting(self.name, self._clock()),
                )
                .order_by(events.c.id)
                .limit(self._batch)
            ).all()
        handled = 0
        for row in rows:
            event = _event(row)
            try:
                if self._handle(event):
                    handled += 1
            except Exception as error:
                self._failed(event, error)
        self._advance(horizon)
        return handled

    def dead(self, *, limit: int = 100) -> list[DeadEvent]:
        """This consumer's dead events, newest first."""
        return dead_events(self._engine, self.name, limit=limit)

    def retry_dead(self, event_id: int | str) -> bool:
        """Handle a dead event again (after the fix); False if it is not dead here."""
        return retry_dead(self._engine, self.name, event_id, now=self._clock())

    async def run(self, stop: asyncio.Event, *, poll_seconds: float = 1.0) -> None:
        """Poll until ``stop`` is set (a batch under way is finished first)."""
        while not stop.is_set():
            try:
                handled = await asyncio.to_thread(self.poll_once)
            except Exception:
                logger.exception("consumer %s: polling failed", self.name)
                handled = 0
            if not handled:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), poll_seconds)

    def _handle(self, event: Event) -> bool:
        with self._engine.begin() as connection:
            marked = connection.execute(
                self._insert(connection, processed_events)
                .values(consumer=self.name, event_id=event.id, processed_at=self._clock())
                .on_conflict_do_nothing()
                .returning(processed_events.c.event_id)
            ).first()
            if marked is None:
                return False  # another process of this consumer has (or had) it
            self._handler(connection, event)
            clear_failure(connection, self.name, event.id)
        return True

    def _failed(self, event: Event, error: Exception) -> None:
        """Count the failed attempt (the handler's transaction is rolled back); if that fails
        too (the database is gone), the poll fails with both errors and nothing is lost."""
        outcome = record_failure(
            self._engine, self.name, event.id, error, now=self._clock(), budget=self.budget
        )
        if outcome is None:
            return  # handled by another process of this consumer meanwhile
        error_type, message = describe_error(error)
        if outcome.next_attempt_at is None:
            logger.error(
                "consumer %s: event %s (%s, %s) parked as dead after %d attempts: %s: %s "
                "(replay after the fix: tingshen events retry %s %s)",
                self.name,
                event.id,
                event.type,
                event.event_id,
                outcome.attempts,
                error_type,
                message,
                self.name,
                event.id,
                exc_info=error,
            )
            return
        logger.warning(
            "consumer %s: event %s (%s, %s) failed, attempt %d of %d: %s: %s; next at %s",
            self.name,
            event.id,
            event.type,
            event.event_id,
            outcome.attempts,
            self.budget.max_attempts,
            error_type,
            message,
            outcome.next_attempt_at.isoformat(),
            exc_info=error,
        )

    def _wanted(self) -> Any:
        return events.c.type.in_(self._types) if self._types is not None else events.c.id > 0

    def _processed(self) -> Any:
        return exists().where(
            processed_events.c.consumer == self.name, processed_events.c.event_id == events.c.id
        )

    def _horizon(self) -> int:
        # Write first, then read: on SQLite a transaction that reads and then writes can fail at
        # once ("database is locked") when another connection wrote in between.
        with self._engine.begin() as connection:
            connection.execute(
                self._insert(connection, event_consumers)
                .values(consumer=self.name, horizon=0)
                .on_conflict_do_nothing()
            )
            value = connection.execute(
                select(event_consumers.c.horizon).where(event_consumers.c.consumer == self.name)
            ).scalar_one()
            return int(value)

    @staticmethod
    def _insert(connection: Connection, table: Any) -> Any:
        """INSERT that can skip a conflicting row, in this connection's dialect."""
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    def _advance(self, horizon: int) -> None:
        settled_before = self._clock() - self._settle
        with self._engine.connect() as connection:  # read ...
            first_open = connection.execute(
                select(func.min(events.c.id)).where(
                    events.c.id > horizon, self._wanted(), ~self._processed()
                )
            ).scalar_one_or_none()
            settled = connection.execute(
                select(func.max(events.c.id)).where(events.c.occurred_at < settled_before)
            ).scalar_one_or_none()
        if settled is None:
            return
        new = int(settled) if first_open is None else min(int(settled), int(first_open) - 1)
        if new <= horizon:
            return
        with self._engine.begin() as connection:  # ... then write (only ever further on)
            connection.execute(
                update(event_consumers)
                .where(event_consumers.c.consumer == self.name, event_consumers.c.horizon < new)
                .values(horizon=new)
            )
