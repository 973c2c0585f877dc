"""Events a handler fails on (tingshen_platform.events.failures), on SQLite and PostgreSQL: counted
in a transaction of their own, retried after a back-off while later events flow, parked as dead
after the last attempt, and replayed by an operator exactly once."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import OperationalError

from tests.platform.conftest import Clock
from tests.platform.test_events import REPO, _horizon, effect_counts, file_case, record_effect
from tingshen_platform.events import Event, EventConsumer, dead_events, retry_dead
from tingshen_platform.schema import event_failures, processed_events

SECOND = timedelta(seconds=1)
HOURS_2 = timedelta(hours=2)


class Poisoned:
    """A handler that records its effect, then refuses the events of ``bad`` cases until fixed."""

    def __init__(self, *bad: int) -> None:
        self.bad = set(bad)
        self.calls: Counter[int] = Counter()

    def __call__(self, connection: Connection, event: Event) -> None:
        case_id = int(event.payload["case_id"])
        self.calls[case_id] += 1
        record_effect(connection, event)  # rolled back with the failure below
        if case_id in self.bad:
            raise ValueError(f"case {case_id}: no such court")


def failure(engine: Engine, consumer: str, position: int) -> Any:
    with engine.connect() as connection:
        return connection.execute(
            select(event_failures).where(
                event_failures.c.consumer == consumer, event_failures.c.event_id == position
            )
        ).one_or_none()


def position_of(engine: Engine, event_uuid: str) -> int:
    from tingshen_platform.schema import events

    with engine.connect() as connection:
        return int(
            connection.execute(
                select(events.c.id).where(events.c.event_id == event_uuid)
            ).scalar_one()
        )


def utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def test_a_poison_event_backs_off_then_is_parked_dead_and_later_events_flow(
    effects: Engine, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    ids = [file_case(effects, clock, n) for n in range(4)]
    bad = position_of(effects, ids[1])
    handler = Poisoned(1)
    consumer = EventConsumer(
        effects,
        "dossier.cases",
        handler,
        clock=clock,
        max_attempts=4,
        retry_base=timedelta(seconds=30),
        retry_cap=timedelta(seconds=60),
    )
    assert consumer.poll_once() == 3  # 0, 2 and 3: the bad one holds up nothing
    assert effect_counts(effects) == {ids[0]: 1, ids[2]: 1, ids[3]: 1}  # its own rolled back
    row = failure(effects, "dossier.cases", bad)
    assert (row.attempts, row.last_error_type, row.last_error) == (
        1,
        "ValueError",
        "case 1: no such court",
    )
    assert utc(row.first_failed_at) == clock() and row.dead_at is None
    assert utc(row.next_attempt_at) == clock() + 30 * SECOND

    assert consumer.poll_once() == 0 and handler.calls[1] == 1  # waiting: not hot-looped
    clock.advance(seconds=29)
    assert consumer.poll_once() == 0 and handler.calls[1] == 1
    clock.advance(seconds=1)
    consumer.poll_once()
    assert handler.calls[1] == 2
    assert utc(failure(effects, "dossier.cases", bad).next_attempt_at) == clock() + 60 * SECOND
    clock.advance(seconds=60)
    consumer.poll_once()
    assert utc(failure(effects, "dossier.cases", bad).next_attempt_at) == clock() + 60 * SECOND
    assert not consumer.dead()

    clock.advance(seconds=60)
    with caplog.at_level(logging.ERROR, logger="tingshen_platform.events.consumer"):
        assert consumer.poll_once() == 0
    assert handler.calls[1] == 4
    [parked] = [r for r in caplog.records if r.levelno == logging.ERROR]
    message = parked.getMessage()
    for part in ("dossier.cases", f"event {bad} ", "case.filed", "ValueError: case 1: no such"):
        assert part in message
    [dead] = consumer.dead()
    assert (dead.consumer, dead.id, dead.event_id, dead.type, dead.attempts) == (
        "dossier.cases",
        bad,
        ids[1],
        "case.filed",
        4,
    )
    assert dead.dead_at == clock() and dead.first_failed_at == clock() - 150 * SECOND

    later = file_case(effects, clock, 4)
    clock.advance(minutes=6)
    assert consumer.poll_once() == 1  # later events flow; the dead one is not tried again
    assert handler.calls[1] == 4
    assert _horizon(effects, "dossier.cases") == position_of(effects, later)  # moved past it
    assert ids[1] not in effect_counts(effects)


def test_a_replayed_dead_event_is_handled_exactly_once_after_the_fix(
    effects: Engine, clock: Clock
) -> None:
    ids = [file_case(effects, clock, n) for n in range(3)]
    bad = position_of(effects, ids[1])
    handler = Poisoned(1)
    consumer = EventConsumer(effects, "ledger", handler, clock=clock, max_attempts=2)
    consumer.poll_once()
    clock.advance(seconds=30)
    consumer.poll_once()
    assert [d.id for d in dead_events(effects)] == [bad]
    clock.advance(minutes=6)
    ids.append(file_case(effects, clock, 3))
    consumer.poll_once()
    assert _horizon(effects, "ledger") > bad  # parked: the horizon went past it

    assert not retry_dead(effects, "fees", bad, now=clock())  # not dead for that consumer
    assert not retry_dead(effects, "ledger", "no-such-uuid", now=clock())
    handler.bad.clear()  # the fix
    assert retry_dead(effects, "ledger", ids[1], now=clock())  # by UUID (or position)
    assert not retry_dead(effects, "ledger", bad, now=clock())  # no longer dead
    assert dead_events(effects, "ledger") == []
    assert consumer.poll_once() == 1  # found below the horizon
    assert consumer.poll_once() == 0
    clock.advance(minutes=20)
    assert consumer.poll_once() == 0
    assert handler.calls[1] == 3
    assert effect_counts(effects) == {i: 1 for i in ids}
    assert failure(effects, "ledger", bad) is None


def test_a_replayed_event_that_fails_again_starts_a_fresh_budget(
    effects: Engine, clock: Clock
) -> None:
    file_case(effects, clock, 0)
    handler = Poisoned(0)
    consumer = EventConsumer(effects, "stats", handler, clock=clock, max_attempts=2)
    consumer.poll_once()
    clock.advance(seconds=30)
    consumer.poll_once()
    [dead] = consumer.dead()
    assert consumer.retry_dead(dead.id)
    consumer.poll_once()
    row = failure(effects, "stats", dead.id)
    assert row.attempts == 1 and row.dead_at is None
    assert utc(row.next_attempt_at) == clock() + 30 * SECOND
    clock.advance(seconds=30)
    consumer.poll_once()
    assert [d.attempts for d in consumer.dead()] == [2] and handler.calls[0] == 4


def test_a_transient_failure_that_succeeds_on_the_second_attempt_leaves_no_record(
    effects: Engine, clock: Clock
) -> None:
    ids = [file_case(effects, clock, n) for n in range(2)]
    calls: Counter[str] = Counter()

    def locked_once(connection: Connection, event: Event) -> None:
        calls[event.event_id] += 1
        if event.event_id == ids[0] and calls[event.event_id] == 1:
            raise OperationalError("UPDATE cases SET …", {"name": "张三"}, Exception("locked"))
        record_effect(connection, event)

    consumer = EventConsumer(effects, "dossier.cases", locked_once, clock=clock)
    assert consumer.poll_once() == 1
    row = failure(effects, "dossier.cases", position_of(effects, ids[0]))
    # The driver's message, not the statement and its parameters.
    assert (row.last_error_type, row.last_error) == ("sqlalchemy.exc.OperationalError", "locked")
    clock.advance(seconds=30)
    assert consumer.poll_once() == 1
    assert effect_counts(effects) == {i: 1 for i in ids}
    assert failure(effects, "dossier.cases", position_of(effects, ids[0])) is None
    assert dead_events(effects) == []


def test_two_consumers_fail_independently(effects: Engine, clock: Clock) -> None:
    ids = [file_case(effects, clock, n) for n in range(3)]
    dossier_handler, fees_handler = Poisoned(1), Poisoned(2)
    dossier = EventConsumer(effects, "dossier", dossier_handler, clock=clock, max_attempts=2)
    fees = EventConsumer(effects, "fees", fees_handler, clock=clock, max_attempts=3)
    assert (dossier.poll_once(), fees.poll_once()) == (2, 2)
    fees_handler.bad.clear()  # fees' trouble passes; the dossier's does not
    clock.advance(seconds=30)
    assert (dossier.poll_once(), fees.poll_once()) == (0, 1)
    assert [(d.consumer, d.event_id) for d in dead_events(effects)] == [("dossier", ids[1])]
    assert fees.dead() == [] and failure(effects, "fees", position_of(effects, ids[2])) is None
    assert not retry_dead(effects, "fees", ids[1], now=clock())
    with effects.connect() as connection:
        marks = connection.execute(
            select(processed_events.c.consumer, processed_events.c.event_id)
        ).all()
    assert len(marks) == 6  # three each: the dossier's dead one is marked for it only
    assert (dossier_handler.calls, fees_handler.calls) == (
        Counter({0: 1, 1: 2, 2: 1}),
        Counter({0: 1, 1: 1, 2: 2}),
    )


def test_a_crash_between_recording_a_failure_and_the_next_poll_loses_nothing(
    effects: Engine, database_url: str
) -> None:
    # Real time here: the children run the consumer on the real clock (with a back-off of an
    # hour, so that a slow machine does not make the second child's attempt due).
    now = datetime.now(UTC)
    ids = [file_case(effects, Clock(), n) for n in range(4)]

    def child(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tests.platform.event_child", database_url, "ledger", *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )

    died = child("3", "1")  # case 0 handled, case 1 fails (counted), killed in case 2's handler
    assert died.returncode == -9, died.stderr[-2000:]
    assert set(effect_counts(effects)) == {ids[0]}
    row = failure(effects, "ledger", position_of(effects, ids[1]))
    assert row.attempts == 1 and utc(row.next_attempt_at) >= now + timedelta(hours=1)

    again = child("0")  # a fresh process: case 1 still waits out its back-off
    assert again.returncode == 0, again.stderr[-2000:]
    assert set(effect_counts(effects)) == {ids[0], ids[2], ids[3]}

    later = EventConsumer(
        effects, "ledger", record_effect, types={"case.filed"}, clock=lambda: now + HOURS_2
    )
    assert later.poll_once() == 1
    assert effect_counts(effects) == {i: 1 for i in ids}
    assert failure(effects, "ledger", position_of(effects, ids[1])) is None
