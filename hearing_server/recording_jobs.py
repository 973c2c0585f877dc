"""Finalising a closed hearing's recording as durable work (queue ``recordings`` of
:mod:`tingshen_platform.jobs`).

    jobs = FinalisationJobs(archive, JobQueue(engine), owner="p1")
    final = jobs.finalize(hearing_id)      # the hearing closed: a job, run here and now
    async with finalisation_running(jobs, once): ...   # start-up scan, then the queue polled

Closing a hearing writes a job (key ``finalize-<hearing>``) and runs it at once in the closing
process, so the clerk's close returns with the recording finalised as before. What the job adds
is what happens when that process dies mid-way: the job's lease runs out and any process of the
cluster takes it over (the queue is polled every :data:`POLL_S`), with retries and back-off, and
a job that keeps failing ends ``dead`` where an operator sees it. Finalising is idempotent (it
finds a current finalisation and only adds missing rows), so a job run twice does no harm.
Hearings closed by a server older than the queue are found by the start-up scan
(:meth:`RecordingArchive.pending`), once per cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from hearing_server.once import Once, here
from hearing_server.recording_archive import RecordingArchive
from recordings import FinalRecording, RecordingNotFoundError
from tingshen_platform.jobs import Job, JobQueue, work_one

__all__ = ["QUEUE", "FinalisationJobs", "finalisation_running"]

_logger = logging.getLogger(__name__)

QUEUE = "recordings"
LEASE = timedelta(minutes=2)
POLL_S = 30.0


class FinalisationJobs:
    def __init__(self, archive: RecordingArchive, queue: JobQueue, owner: str) -> None:
        self.archive = archive
        self.queue = queue
        self.owner = f"recordings@{owner}"

    def request(self, hearing_id: int, *, key: str | None = None) -> int:
        return self.queue.enqueue(QUEUE, {"hearing_id": hearing_id}, key=key)

    def finalize(self, hearing_id: int) -> FinalRecording | None:
        """The hearing closed: its job, run now (blocking; in a worker thread). The finalised
        recording, or None when nothing was recorded (or another process has the job)."""
        self.request(hearing_id, key=f"finalize-{hearing_id}")
        self.run_due()
        try:
            return self.archive.manifest(hearing_id)
        except RecordingNotFoundError:
            return None

    def run_due(self) -> int:
        """Run the due jobs of the queue (this hearing's and any left by a dead process)."""
        ran = 0
        while work_one(self.queue, {QUEUE: self._handle}, self.owner, lease=LEASE) is not None:
            ran += 1
        return ran

    def enqueue_pending(self) -> list[int]:
        """Start-up: a job for every closed hearing whose finalisation is missing or out of date
        (no key: a finalisation found out of date again later is a new piece of work)."""
        pending = self.archive.pending()
        for hearing_id in pending:
            self.request(hearing_id)
        return pending

    def _handle(self, job: Job) -> None:
        hearing_id = int(job.payload["hearing_id"])
        try:
            self.archive.finalize(hearing_id)
        except RecordingNotFoundError:
            return  # nobody spoke, or the audio has expired: nothing to finalise
        _logger.info("hearing %d: recording finalised (job %d)", hearing_id, job.id)


@asynccontextmanager
async def finalisation_running(
    jobs: FinalisationJobs | None, once: Once = here, *, poll_s: float = POLL_S
) -> AsyncIterator[None]:
    """In the background: the start-up scan (one process of the cluster at a time), then the
    queue every ``poll_s``. At shutdown the running round is awaited (a worker thread cannot be
    cancelled), so the database engine is not disposed under it."""
    if jobs is None:
        yield
        return
    stop = asyncio.Event()

    async def loop() -> None:
        try:
            await once("recording-finalize-pending", jobs.enqueue_pending)
        except Exception:
            _logger.exception("finding interrupted recording finalisations failed")
        while True:  # at least one round, even when the server stops at once
            try:
                await asyncio.to_thread(jobs.run_due)
            except Exception:
                _logger.exception("recording finalisation jobs failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_s)
            if stop.is_set():
                return

    task = asyncio.get_running_loop().create_task(loop(), name="recording-finalisation")
    try:
        yield
    finally:
        stop.set()
        await task
