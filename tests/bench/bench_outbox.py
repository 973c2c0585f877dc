"""Events per second through the transactional outbox (issue 12), SQLite and PostgreSQL.

    .venv/bin/python tests/bench/bench_outbox.py [--events 3000]

- *publish, one per transaction*: each event written in a transaction of its own, as the hearing
  server writes one with the change it reports (SQLite with ``synchronous=FULL``: one fsync each);
- *publish, 100 per transaction*: a batch;
- *consume, 1 process*: one consumer process drains them (``EventConsumer.poll_once``, batch 100,
  each event marked handled in its own transaction);
- *consume, 2 processes*: two processes of the *same* consumer drain them at once (a service on
  two machines): every event must be handled once in all (``twice`` counts the excess;
  ``rolled_back``: handler calls whose transaction lost to the other process and were undone).

PostgreSQL needs ``TINGSHEN_TEST_DATABASE_URL`` (a fresh schema is made and dropped).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pydantic import BaseModel
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from tingshen_platform.db import make_engine, upgrade_platform
from tingshen_platform.events import Event, EventConsumer, EventType, publish


class Ping(BaseModel):
    n: int


PING = EventType("bench.ping", 1, Ping, "a benchmark event")


def _consume(url: str, name: str, seen: Any, start: Any) -> None:
    engine = make_engine(url)
    calls = 0

    def handler(_connection: Connection, _event: Event) -> None:
        nonlocal calls
        calls += 1

    consumer = EventConsumer(engine, name, handler, types={PING.name})
    start.wait()
    committed = 0
    while handled := consumer.poll_once():
        committed += handled
    seen.put((committed, calls))
    engine.dispose()


def consume(url: str, processes: int, total: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    seen, start = context.Queue(), context.Event()
    name = f"bench-{uuid.uuid4().hex[:8]}"
    workers = [
        context.Process(target=_consume, args=(url, name, seen, start)) for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    time.sleep(2.0)  # let the processes import and connect (not measured)
    began = time.perf_counter()
    start.set()
    committed = calls = 0
    for _ in workers:
        done, tried = seen.get(timeout=600)
        committed, calls = committed + done, calls + tried
    elapsed = time.perf_counter() - began
    for worker in workers:
        worker.join()
    return {
        "handled": committed,
        "twice": max(0, committed - total),
        "missed": max(0, total - committed),
        "rolled_back": calls - committed,
        "per_s": round(committed / elapsed),
    }


def run(url: str, events: int, *, analyse: bool = False) -> dict[str, Any]:
    engine = make_engine(url)
    upgrade_platform(engine)
    now = datetime.now(UTC)
    began = time.perf_counter()
    for n in range(events):
        with engine.begin() as connection:
            publish(connection, PING, Ping(n=n), occurred_at=now, stream="bench")
    single = events / (time.perf_counter() - began)
    began = time.perf_counter()
    for first in range(events, 2 * events, 100):
        with engine.begin() as connection:
            for n in range(first, min(first + 100, 2 * events)):
                publish(connection, PING, Ping(n=n), occurred_at=now, stream="bench")
    batched = events / (time.perf_counter() - began)
    if analyse and engine.dialect.name == "postgresql":
        with engine.begin() as connection:  # what autovacuum does a little later by itself
            connection.execute(text("ANALYZE"))
    engine.dispose()
    one = consume(url, 1, 2 * events)
    two = consume(url, 2, 2 * events)
    return {
        "publish_1_per_tx_per_s": round(single),
        "publish_100_per_tx_per_s": round(batched),
        "consume_1_process": one,
        "consume_2_processes": two,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=3000)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run(f"sqlite:///{Path(tmp) / 'outbox.db'}", args.events)
    pg = os.environ.get("TINGSHEN_TEST_DATABASE_URL")
    if pg:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = make_engine(pg)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            url = make_url(pg).update_query_dict({"options": f"-csearch_path={schema}"})
            rendered = url.render_as_string(hide_password=False)
            results["postgresql"] = run(rendered, args.events)
            with admin.begin() as connection:  # a second round on fresh tables, analysed
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            results["postgresql_analysed"] = run(rendered, args.events, analyse=True)
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    print(json.dumps(results, indent=2))
    out = Path(__file__).resolve().parents[2] / "out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "outbox.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
