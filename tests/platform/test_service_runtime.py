"""The side services' runtime (tingshen_platform.service_runtime): consumers over bound handlers,
due jobs worked once, the consumers, a job worker and periodic loops run on one stop event, and
a service's pages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from tests.platform.conftest import Clock
from tests.platform.test_events import HEARING_CLOSED, HearingClosed, file_case
from tingshen_platform.events import EventConsumer, publish
from tingshen_platform.jobs import Job, JobQueue, RetryPolicy
from tingshen_platform.schema import event_failures
from tingshen_platform.service_runtime import (
    bound_consumer,
    dispatch,
    every,
    mount_pages,
    poll_consumers,
    running_loops,
    work_due_jobs,
)

WAIT_S = 20.0
"""The longest a test waits for a condition the loops bring about (a deadline, not a pause)."""


@pytest.fixture
def queue(engine: Engine, clock: Clock) -> JobQueue:
    return JobQueue(engine, clock=clock, policy=RetryPolicy(max_attempts=3, base_seconds=30))


def close_hearing(engine: Engine, clock: Clock, hearing_id: int) -> str:
    with engine.begin() as connection:
        return publish(
            connection,
            HEARING_CLOSED,
            HearingClosed(hearing_id=hearing_id),
            occurred_at=clock(),
            stream=f"hearing:{hearing_id}",
        )


async def until(flag: threading.Event) -> None:
    assert await asyncio.to_thread(flag.wait, WAIT_S), "the loops never got there"


def test_dispatch_calls_the_handler_bound_to_the_event_s_type(engine: Engine, clock: Clock) -> None:
    calls: list[tuple[str, str]] = []
    handle = dispatch(
        {
            "case.filed": lambda _c, e: calls.append(("filed", e.event_id)),
            "hearing.closed": lambda _c, e: calls.append(("closed", e.event_id)),
        }
    )
    filed, closed = file_case(engine, clock, 1), close_hearing(engine, clock, 2)
    consumer = EventConsumer(engine, "all", handle, clock=clock)
    assert consumer.poll_once() == 2
    assert calls == [("filed", filed), ("closed", closed)]


def test_a_bound_consumer_reads_only_the_types_it_has_handlers_for(
    engine: Engine, clock: Clock
) -> None:
    seen: list[str] = []
    filed = file_case(engine, clock, 1)
    close_hearing(engine, clock, 2)
    cases = bound_consumer(engine, "cases", {"case.filed": lambda _c, e: seen.append(e.event_id)},
                           clock=clock)  # fmt: skip
    hearings = bound_consumer(engine, "hearings", {"hearing.closed": lambda _c, e: None},
                              clock=clock)  # fmt: skip
    assert poll_consumers([cases, hearings]) == 2
    assert seen == [filed]
    assert poll_consumers([cases, hearings]) == 0  # each event is handled once
    with engine.connect() as connection:  # "cases" never tried the hearing's event
        assert connection.execute(select(func.count()).select_from(event_failures)).scalar() == 0


def test_work_due_jobs_runs_every_due_job_once(queue: JobQueue, clock: Clock) -> None:
    ran: list[int] = []

    def handle(job: Job) -> None:
        ran.append(job.payload["n"])
        if job.payload["n"] == 2:
            raise RuntimeError("the provider is down")

    for n in (1, 2, 3):
        queue.enqueue("notices", {"n": n})
    queue.enqueue("elsewhere", {"n": 4})  # a queue without a handler here
    assert work_due_jobs(queue, {"notices": handle}, "test") == 3
    assert sorted(ran) == [1, 2, 3]
    assert work_due_jobs(queue, {"notices": handle}, "test") == 0  # the failed one waits
    clock.advance(seconds=31)
    assert work_due_jobs(queue, {"notices": handle}, "test") == 1 and ran[-1] == 2


async def test_the_loops_run_a_consumer_and_a_job_and_stop_cleanly(
    engine: Engine, clock: Clock, queue: JobQueue
) -> None:
    handled, worked = threading.Event(), threading.Event()
    consumer = bound_consumer(engine, "cases", {"case.filed": lambda _c, _e: handled.set()},
                              clock=clock)  # fmt: skip
    stopped: list[str] = []

    async def loop(stop: asyncio.Event) -> None:
        await stop.wait()
        stopped.append("loop")

    async with running_loops(
        [consumer], poll_s=0.05, jobs=queue, job_handlers={"notices": lambda _j: worked.set()},
        owner="test@here", loops={"waiting": loop},
    ):  # fmt: skip
        file_case(engine, clock, 1)
        queue.enqueue("notices", {})
        await until(handled)
        await until(worked)
        assert stopped == []
    assert stopped == ["loop"]  # the stop event reached the loop, and it was waited for
    assert consumer.poll_once() == 0  # nothing left behind
    assert work_due_jobs(queue, {"notices": lambda _j: None}, "test") == 0


async def test_a_loop_that_fails_does_not_stop_the_others(engine: Engine, clock: Clock) -> None:
    failed, handled, rounds_after = threading.Event(), threading.Event(), threading.Event()
    consumer = bound_consumer(engine, "cases", {"case.filed": lambda _c, _e: handled.set()},
                              clock=clock)  # fmt: skip

    async def failing(stop: asyncio.Event) -> None:
        failed.set()
        raise RuntimeError("a periodic round broke")

    async def counting(stop: asyncio.Event) -> None:
        while not stop.is_set():
            if failed.is_set():
                rounds_after.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.01)

    async with running_loops([consumer], poll_s=0.05, loops={"a": failing, "b": counting}):
        await until(failed)
        file_case(engine, clock, 1)  # published after the failure: the consumer still reads
        await until(handled)
        await until(rounds_after)
    # leaving the block raised nothing: the failed loop's exception ends with its task


async def test_a_job_worker_needs_its_queue_and_owner() -> None:
    with pytest.raises(ValueError, match="job queue"):
        async with running_loops([], poll_s=1, job_handlers={"notices": lambda _j: None}):
            pass


async def test_every_logs_a_failed_round_and_tries_again(caplog: pytest.LogCaptureFixture) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    rounds: list[int] = []

    def work() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("boom")
        loop.call_soon_threadsafe(stop.set)

    logger = logging.getLogger("tests.service_runtime")
    with caplog.at_level(logging.ERROR, logger=logger.name):
        await asyncio.wait_for(
            every(stop, 0.01, work, logger=logger, failed="round failed"), WAIT_S
        )
    assert rounds == [0, 1]
    [record] = caplog.records
    assert record.getMessage() == "round failed" and record.exc_info is not None


def test_mount_pages_answers_the_index_and_the_folder(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>首页</p>", "utf-8")
    (tmp_path / "case.html").write_text("<p>案件</p>", "utf-8")
    app = FastAPI()
    mount_pages(app, "things", tmp_path)
    client = TestClient(app)
    assert client.get("/things").text == "<p>首页</p>"
    assert client.get("/things/").text == "<p>首页</p>"
    assert client.get("/things/case.html").text == "<p>案件</p>"
    assert client.get("/things/missing.html").status_code == 404
    assert "/things" not in client.get("/openapi.json").json()["paths"]
