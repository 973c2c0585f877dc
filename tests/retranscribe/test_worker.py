"""The worker thread with a scripted engine: a job left running by a crash runs again at start,
a cancelled job stops at its next progress report and proposes nothing, a model that cannot be
loaded fails its job without stopping the worker, and progress is throttled."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from asr.engine import Engine, LongFormSegment
from asr.errors import ModelError
from asr.types import Word
from hearing_server.audit import Actor
from hearing_server.db import make_session_factory, upgrade
from hearing_server.models import (
    Case,
    Court,
    Hearing,
    HearingStatus,
    RetranscriptionJob,
    RetranscriptionState,
    StaffRole,
    StaffUser,
    TranscriptSuggestion,
)
from hearing_server.retranscribe.jobs import cancel_job
from hearing_server.retranscribe.worker import RetranscriptionWorker
from hearing_server.settings import Settings
from recordings import LocalDirStore, RecordingJournal, finalize_hearing

pytestmark = pytest.mark.timeout(60)
AT = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
WAIT_S = 30


class ScriptedEngine:
    """Stands in for ``asr.engine.Engine``: two segments per file; between them it waits for
    ``gate`` (set by the test) after announcing ``first_sent``."""

    multilingual = True

    def __init__(self, *, hold: bool = False) -> None:
        self.first_sent = threading.Event()
        self.gate = threading.Event()
        if not hold:
            self.gate.set()
        self.calls = 0

    def transcribe_audio(
        self, audio: Any, *, language: str | None, initial_prompt: str | None, beam_size: int = 5
    ) -> tuple[str, Iterator[LongFormSegment]]:
        self.calls += 1

        def segments() -> Iterator[LongFormSegment]:
            yield LongFormSegment(0.5, 1.0, " hello", [Word(" hello", 500, 1000, 0.9)], 1.0)
            self.first_sent.set()
            assert self.gate.wait(WAIT_S)
            yield LongFormSegment(1.5, 2.0, " again", [Word(" again", 1500, 2000, 0.9)], 1.0)

        return language or "en", segments()


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = upgrade(Settings(data_dir=tmp_path / "data"))
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def hearing_id(sessions: sessionmaker[Session], tmp_path: Path) -> int:
    with sessions() as session:
        court = Court(name="测试法院")
        session.add(court)
        session.flush()
        case = Case(court_id=court.id, case_number="1", cause_of_action="借贷", created_at=AT)
        staff = StaffUser(
            court_id=court.id,
            username="clerk",
            display_name="clerk",
            role=StaffRole.CLERK,
            password_hash="x",
            active=True,
        )
        session.add_all([case, staff])
        session.flush()
        hearing = Hearing(
            case_id=case.id,
            scheduled_at=AT,
            duration_minutes=30,
            place="1",
            status=HearingStatus.CLOSED,
            version=1,
            language="en",
        )
        session.add(hearing)
        session.commit()
        hearing_id = hearing.id
    journal = RecordingJournal(store(tmp_path), hearing_id, "participant-1")
    journal.write(np.zeros(3 * 16_000, dtype=np.float32), AT)
    journal.close()
    finalize_hearing(store(tmp_path), hearing_id)
    return hearing_id


def store(tmp_path: Path) -> LocalDirStore:
    return LocalDirStore(tmp_path / "data" / "recordings")


def add_job(sessions: sessionmaker[Session], hearing_id: int, model: str, state: str) -> int:
    with sessions() as session:
        job = RetranscriptionJob(
            hearing_id=hearing_id,
            model=model,
            language="en",
            requested_by=1,
            state=RetranscriptionState(state),
            progress=0.3,
            created_at=AT,
        )
        session.add(job)
        session.commit()
        return job.id


def worker_for(
    sessions: sessionmaker[Session], tmp_path: Path, engine: ScriptedEngine
) -> RetranscriptionWorker:
    def load(model: str) -> Engine:
        raise ModelError(f"no model {model!r} here")

    worker = RetranscriptionWorker(
        sessions, store(tmp_path), loader=load, clock=lambda: AT, progress_interval_s=0.0
    )
    worker.inject_engine("scripted", cast(Engine, engine))
    return worker


def test_a_job_left_running_by_a_crash_runs_again_and_a_bad_model_fails_alone(
    sessions: sessionmaker[Session], hearing_id: int, tmp_path: Path
) -> None:
    crashed = add_job(sessions, hearing_id, "scripted", "running")
    broken = add_job(sessions, hearing_id, "missing", "queued")
    engine = ScriptedEngine()
    worker = worker_for(sessions, tmp_path, engine)
    worker.start()
    try:
        assert worker.wait_for(crashed, WAIT_S) is RetranscriptionState.DONE
        assert worker.wait_for(broken, WAIT_S) is RetranscriptionState.FAILED
    finally:
        worker.stop()
    with sessions() as session:
        done = session.get(RetranscriptionJob, crashed)
        failed = session.get(RetranscriptionJob, broken)
        assert done is not None and failed is not None
        assert done.progress == 1.0 and done.started_at is not None
        assert failed.error is not None and "no model 'missing'" in failed.error
        proposals = session.scalars(select(TranscriptSuggestion)).all()
    # No transcript at all: everything heard is speech the transcript missed (one group).
    assert [(p.segment_id, p.proposed_text) for p in proposals] == [(None, "hello again")]
    assert engine.calls == 1


def test_a_cancelled_job_stops_at_its_next_progress_report_and_proposes_nothing(
    sessions: sessionmaker[Session], hearing_id: int, tmp_path: Path
) -> None:
    job_id = add_job(sessions, hearing_id, "scripted", "queued")
    engine = ScriptedEngine(hold=True)
    worker = worker_for(sessions, tmp_path, engine)
    worker.start()
    try:
        assert engine.first_sent.wait(WAIT_S)
        with sessions() as session:
            job = session.get(RetranscriptionJob, job_id)
            assert job is not None and job.state is RetranscriptionState.RUNNING
            assert 0.0 < job.progress < 1.0  # the first segment's report is stored
            cancel_job(session, job, Actor("staff", 1), AT)
        engine.gate.set()
        assert worker.wait_for(job_id, WAIT_S) is RetranscriptionState.CANCELLED
    finally:
        worker.stop()
    with sessions() as session:
        assert session.scalars(select(TranscriptSuggestion)).all() == []


def test_stopping_mid_job_leaves_it_running_for_the_next_start(
    sessions: sessionmaker[Session], hearing_id: int, tmp_path: Path
) -> None:
    job_id = add_job(sessions, hearing_id, "scripted", "queued")
    engine = ScriptedEngine(hold=True)
    worker = worker_for(sessions, tmp_path, engine)
    worker.start()
    assert engine.first_sent.wait(WAIT_S)
    worker.request_stop()
    engine.gate.set()  # the next progress report sees the request
    worker.stop()
    with sessions() as session:
        job = session.get(RetranscriptionJob, job_id)
        assert job is not None and job.state is RetranscriptionState.RUNNING


def test_two_workers_share_the_queue_and_run_each_job_once(
    sessions: sessionmaker[Session], hearing_id: int, tmp_path: Path
) -> None:
    """Two server processes' workers (here two in one process, each with its own owner) take
    jobs from the platform's durable queue: every job runs, none twice."""
    jobs = [add_job(sessions, hearing_id, "scripted", "queued") for _ in range(4)]
    engine = ScriptedEngine()
    workers = [worker_for(sessions, tmp_path, engine) for _ in range(2)]
    assert workers[0].owner != workers[1].owner
    for worker in workers:
        worker.start()
    try:
        deadline = time.monotonic() + WAIT_S
        pending = set(jobs)
        while pending and time.monotonic() < deadline:
            for worker in workers:  # each wait returns as soon as that worker ends the job
                pending -= {j for j in pending if worker.wait_for(j, 0.2) is not None}
        assert not pending, f"jobs {sorted(pending)} never ended"
        with sessions() as session:
            states = {session.get(RetranscriptionJob, j).state for j in jobs}  # type: ignore[union-attr]
        assert states == {RetranscriptionState.DONE}
    finally:
        for worker in workers:
            worker.stop()
    assert engine.calls == len(jobs)
