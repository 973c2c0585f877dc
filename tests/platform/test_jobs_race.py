"""Workers racing for the same jobs run each job once; a worker killed mid-job is replaced and the
job's effect happens once (the provider sees one idempotency key). Real clocks, real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

from tests.platform.worker_child import create_tables, provider_send
from tingshen_platform.jobs import Job, JobQueue, work_one

REPO = Path(__file__).resolve().parents[2]
JOBS = 120
DEADLINE_S = 60


def test_two_threads_racing_run_each_job_once(engine: Engine) -> None:
    queue = JobQueue(engine)
    ids = [queue.enqueue("race", {"n": n}) for n in range(JOBS)]
    runs: Counter[int] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(2)

    def record(job: Job) -> None:
        with lock:
            runs[job.id] += 1

    def drain(owner: str) -> None:
        start.wait()
        while work_one(queue, {"race": record}, owner, lease=timedelta(seconds=30)) is not None:
            pass

    threads = [threading.Thread(target=drain, args=(f"t{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE_S)
    assert sorted(runs) == sorted(ids) and set(runs.values()) == {1}
    assert all((j := queue.get(i)) is not None and j.state == "done" for i in ids)


def _child(url: str, owner: str, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.platform.worker_child", url, owner, mode],
        cwd=REPO,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_two_processes_racing_run_each_job_once(engine: Engine, database_url: str) -> None:
    create_tables(engine)
    queue = JobQueue(engine)
    ids = [queue.enqueue("race", {"n": n}) for n in range(JOBS)]
    children = [_child(database_url, f"p{i}", "drain") for i in range(2)]
    for child in children:
        _, err = child.communicate(timeout=DEADLINE_S)
        assert child.returncode == 0, err[-3000:]
    with engine.connect() as connection:
        effects = connection.execute(text("SELECT job_id, owner FROM effects")).all()
    per_job = Counter(job_id for job_id, _ in effects)
    assert sorted(per_job) == sorted(ids) and set(per_job.values()) == {1}
    assert all((j := queue.get(i)) is not None and j.state == "done" for i in ids)


def test_a_worker_killed_mid_job_is_replaced_and_the_effect_happens_once(
    engine: Engine, database_url: str
) -> None:
    create_tables(engine)
    queue = JobQueue(engine)
    job_id = queue.enqueue("sms", {"text": "开庭通知"}, key="notice-41")
    child = _child(database_url, "doomed", "send-and-hang")
    try:
        # Waiting on another process: poll its effect with a deadline.
        deadline = time.monotonic() + DEADLINE_S
        while _count(engine, "provider_attempts") == 0:
            assert child.poll() is None, child.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "the child never sent"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(DEADLINE_S)
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()
    held = queue.get(job_id)
    assert held is not None and held.state == "running" and held.lease_owner == "doomed"

    def send(job: Job) -> None:
        provider_send(engine, str(job.idempotency_key), str(job.payload["text"]), "rescuer")

    # Before the dead worker's lease (1 s) runs out, nobody may take the job over; after it,
    # the rescuer does (its clock reads 2 s ahead instead of the test sleeping).
    assert work_one(queue, {"sms": send}, "rescuer", lease=timedelta(seconds=30)) is None
    later = JobQueue(engine, clock=lambda: datetime.now(UTC) + timedelta(seconds=2))
    outcome = work_one(later, {"sms": send}, "rescuer", lease=timedelta(seconds=30))
    assert outcome is not None
    job, state = outcome
    assert (job.id, state, job.attempts) == (job_id, "done", 2)
    assert _count(engine, "provider_attempts") == 2  # sent twice ...
    with engine.connect() as connection:
        delivered = connection.execute(text("SELECT idempotency_key FROM provider_messages")).all()
    assert [k for (k,) in delivered] == ["notice-41"]  # ... delivered once


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
