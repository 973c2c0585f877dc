"""The re-transcription worker: one background thread, one job at a time.

    worker = RetranscriptionWorker(sessions, recordings, loader=..., clock=...)
    async with retranscription_running(worker): ...   # app lifespan: start, then stop
    worker.wake()                                     # a job was queued
    worker.wait_for(job_id, timeout_s)                # tests and tools: until it ends

Why a thread and not a process or the event loop: inference releases the GIL inside CTranslate2,
so a thread keeps the event loop (live hearings) responsive without a second copy of the server;
one thread and ``cpu_threads`` 1 by default (``TINGSHEN_RETRANSCRIBE_CPU_THREADS``) leave the
other core to live hearings on a two-core court server. A loaded model is kept per name, so a
second job with the same model does not load it again; tests put their loaded model in with
:meth:`RetranscriptionWorker.inject_engine`.

Jobs are taken from the platform's durable queue (``tingshen_platform.jobs``, queue
``retranscribe``) with a lease the worker renews while it runs, so several server processes share
the work and never run one job twice. A job given back at shutdown is due again at once; one whose
process died (a crash) is taken over by a worker of any process when its lease runs out
(``LEASE``) and runs from the beginning: the suggestions are only written when a job ends, so
nothing half-done is ever shown. Progress is written at most every ``progress_interval_s``
seconds, and each write also asks the database whether the job was cancelled meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from asr.engine import Engine
from asr.offline import load_engine, transcribe_file
from asr.types import Segment, Word
from hearing_server.models import RetranscriptionJob, RetranscriptionState
from hearing_server.retranscribe.align import Proposal, align_track, place_segments
from hearing_server.retranscribe.jobs import (
    QUEUE,
    active_jobs,
    enqueue,
    fail_job,
    finish_job,
    mark_running,
    report_progress,
)
from hearing_server.transcript.store import SqlUpdateStore
from hearing_server.transcript.ydoc import TranscriptDoc
from recordings import FinalRecording, LocalDirStore, read_manifest
from tingshen_platform.jobs import Job, JobQueue, PermanentJobError, ReleaseJob, work_one

__all__ = ["EngineLoader", "RetranscriptionWorker", "model_loader", "retranscription_running"]

_logger = logging.getLogger(__name__)

EngineLoader = Callable[[str], Engine]
Clock = Callable[[], datetime]
DB_RETRY_S = 5.0
# The worker renews its lease every third of this; a crashed process's job waits this long.
LEASE = timedelta(seconds=60)
# Jobs queued by other server processes do not wake this one: it looks this often.
POLL_S = 5.0
FINISHED = frozenset(
    {RetranscriptionState.DONE, RetranscriptionState.FAILED, RetranscriptionState.CANCELLED}
)


class _StopError(Exception):
    """The job was cancelled, or the worker is stopping: leave the job as the database says."""


class RetranscriptionWorker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        recordings: LocalDirStore | None,
        *,
        loader: EngineLoader,
        clock: Clock,
        progress_interval_s: float = 1.0,
    ) -> None:
        self._sessions = sessions
        self._recordings = recordings
        self._loader = loader
        self._clock = clock
        self._interval_s = progress_interval_s
        self._engines: dict[str, Engine] = {}
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._ended = threading.Condition()
        self._ended_jobs: dict[int, RetranscriptionState] = {}
        self._thread: threading.Thread | None = None
        with sessions() as session:
            engine = session.get_bind().engine
        self._queue = JobQueue(engine, clock=clock)
        self.owner = f"retranscribe@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    # ------------------------------------------------------------------------- control

    def inject_engine(self, model: str, engine: Engine) -> None:
        """Use an already loaded model for ``model`` (tests share one loaded model)."""
        self._engines[model] = engine

    def start(self) -> None:
        with self._sessions() as session:
            # Jobs of a server that predates the durable queue get their place on it (once).
            for job in active_jobs(session):
                enqueue(session, job, self._clock())
            session.commit()
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="retranscribe", daemon=True)
        self._thread.start()
        self._wake.set()

    def wake(self) -> None:
        """A job was queued (or cancelled): look at the queue now."""
        self._wake.set()

    def request_stop(self) -> None:
        """Ask the thread to stop at the current job's next progress report (no waiting)."""
        self._stopping.set()
        self._wake.set()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop after the current transcription step; a running job resumes at the next start."""
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def wait_for(self, job_id: int, timeout_s: float) -> RetranscriptionState | None:
        """Block until the job ends in this worker (done, failed, cancelled); None on timeout."""
        with self._ended:
            self._ended.wait_for(lambda: job_id in self._ended_jobs, timeout_s)
            return self._ended_jobs.get(job_id)

    # ------------------------------------------------------------------------- the thread

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                self._run_next()
            except Exception:  # the database went away: log, and try again a little later
                _logger.exception("re-transcription worker: retrying in %s s", DB_RETRY_S)
                self._wake.wait(DB_RETRY_S)

    def _run_next(self) -> None:
        outcome = work_one(self._queue, {QUEUE: self._handle}, self.owner, lease=LEASE)
        if outcome is None:
            self._wake.wait(POLL_S)
            return
        self._ended_job(int(outcome[0].payload["retranscription_id"]))

    def _handle(self, queued: Job) -> None:
        """The platform job's handler: run the re-transcription it names."""
        job_id = int(queued.payload["retranscription_id"])
        with self._sessions() as session:
            job = mark_running(session, job_id, self._clock())
            claimed = (job.id, job.hearing_id, job.model, job.language) if job else None
        if claimed is None:
            return  # cancelled before it ran
        try:
            self._process(*claimed)
        except _StopError:
            if self._stopping.is_set():
                raise ReleaseJob from None  # due again at the next start, from the beginning
        except Exception as exc:  # any failure of one job must not end the worker
            _logger.warning("re-transcription job %d failed: %s", job_id, exc)
            with self._sessions() as session:
                fail_job(session, job_id, f"{type(exc).__name__}: {exc}", self._clock())
            raise PermanentJobError(str(exc)) from exc

    def _ended_job(self, job_id: int) -> None:
        with self._sessions() as session:
            job = session.get(RetranscriptionJob, job_id)
            state = job.state if job is not None else None
        if state is None or state not in FINISHED:
            return  # stopped mid-way: it stays running and resumes at the next start
        with self._ended:
            self._ended_jobs[job_id] = state
            self._ended.notify_all()

    def _engine(self, model: str) -> Engine:
        engine = self._engines.get(model)
        if engine is None:
            engine = self._engines[model] = self._loader(model)
        return engine

    def _process(self, job_id: int, hearing_id: int, model: str, language: str) -> None:
        final = read_manifest(self._recordings, hearing_id) if self._recordings else None
        if final is None or self._recordings is None:
            raise RuntimeError("the hearing has no finalised recording")
        engine = self._engine(model)
        report = self._reporter(job_id)
        report(0.0, force=True)
        tracks = final.tracks
        results: list[tuple[str, str, list[Word]]] = []
        for index, track in enumerate(tracks):

            def step(fraction: float, index: int = index) -> None:
                report((index + fraction) / len(tracks))

            detected, segments = transcribe_file(
                engine,
                self._recordings.path(track.key),
                language=None if language == "auto" else language,
                progress=step,
            )
            results.append((track.name, detected, _words(segments)))
        proposals = self._align(hearing_id, final, results)
        with self._sessions() as session:
            finish_job(session, job_id, proposals, self._clock())

    def _align(
        self, hearing_id: int, final: FinalRecording, results: list[tuple[str, str, list[Word]]]
    ) -> list[Proposal]:
        """Compare with the transcript as it is *now* (read from the log, the only truth)."""
        history = SqlUpdateStore(self._sessions).load(hearing_id)
        doc = TranscriptDoc([item.update for item in history])
        placed = place_segments(doc.segments(), final.origin_utc)
        proposals: list[Proposal] = []
        for speaker_key, detected, words in results:
            proposals.extend(align_track(placed, speaker_key, words, detected, final.origin_utc))
        proposals.sort(key=lambda p: (p.start_ms, p.speaker_key))
        return proposals

    def _reporter(self, job_id: int) -> Callable[..., None]:
        last = [float("-inf")]

        def report(progress: float, *, force: bool = False) -> None:
            if self._stopping.is_set():
                raise _StopError
            now = time.monotonic()
            if not force and now - last[0] < self._interval_s:
                return
            last[0] = now
            with self._sessions() as session:
                if not report_progress(session, job_id, progress):
                    raise _StopError  # cancelled meanwhile

        return report


def _words(segments: list[Segment]) -> list[Word]:
    """All words of a track; a segment without word times counts as one word."""
    words: list[Word] = []
    for segment in segments:
        if segment.words:
            words.extend(segment.words)
        else:
            words.append(Word(segment.text, segment.start_ms, segment.end_ms, 1.0))
    return words


@asynccontextmanager
async def retranscription_running(worker: RetranscriptionWorker) -> AsyncIterator[None]:
    """Run the worker for the app's lifetime (a minimal hook in the app's lifespan)."""
    worker.start()
    try:
        yield
    finally:
        await asyncio.to_thread(worker.stop)


def model_loader(cpu_threads: int) -> EngineLoader:
    """Load a model by name (or local directory) from disk, never downloading it."""

    def load(model: str) -> Engine:
        return load_engine(model, cpu_threads=cpu_threads)[1]

    return load
