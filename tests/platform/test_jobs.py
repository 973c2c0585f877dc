"""The durable job queue (tingshen_platform.jobs) on SQLite and PostgreSQL, with a test clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, inspect

from tests.platform.conftest import Clock
from tingshen_platform.db import VERSION_TABLE, upgrade_platform
from tingshen_platform.jobs import (
    Job,
    JobQueue,
    LeaseLostError,
    PermanentJobError,
    ReleaseJob,
    RetryPolicy,
    work_one,
)

LEASE = timedelta(seconds=60)


@pytest.fixture
def queue(engine: Engine, clock: Clock) -> JobQueue:
    return JobQueue(engine, clock=clock, policy=RetryPolicy(max_attempts=3, base_seconds=30))


def test_the_platform_migrates_with_its_own_version_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"platform_jobs", VERSION_TABLE} <= tables
    upgrade_platform(engine)  # again: nothing to do
    upgrade_platform(engine, "base", downgrade=True)
    assert "platform_jobs" not in inspect(engine).get_table_names()


def test_a_key_the_queue_holds_gives_the_same_job(queue: JobQueue) -> None:
    first = queue.enqueue("notices", {"to": "+8613800000000"}, key="notice-7")
    again = queue.enqueue("notices", {"to": "changed"}, key="notice-7")
    other_queue = queue.enqueue("retranscribe", {}, key="notice-7")
    unkeyed = [queue.enqueue("notices", {}) for _ in range(2)]
    assert again == first and other_queue != first and len(set(unkeyed)) == 2
    job = queue.get(first)
    assert job is not None and job.payload == {"to": "+8613800000000"}


def test_a_job_enqueued_in_a_rolled_back_transaction_never_exists(
    engine: Engine, queue: JobQueue
) -> None:
    with engine.connect() as connection:
        transaction = connection.begin()
        job_id = queue.enqueue("notices", {}, key="k", connection=connection)
        transaction.rollback()
    assert queue.get(job_id) is None
    assert queue.claim(["notices"], "w1", lease=LEASE) is None


def test_one_worker_holds_a_job_and_completes_it(queue: JobQueue) -> None:
    job_id = queue.enqueue("notices", {"n": 1})
    job = queue.claim(["notices"], "w1", lease=LEASE)
    assert job is not None and job.id == job_id and job.attempts == 1
    assert queue.claim(["notices"], "w2", lease=LEASE) is None
    assert queue.claim(["other"], "w2", lease=LEASE) is None
    with pytest.raises(LeaseLostError):
        queue.complete(job, "w2")
    queue.complete(job, "w1")
    done = queue.get(job_id)
    assert done is not None and done.state == "done"
    assert queue.claim(["notices"], "w1", lease=LEASE) is None


def test_failures_back_off_then_the_job_dies_and_an_operator_retries_it(
    queue: JobQueue, clock: Clock
) -> None:
    job_id = queue.enqueue("notices", {})
    for attempt, wait_s in ((1, 30), (2, 60)):
        job = queue.claim(["notices"], "w1", lease=LEASE)
        assert job is not None and job.attempts == attempt
        assert queue.fail(job, "w1", "gateway timeout") == "queued"
        clock.advance(seconds=wait_s - 1)
        assert queue.claim(["notices"], "w1", lease=LEASE) is None  # still backing off
        clock.advance(seconds=1)
    job = queue.claim(["notices"], "w1", lease=LEASE)
    assert job is not None and job.attempts == 3
    assert queue.fail(job, "w1", "gateway timeout") == "dead"
    assert [j.id for j in queue.dead("notices")] == [job_id]
    assert queue.dead("notices")[0].last_error == "gateway timeout"
    assert queue.retry_dead(job_id) and not queue.retry_dead(job_id)
    again = queue.claim(["notices"], "w1", lease=LEASE)
    assert again is not None and again.attempts == 1


def test_a_permanent_failure_dies_at_once(queue: JobQueue) -> None:
    queue.enqueue("notices", {})

    def refuse(job: Job) -> None:
        raise PermanentJobError("no such phone number")

    outcome = work_one(queue, {"notices": refuse}, "w1", lease=LEASE)
    assert outcome is not None and outcome[1] == "dead"
    assert queue.dead()[0].last_error == "PermanentJobError: no such phone number"


def test_a_dead_workers_job_is_taken_over_after_its_lease(queue: JobQueue, clock: Clock) -> None:
    job_id = queue.enqueue("notices", {}, key="notice-9")
    lost = queue.claim(["notices"], "w1", lease=LEASE)
    assert lost is not None
    clock.advance(seconds=59)
    assert queue.claim(["notices"], "w2", lease=LEASE) is None
    clock.advance(seconds=2)
    taken = queue.claim(["notices"], "w2", lease=LEASE)
    assert taken is not None and taken.id == job_id and taken.attempts == 2
    assert taken.idempotency_key == "notice-9"
    with pytest.raises(LeaseLostError):  # the first worker woke up: too late
        queue.complete(lost, "w1")
    queue.complete(taken, "w2")


def test_a_lease_running_out_on_the_last_attempt_is_death(queue: JobQueue, clock: Clock) -> None:
    job_id = queue.enqueue("notices", {}, max_attempts=1)
    assert queue.claim(["notices"], "w1", lease=LEASE) is not None
    clock.advance(seconds=61)
    assert queue.claim(["notices"], "w2", lease=LEASE) is None
    dead = queue.get(job_id)
    assert dead is not None and dead.state == "dead" and "lease expired" in (dead.last_error or "")


def test_a_handler_error_is_retried_and_success_is_done(queue: JobQueue) -> None:
    queue.enqueue("notices", {"n": 1})
    seen: list[int] = []

    def flaky(job: Job) -> None:
        seen.append(job.attempts)
        if job.attempts == 1:
            raise ConnectionError("SMTP server went away")

    first = work_one(queue, {"notices": flaky}, "w1", lease=LEASE)
    assert first is not None and first[1] == "queued"
    assert work_one(queue, {"notices": flaky}, "w1", lease=LEASE) is None  # backing off


def test_policy_delays_double_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=9, base_seconds=30, max_seconds=100)
    assert [policy.delay_after(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 100, 100]
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


def test_a_released_job_is_due_again_at_once_and_the_attempt_does_not_count(
    queue: JobQueue,
) -> None:
    job_id = queue.enqueue("retranscribe", {})

    def stopping(job: Job) -> None:
        raise ReleaseJob

    outcome = work_one(queue, {"retranscribe": stopping}, "w1", lease=LEASE)
    assert outcome is not None and outcome[1] == "queued"
    again = queue.claim(["retranscribe"], "w2", lease=LEASE)
    assert again is not None and again.id == job_id and again.attempts == 1
