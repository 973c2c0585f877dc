"""What every side service's ``service`` module did by hand (:mod:`tingshen_platform.services`):
its event consumers over handlers bound by event type, polling them once, working the due jobs
once, running it all on one stop event for as long as the server runs, and its pages.

- :func:`dispatch` / :func:`bound_consumer`: one consumer whose handler picks the bound handler
  of the event's type (and which reads only those types).
- :func:`poll_consumers` and :func:`work_due_jobs`: everything waiting, handled once, here
  (tests, ``tingshen`` commands).
- :func:`running_loops`: the consumers, one :class:`~tingshen_platform.jobs.JobWorker` (when
  there are job handlers) and named periodic loops as tasks on one stop event; on exit the event
  is set and every task finishes its round. A task that fails ends alone: the others go on,
  and its exception is not raised on exit.
- :func:`every`: the periodic loop most services write: blocking work in a thread, a failure
  logged, then a wait that the stop event cuts short.
- :func:`mount_pages`: ``/<name>`` answers the service's ``index.html``, ``/<name>/…`` its
  static folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Connection, Engine

from tingshen_platform.events import Event, EventConsumer
from tingshen_platform.jobs import JobQueue, JobWorker, work_one
from tingshen_platform.jobs.worker import Handler as JobHandler

__all__ = [
    "EventHandler",
    "Loop",
    "bound_consumer",
    "dispatch",
    "every",
    "mount_pages",
    "poll_consumers",
    "running_loops",
    "work_due_jobs",
]

EventHandler = Callable[[Connection, Event], None]
Loop = Callable[[asyncio.Event], Coroutine[Any, Any, None]]
"""A periodic loop: runs until the stop event it is given is set."""

JOB_LEASE = timedelta(minutes=5)


def dispatch(bound: Mapping[str, EventHandler]) -> EventHandler:
    """One handler for a consumer: the bound handler of the event's type."""

    def handle(connection: Connection, event: Event) -> None:
        bound[event.type](connection, event)

    return handle


def bound_consumer(
    engine: Engine,
    name: str,
    bound: Mapping[str, EventHandler],
    *,
    clock: Callable[[], datetime],
) -> EventConsumer:
    """The consumer ``name`` of the event types ``bound`` has handlers for."""
    return EventConsumer(engine, name, dispatch(bound), types=set(bound), clock=clock)


def poll_consumers(consumers: Iterable[EventConsumer]) -> int:
    """Handle the events waiting for every consumer once; how many were handled."""
    return sum(consumer.poll_once() for consumer in consumers)


def work_due_jobs(
    jobs: JobQueue,
    handlers: Mapping[str, JobHandler],
    owner: str,
    *,
    lease: timedelta = JOB_LEASE,
) -> int:
    """Run every due job of the handlers' queues once, here; how many ran."""
    done = 0
    while work_one(jobs, handlers, owner, lease=lease) is not None:
        done += 1
    return done


@contextlib.asynccontextmanager
async def running_loops(
    consumers: Iterable[EventConsumer],
    *,
    poll_s: float,
    jobs: JobQueue | None = None,
    job_handlers: Mapping[str, JobHandler] | None = None,
    owner: str = "",
    loops: Mapping[str, Loop] | None = None,
) -> AsyncIterator[None]:
    """The consumers (polling every ``poll_s`` when idle), a job worker ``owner`` over
    ``job_handlers`` (if any; same polling) and the named ``loops``, as tasks on one stop event,
    for as long as the ``async with`` lasts."""
    if job_handlers and (jobs is None or not owner):
        raise ValueError("a job worker needs the job queue and its owner's name")
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(consumer.run(stop, poll_seconds=poll_s), name=consumer.name)
        for consumer in consumers
    ]
    if job_handlers:
        assert jobs is not None
        worker = JobWorker(jobs, job_handlers, owner=owner, poll_seconds=poll_s)
        tasks.append(asyncio.create_task(worker.run(stop), name=f"jobs {owner}"))
    for name, loop in (loops or {}).items():
        tasks.append(asyncio.create_task(loop(stop), name=name))
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)


async def every(
    stop: asyncio.Event,
    interval_s: float,
    work: Callable[[], object],
    *,
    logger: logging.Logger,
    failed: str,
) -> None:
    """Run the blocking ``work`` in a thread, then wait ``interval_s``, until ``stop``; a round
    that raises is logged (``failed``, with the traceback) and the next round tries again."""
    while not stop.is_set():
        try:
            await asyncio.to_thread(work)
        except Exception:
            logger.exception(failed)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_s)


def mount_pages(app: FastAPI, name: str, static_dir: Path) -> None:
    """The service's pages: ``/<name>`` answers ``index.html``; ``/<name>/…`` the folder's files
    (``html``: a folder answers its ``index.html``)."""

    def home() -> FileResponse:
        return FileResponse(static_dir / "index.html")

    app.add_api_route(
        f"/{name}", home, methods=["GET"], include_in_schema=False, name=f"{name}_home"
    )
    app.mount(f"/{name}", StaticFiles(directory=static_dir, html=True), name=name)
