"""What the audit chain costs an action (issue 14), SQLite and PostgreSQL.

    .venv/bin/python tests/bench/bench_audit_chain.py [--commits 300] [--writers 4]

Each commit is one transaction with one audit event (as an action writes it): sealed at commit
(the chain's head row moved, the event's place and hash set). Figures: commit latency p50/p95
with one writer and with ``--writers`` threads at once (several server processes contend the
same way for the head row), commits per second, and ``tingshen audit verify``'s rows per second.

PostgreSQL needs ``TINGSHEN_TEST_DATABASE_URL`` (a fresh schema is made and dropped).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from hearing_server import audit
from hearing_server.audit import Actor, EntityRef
from hearing_server.db import make_engine, make_session_factory, upgrade_engine


def _commit_one(factory: sessionmaker[Session], worker: int, n: int) -> float:
    started = time.perf_counter()
    with factory() as session:
        audit.record(
            session,
            actor=Actor("staff", worker),
            action="bench.action",
            entity=EntityRef("hearing", n),
            case_id=None,
            details={"n": n, "note": "庭审"},
            at=datetime.now(UTC),
        )
        session.commit()
    return (time.perf_counter() - started) * 1000


def _run(engine: Engine, commits: int, writers: int) -> list[float]:
    factory = make_session_factory(engine)
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(writers)

    def work(worker: int) -> None:
        start.wait()
        mine = [_commit_one(factory, worker, n) for n in range(commits // writers)]
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def _report(name: str, engine: Engine, commits: int, writers: int) -> None:
    upgrade_engine(engine)
    for label, count in (("1 writer", 1), (f"{writers} writers", writers)):
        started = time.perf_counter()
        latencies = _run(engine, commits, count)
        elapsed = time.perf_counter() - started
        p95 = statistics.quantiles(latencies, n=20)[-1]
        print(
            f"{name:10s} {label:10s} commits {len(latencies):5d}  "
            f"p50 {statistics.median(latencies):6.2f} ms  p95 {p95:6.2f} ms  "
            f"{len(latencies) / elapsed:7.1f} commits/s"
        )
    with make_session_factory(engine)() as session:
        started = time.perf_counter()
        report = audit.verify(session)
        elapsed = time.perf_counter() - started
    assert report.intact, report.broken
    print(f"{name:10s} verify     rows {report.rows:5d}  {report.rows / elapsed:9.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--writers", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'bench.sqlite3'}")
        try:
            _report("sqlite", engine, args.commits, args.writers)
        finally:
            engine.dispose()
    url = os.environ.get("TINGSHEN_TEST_DATABASE_URL")
    if not url:
        print("postgresql: skipped (TINGSHEN_TEST_DATABASE_URL is not set)")
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    target = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = make_engine(target.render_as_string(hide_password=False))
    try:
        _report("postgresql", engine, args.commits, args.writers)
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
