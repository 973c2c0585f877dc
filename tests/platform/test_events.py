"""The transactional event outbox and its consumers (tingshen_platform.events), on SQLite and
PostgreSQL: written with the change or not at all, delivered at least once, handled once."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlalchemy import Connection, Engine, func, select, text

from tests.platform.conftest import Clock
from tingshen_platform.events import Event, EventConsumer, EventType, publish
from tingshen_platform.events.types import WrongEventError
from tingshen_platform.schema import event_consumers, processed_events

REPO = Path(__file__).resolve().parents[2]


class CaseFiled(BaseModel):
    case_id: int
    case_number: str
    filed_at: datetime


class HearingClosed(BaseModel):
    hearing_id: int


CASE_FILED = EventType("case.filed", 1, CaseFiled, "a case was registered")
HEARING_CLOSED = EventType("hearing.closed", 1, HearingClosed, "the clerk closed a hearing")


def file_case(engine: Engine, clock: Clock, n: int, *, commit: bool = True) -> str:
    with engine.connect() as connection:
        transaction = connection.begin()
        event_id = publish(
            connection,
            CASE_FILED,
            CaseFiled(case_id=n, case_number=f"(2026)粤0104民初{n}号", filed_at=clock()),
            occurred_at=clock(),
            stream=f"case:{n}",
        )
        (transaction.commit if commit else transaction.rollback)()
    return event_id


def record_effect(connection: Connection, event: Event) -> None:
    connection.execute(
        text("INSERT INTO effects VALUES (:e, :c)"), {"e": event.event_id, "c": "test"}
    )


def effect_counts(engine: Engine) -> Counter[str]:
    with engine.connect() as connection:
        return Counter(e for (e,) in connection.execute(text("SELECT event_id FROM effects")))


def test_an_event_exists_exactly_when_its_transaction_committed(
    effects: Engine, clock: Clock
) -> None:
    kept = file_case(effects, clock, 1)
    file_case(effects, clock, 2, commit=False)
    seen: list[CaseFiled] = []

    def handle(connection: Connection, event: Event) -> None:
        seen.append(event.parse(CASE_FILED))
        record_effect(connection, event)

    consumer = EventConsumer(effects, "dossier", handle, clock=clock)
    assert consumer.poll_once() == 1 and consumer.poll_once() == 0
    assert [s.case_number for s in seen] == ["(2026)粤0104民初1号"]
    assert effect_counts(effects) == {kept: 1}


def test_every_consumer_gets_every_event_of_its_types(effects: Engine, clock: Clock) -> None:
    file_case(effects, clock, 1)
    with effects.begin() as connection:
        publish(connection, HEARING_CLOSED, HearingClosed(hearing_id=7), occurred_at=clock())
    got: dict[str, list[str]] = {"fees": [], "all": []}
    fees = EventConsumer(
        effects, "fees", lambda c, e: got["fees"].append(e.type), types={"case.filed"}
    )
    everything = EventConsumer(effects, "all", lambda c, e: got["all"].append(e.type))
    fees.poll_once(), everything.poll_once()
    assert got == {"fees": ["case.filed"], "all": ["case.filed", "hearing.closed"]}


def test_a_failing_handler_gets_the_event_again_and_its_effect_happens_once(
    effects: Engine, clock: Clock
) -> None:
    ids = [file_case(effects, clock, n) for n in range(3)]
    calls: Counter[str] = Counter()

    def flaky(connection: Connection, event: Event) -> None:
        calls[event.event_id] += 1
        record_effect(connection, event)  # rolled back with the failure below
        if event.event_id == ids[1] and calls[event.event_id] == 1:
            raise ConnectionError("the archive is down")

    consumer = EventConsumer(effects, "archive", flaky, clock=clock)
    assert consumer.poll_once() == 2  # the batch goes on past the failure
    assert consumer.poll_once() == 0  # which waits out its back-off (30 s) ...
    clock.advance(seconds=30)
    assert consumer.poll_once() == 1  # ... and is then handled
    assert calls[ids[1]] == 2
    assert effect_counts(effects) == {i: 1 for i in ids}


def test_wrong_type_or_payload_is_refused(effects: Engine, clock: Clock) -> None:
    with effects.begin() as connection, pytest.raises(TypeError):
        # mypy refuses this already; the runtime check is for callers it does not see.
        publish(connection, CASE_FILED, HearingClosed(hearing_id=1), occurred_at=clock())  # type: ignore[misc]
    file_case(effects, clock, 1)
    events: list[Event] = []
    EventConsumer(effects, "x", lambda c, e: events.append(e)).poll_once()
    with pytest.raises(WrongEventError):
        events[0].parse(HEARING_CLOSED)


def test_two_processes_of_one_consumer_handle_each_event_once(
    effects: Engine, clock: Clock
) -> None:
    ids = [file_case(effects, clock, n) for n in range(40)]
    start = threading.Barrier(2)

    def run() -> None:
        consumer = EventConsumer(effects, "delivery", record_effect)
        start.wait()
        while consumer.poll_once():
            pass

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert effect_counts(effects) == {i: 1 for i in ids}


def test_a_consumer_killed_mid_batch_in_another_process_loses_nothing(
    effects: Engine, clock: Clock, database_url: str
) -> None:
    ids = [file_case(effects, clock, n) for n in range(6)]
    died = subprocess.run(
        [sys.executable, "-m", "tests.platform.event_child", database_url, "ledger", "3"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert died.returncode == -9, died.stderr[-2000:]
    assert sum(effect_counts(effects).values()) == 2  # the third died with its transaction
    again = subprocess.run(
        [sys.executable, "-m", "tests.platform.event_child", database_url, "ledger", "0"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert effect_counts(effects) == {i: 1 for i in ids}


def test_the_horizon_moves_past_settled_work_and_keeps_its_marks(
    effects: Engine, clock: Clock
) -> None:
    for n in range(5):
        file_case(effects, clock, n)
    consumer = EventConsumer(effects, "stats", record_effect, clock=clock)
    consumer.poll_once()
    assert _horizon(effects, "stats") == 0  # too recent to be settled
    clock.advance(minutes=6)
    file_case(effects, clock, 99)  # a new one stays above the horizon
    consumer.poll_once()
    assert _horizon(effects, "stats") == 5
    with effects.connect() as connection:
        marks = connection.execute(
            select(func.count())
            .select_from(processed_events)
            .where(processed_events.c.consumer == "stats")
        ).scalar_one()
    assert marks == 6 and sum(effect_counts(effects).values()) == 6
    assert consumer.poll_once() == 0


def _horizon(engine: Engine, name: str) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(event_consumers.c.horizon).where(event_consumers.c.consumer == name)
            ).scalar_one()
        )
