"""Running durable jobs: :func:`work_one` (claim one job, run its handler, record the outcome)
and :class:`JobWorker` (the asyncio loop a service runs; handlers are blocking and run in a
thread, so the event loop never waits for them).

A handler raises :class:`PermanentJobError` for a job that can never succeed (it goes dead at
once), :class:`ReleaseJob` to give it back unfinished (its worker is stopping), and any other
exception for a failure worth retrying. While a handler runs, a heartbeat
renews the job's lease every third of its length, so a long job is not taken over; a worker that
dies stops renewing, and another worker takes the job once the lease runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from datetime import timedelta

from tingshen_platform.jobs.queue import Job, JobQueue, LeaseLostError

__all__ = ["Handler", "JobWorker", "PermanentJobError", "ReleaseJob", "work_one"]

logger = logging.getLogger(__name__)

Handler = Callable[[Job], None]
"""Does the job's work (blocking); gets the job with its id, attempt and idempotency key."""


class PermanentJobError(Exception):
    """The job cannot succeed, however often it is tried: it goes dead at once."""


class ReleaseJob(Exception):  # noqa: N818 (a signal, not an error)
    """The handler gives its job back unfinished (its worker is stopping): due again at once,
    the attempt not counted."""


def work_one(
    queue: JobQueue, handlers: Mapping[str, Handler], owner: str, *, lease: timedelta
) -> tuple[Job, str] | None:
    """Claim one due job of the handlers' queues and run it; returns the job and its new state
    (``done``, ``queued`` to retry, ``dead``, or ``lost`` when another worker took it over
    meanwhile), or None when nothing was due."""
    job = queue.claim(list(handlers), owner, lease=lease)
    if job is None:
        return None
    done = threading.Event()
    heartbeat = threading.Thread(
        target=_heartbeat, args=(queue, job, owner, lease, done), daemon=True
    )
    heartbeat.start()
    error: str | None = None
    permanent = released = False
    try:
        handlers[job.queue](job)
    except ReleaseJob:
        released = True
    except PermanentJobError as exc:
        error, permanent = _reason(exc), True
    except Exception as exc:
        error = _reason(exc)
        logger.warning("job %s (%s) attempt %s failed: %s", job.id, job.queue, job.attempts, exc)
    finally:
        done.set()
        heartbeat.join()
    try:
        if released:
            queue.release(job, owner)
            return job, "queued"
        if error is None:
            queue.complete(job, owner)
            return job, "done"
        return job, queue.fail(job, owner, error, permanent=permanent)
    except LeaseLostError as exc:
        logger.warning("%s", exc)
        return job, "lost"


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _heartbeat(
    queue: JobQueue, job: Job, owner: str, lease: timedelta, done: threading.Event
) -> None:
    interval = max(lease.total_seconds() / 3, 0.01)
    while not done.wait(interval):
        try:
            queue.extend(job, owner, lease=lease)
        except LeaseLostError:
            logger.warning("job %s: lease lost while its handler runs", job.id)
            return
        except Exception:
            logger.exception("job %s: lease not renewed", job.id)


class JobWorker:
    """One worker of a service process: ``await worker.run(stop)`` until ``stop`` is set; the
    job under way finishes first (it is never cancelled half-done)."""

    def __init__(
        self,
        queue: JobQueue,
        handlers: Mapping[str, Handler],
        *,
        owner: str,
        lease: timedelta = timedelta(minutes=5),
        poll_seconds: float = 1.0,
    ) -> None:
        self._queue = queue
        self._handlers = dict(handlers)
        self.owner = owner
        self._lease = lease
        self._poll_seconds = poll_seconds

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                outcome = await asyncio.to_thread(
                    work_one, self._queue, self._handlers, self.owner, lease=self._lease
                )
            except Exception:
                logger.exception("job worker %s: claiming failed", self.owner)
                outcome = None
            if outcome is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._poll_seconds)
