"""Re-transcription jobs in the database: start, cancel, claim, progress, finish (one transaction
each, audited where a person or the system changes a job's state).

    job = start_job(session, hearing=h, staff=s, model="base", allowed=[...], recordings=r, now=t)
    mark_running(session, job_id, now)        # the worker (a platform job of queue retranscribe)
    report_progress(session, job_id, 0.4)     # False once the job was cancelled: stop
    finish_job(session, job_id, proposals, now)

A hearing has at most one job queued or running at a time (a second request is a conflict): the
court server has two cores and a live hearing to keep responsive, so jobs run one after another,
and one hearing's repeated clicks must not fill the queue. Which server process runs a job is the
platform's durable queue's business (``tingshen_platform.jobs``, queue ``retranscribe``, key
``retranscription-{id}``): a lease, so that two processes never run one job, and a process that
dies leaves the job to another once the lease runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from asr.errors import ModelError
from asr.models import ModelSpec, resolve_model
from hearing_server.audit import Actor, EntityRef, record
from hearing_server.errors import ConflictError, InvalidInputError, NotFoundError
from hearing_server.models import (
    Hearing,
    HearingStatus,
    RetranscriptionJob,
    RetranscriptionState,
    StaffUser,
    SuggestionState,
    TranscriptSuggestion,
)
from hearing_server.retranscribe.align import Proposal
from recordings import RecordingStore, read_manifest
from tingshen_platform.jobs import JobQueue

__all__ = [
    "ACTIVE_STATES",
    "QUEUE",
    "active_jobs",
    "cancel_job",
    "check_model",
    "enqueue",
    "fail_job",
    "finish_job",
    "job_for_hearing",
    "mark_running",
    "report_progress",
    "start_job",
]

ACTIVE_STATES = (RetranscriptionState.QUEUED, RetranscriptionState.RUNNING)
MAX_ERROR_CHARS = 2000
QUEUE = "retranscribe"
# A job whose worker died is taken over (its lease ran out) this many times at most.
MAX_ATTEMPTS = 3


def check_model(name: str, allowed: Sequence[str], language: str) -> ModelSpec:
    """The model, if this server allows it, has it locally, and it can hear ``language``."""
    if name not in allowed:
        raise InvalidInputError(f"model {name!r} is not offered on this server")
    try:
        spec = resolve_model(name, allow_download=False)
    except ModelError as exc:
        raise InvalidInputError(f"model {name!r} is not available here: {exc}") from exc
    if language != "en" and not spec.multilingual:
        raise InvalidInputError(
            f"model {name!r} is English-only; this hearing's language is {language!r}"
        )
    return spec


def job_for_hearing(session: Session, hearing_id: int, job_id: int) -> RetranscriptionJob:
    job = session.get(RetranscriptionJob, job_id)
    if job is None or job.hearing_id != hearing_id:
        raise NotFoundError(f"re-transcription job {job_id} not found")
    return job


def start_job(
    session: Session,
    *,
    hearing: Hearing,
    staff: StaffUser,
    model: str,
    allowed: Sequence[str],
    recordings: RecordingStore | None,
    now: datetime,
) -> RetranscriptionJob:
    """Queue a job for a closed hearing whose recording is finalised; commits."""
    if hearing.status is not HearingStatus.CLOSED:
        raise ConflictError("a recording is re-transcribed once the hearing is closed")
    final = read_manifest(recordings, hearing.id) if recordings is not None else None
    if final is None or recordings is None:
        raise ConflictError("this hearing has no finalised recording")
    if not final.tracks or not all(recordings.exists(t.key) for t in final.tracks):
        raise ConflictError("the recording's audio is no longer kept (retention period)")
    check_model(model, allowed, hearing.language)
    active = session.scalars(
        select(RetranscriptionJob.id).where(
            RetranscriptionJob.hearing_id == hearing.id,
            RetranscriptionJob.state.in_(ACTIVE_STATES),
        )
    ).first()
    if active is not None:
        raise ConflictError(f"re-transcription job {active} is already under way for this hearing")
    job = RetranscriptionJob(
        hearing_id=hearing.id,
        model=model,
        language=hearing.language,
        requested_by=staff.id,
        state=RetranscriptionState.QUEUED,
        progress=0.0,
        created_at=now,
    )
    session.add(job)
    session.flush()
    _audit(session, Actor("staff", staff.id), "retranscription.start", job, hearing, now)
    enqueue(session, job, now)
    session.commit()
    return job


def cancel_job(session: Session, job: RetranscriptionJob, actor: Actor, now: datetime) -> None:
    """Cancel a queued or running job (the worker notices at its next progress report)."""
    if job.state not in ACTIVE_STATES:
        raise ConflictError(f"the job is {job.state.value}; only a queued or running one stops")
    job.state = RetranscriptionState.CANCELLED
    job.finished_at = now
    hearing = session.get(Hearing, job.hearing_id)
    _audit(session, actor, "retranscription.cancel", job, hearing, now)
    session.commit()


def enqueue(session: Session, job: RetranscriptionJob, now: datetime) -> None:
    """The job's place on the platform's durable queue (in the caller's transaction; once per
    job, however often it is called): a worker in any server process takes it from there."""
    JobQueue(session.get_bind().engine, clock=lambda: now).enqueue(
        QUEUE,
        {"retranscription_id": job.id},
        key=f"retranscription-{job.id}",
        max_attempts=MAX_ATTEMPTS,
        connection=session.connection(),
    )


def active_jobs(session: Session) -> list[RetranscriptionJob]:
    return list(
        session.scalars(
            select(RetranscriptionJob)
            .where(RetranscriptionJob.state.in_(ACTIVE_STATES))
            .order_by(RetranscriptionJob.id)
        )
    )


def mark_running(session: Session, job_id: int, now: datetime) -> RetranscriptionJob | None:
    """A worker starts (or, after a crash, restarts from the beginning) the job; None when it
    was cancelled or has ended meanwhile; commits."""
    job = session.get(RetranscriptionJob, job_id)
    if job is None or job.state not in ACTIVE_STATES:
        return None
    job.state = RetranscriptionState.RUNNING
    job.started_at = now
    job.progress = 0.0
    session.commit()
    return job


def report_progress(session: Session, job_id: int, progress: float) -> bool:
    """Store progress; False when the job is no longer running (cancelled): the worker stops."""
    result = session.execute(
        update(RetranscriptionJob)
        .where(
            RetranscriptionJob.id == job_id,
            RetranscriptionJob.state == RetranscriptionState.RUNNING,
        )
        .values(progress=min(1.0, max(0.0, progress)))
    )
    session.commit()
    return bool(getattr(result, "rowcount", 0))


def _word_rows(proposal: Proposal) -> list[list[Any]]:
    return [[w.text, w.start_ms, w.end_ms, round(w.probability, 3)] for w in proposal.words]


def finish_job(session: Session, job_id: int, proposals: Sequence[Proposal], now: datetime) -> bool:
    """Store the suggestions and mark the job done, in one transaction; False (nothing stored)
    when it was cancelled meanwhile."""
    job = session.get(RetranscriptionJob, job_id, with_for_update=True)
    if job is None or job.state is not RetranscriptionState.RUNNING:
        session.rollback()
        return False
    session.add_all(
        TranscriptSuggestion(
            job_id=job.id,
            hearing_id=job.hearing_id,
            segment_id=p.segment_id,
            speaker_key=p.speaker_key,
            start_ms=p.start_ms,
            end_ms=p.end_ms,
            start_utc=p.start_utc,
            current_text=p.current_text,
            proposed_text=p.proposed_text,
            words=_word_rows(p),
            state=SuggestionState.PENDING,
            created_at=now,
        )
        for p in proposals
    )
    job.state = RetranscriptionState.DONE
    job.progress = 1.0
    job.finished_at = now
    hearing = session.get(Hearing, job.hearing_id)
    details = {"suggestions": len(proposals)}
    _audit(session, Actor.system(), "retranscription.done", job, hearing, now, details)
    session.commit()
    return True


def fail_job(session: Session, job_id: int, error: str, now: datetime) -> None:
    job = session.get(RetranscriptionJob, job_id)
    if job is None or job.state is not RetranscriptionState.RUNNING:
        return
    job.state = RetranscriptionState.FAILED
    job.error = error[:MAX_ERROR_CHARS]
    job.finished_at = now
    hearing = session.get(Hearing, job.hearing_id)
    _audit(session, Actor.system(), "retranscription.failed", job, hearing, now)
    session.commit()


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    job: RetranscriptionJob,
    hearing: Hearing | None,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> None:
    record(
        session,
        actor=actor,
        action=action,
        entity=EntityRef("retranscription_job", job.id),
        case_id=hearing.case_id if hearing is not None else None,
        details={"hearing_id": job.hearing_id, "model": job.model, **(extra or {})},
        at=now,
    )
