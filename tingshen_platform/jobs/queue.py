"""``JobQueue``: durable work in the service's own database (SQLite or PostgreSQL).

Why not a library: the well-kept job queues serve one of the two databases only (procrastinate
and pgqueuer need PostgreSQL, huey and rq need Redis or keep SQLite jobs without leases), and the
embedded SQLite default must work with nothing else running. One small implementation on
SQLAlchemy Core serves both; every state change is a single conditional ``UPDATE``, so two
workers (threads or processes, on one machine or several) never hold the same job.

A job's life::

    enqueue ─► queued ──claim──► running ──complete──► done
                 ▲                  │ fail (retryable, attempts left): back to queued after
                 │                  │   the back-off (``RetryPolicy``)
                 │                  │ fail (permanent, or the last attempt) ─► dead
                 │                  │ lease runs out (the worker died): claimable again,
                 │                  │   counted as an attempt (dead after the last one)
                 └── retry_dead (an operator) ◄── dead

* **Idempotency keys**: enqueueing a key that the queue already holds returns the existing job.
  The key goes to the handler, so a side effect (an SMS) can carry it to a provider that drops
  duplicates: a job retried after its worker died mid-send has its effect once.
* **Leases**: ``claim`` takes a job for ``lease`` (the owner's name and an expiry); ``extend``
  renews it while the handler runs; ``complete`` and ``fail`` succeed only for the owner whose
  lease is still current (else :class:`LeaseLostError`: another worker took the job over).
* Enqueueing may join the caller's transaction (pass its connection): the job exists exactly
  when the change that asked for it committed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tingshen_platform.jobs.policy import RetryPolicy
from tingshen_platform.schema import jobs

__all__ = ["Job", "JobQueue", "LeaseLostError"]

Clock = Callable[[], datetime]
_ERROR_CHARS = 2000
# Candidates read per claim: more than one, so that racing workers rarely collide on the first.
_CANDIDATES = 8


class LeaseLostError(RuntimeError):
    """The job is no longer this worker's: its lease ran out and another worker took it."""


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    queue: str
    idempotency_key: str | None
    payload: dict[str, Any]
    attempts: int
    """Attempts so far, this one included (1 on the first run)."""
    max_attempts: int
    lease_owner: str | None
    state: str
    last_error: str | None


def _utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes: they were stored as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _job(row: Any) -> Job:
    return Job(
        id=int(row.id),
        queue=str(row.queue),
        idempotency_key=row.idempotency_key,
        payload=dict(row.payload or {}),
        attempts=int(row.attempts),
        max_attempts=int(row.max_attempts),
        lease_owner=row.lease_owner,
        state=str(row.state),
        last_error=row.last_error,
    )


class JobQueue:
    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock = lambda: datetime.now(UTC),
        policy: RetryPolicy | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self.policy = policy or RetryPolicy()

    # -- producers -----------------------------------------------------------------------------

    def enqueue(
        self,
        queue: str,
        payload: dict[str, Any],
        *,
        key: str | None = None,
        run_after: datetime | None = None,
        max_attempts: int | None = None,
        connection: Connection | None = None,
    ) -> int:
        """Add a job (or find the one with the same ``key``); returns its id. With
        ``connection`` the job is written in the caller's transaction."""
        if connection is None:
            with self._engine.begin() as own:
                return self.enqueue(
                    queue,
                    payload,
                    key=key,
                    run_after=run_after,
                    max_attempts=max_attempts,
                    connection=own,
                )
        now = self._clock()
        values = {
            "queue": queue,
            "idempotency_key": key,
            "payload": payload,
            "state": "queued",
            "attempts": 0,
            "max_attempts": max_attempts or self.policy.max_attempts,
            "run_after": run_after or now,
            "created_at": now,
            "updated_at": now,
        }
        if key is None:
            result = connection.execute(insert(jobs).values(**values).returning(jobs.c.id))
            return int(result.scalar_one())
        dialect = connection.dialect.name
        upsert = postgresql.insert(jobs) if dialect == "postgresql" else sqlite.insert(jobs)
        connection.execute(
            upsert.values(**values).on_conflict_do_nothing(
                index_elements=[jobs.c.queue, jobs.c.idempotency_key]
            )
        )
        found = connection.execute(
            select(jobs.c.id).where(jobs.c.queue == queue, jobs.c.idempotency_key == key)
        )
        return int(found.scalar_one())

    # -- workers -------------------------------------------------------------------------------

    def claim(self, queues: Sequence[str], owner: str, *, lease: timedelta) -> Job | None:
        """Take the next due job of ``queues`` for ``lease``; None when nothing is due. A job
        whose lease ran out is due again (its worker died), or dead after its last attempt."""
        now = self._clock()
        due = or_(
            and_(jobs.c.state == "queued", jobs.c.run_after <= now),
            and_(jobs.c.state == "running", jobs.c.lease_until < now),
        )
        with self._engine.begin() as connection:
            candidates = connection.execute(
                select(jobs.c.id, jobs.c.state, jobs.c.attempts, jobs.c.max_attempts)
                .where(jobs.c.queue.in_(list(queues)), due)
                .order_by(jobs.c.run_after, jobs.c.id)
                .limit(_CANDIDATES)
            ).all()
        for candidate in candidates:
            expired = candidate.state == "running"
            if expired and candidate.attempts >= candidate.max_attempts:
                self._bury_expired(candidate.id, now)
                continue
            with self._engine.begin() as connection:
                taken = connection.execute(
                    update(jobs)
                    .where(jobs.c.id == candidate.id, due)
                    .values(
                        state="running",
                        attempts=jobs.c.attempts + 1,
                        lease_owner=owner,
                        lease_until=now + lease,
                        updated_at=now,
                    )
                )
                if taken.rowcount == 1:
                    row = connection.execute(select(jobs).where(jobs.c.id == candidate.id)).one()
                    return _job(row)
        return None

    def _bury_expired(self, job_id: int, now: datetime) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(jobs)
                .where(
                    jobs.c.id == job_id,
                    jobs.c.state == "running",
                    jobs.c.lease_until < now,
                    jobs.c.attempts >= jobs.c.max_attempts,
                )
                .values(
                    state="dead",
                    last_error="the worker stopped during the last attempt (lease expired)",
                    lease_owner=None,
                    lease_until=None,
                    updated_at=now,
                    finished_at=now,
                )
            )

    def extend(self, job: Job, owner: str, *, lease: timedelta) -> None:
        """Renew the lease of a job this worker holds (a long handler's heartbeat)."""
        now = self._clock()
        self._owned_update(job, owner, lease_until=now + lease, updated_at=now)

    def complete(self, job: Job, owner: str) -> None:
        now = self._clock()
        self._owned_update(
            job,
            owner,
            state="done",
            lease_owner=None,
            lease_until=None,
            last_error=None,
            updated_at=now,
            finished_at=now,
        )

    def fail(self, job: Job, owner: str, error: str, *, permanent: bool = False) -> str:
        """Record a failed attempt; returns the job's new state (``queued`` or ``dead``)."""
        now = self._clock()
        message = error[:_ERROR_CHARS]
        if permanent or job.attempts >= job.max_attempts:
            self._owned_update(
                job,
                owner,
                state="dead",
                lease_owner=None,
                lease_until=None,
                last_error=message,
                updated_at=now,
                finished_at=now,
            )
            return "dead"
        self._owned_update(
            job,
            owner,
            state="queued",
            run_after=now + self.policy.delay_after(job.attempts),
            lease_owner=None,
            lease_until=None,
            last_error=message,
            updated_at=now,
        )
        return "queued"

    def release(self, job: Job, owner: str) -> None:
        """Give a job back unfinished (the worker is shutting down): due again at once, and the
        attempt does not count."""
        now = self._clock()
        self._owned_update(
            job,
            owner,
            state="queued",
            attempts=jobs.c.attempts - 1,
            run_after=now,
            lease_owner=None,
            lease_until=None,
            updated_at=now,
        )

    def _owned_update(self, job: Job, owner: str, **values: Any) -> None:
        now = self._clock()
        with self._engine.begin() as connection:
            result = connection.execute(
                update(jobs)
                .where(
                    jobs.c.id == job.id,
                    jobs.c.state == "running",
                    jobs.c.lease_owner == owner,
                    jobs.c.attempts == job.attempts,
                    jobs.c.lease_until >= now,
                )
                .values(**values)
            )
            if result.rowcount != 1:
                raise LeaseLostError(f"job {job.id} is no longer held by {owner}")

    # -- operators -----------------------------------------------------------------------------

    def get(self, job_id: int) -> Job | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(jobs).where(jobs.c.id == job_id)).one_or_none()
        return _job(row) if row is not None else None

    def dead(self, queue: str | None = None, *, limit: int = 100) -> list[Job]:
        """Dead jobs, newest first: what an operator looks at."""
        query = select(jobs).where(jobs.c.state == "dead")
        if queue is not None:
            query = query.where(jobs.c.queue == queue)
        with self._engine.connect() as connection:
            rows = connection.execute(
                query.order_by(jobs.c.finished_at.desc(), jobs.c.id.desc()).limit(limit)
            ).all()
        return [_job(r) for r in rows]

    def retry_dead(self, job_id: int) -> bool:
        """An operator sends a dead job round again (attempts start over); False if it is not
        dead."""
        return self._restart(job_id, ("dead",))

    def restart(self, job_id: int) -> bool:
        """Run a dead or waiting job now with a fresh attempt budget (an operator's "retry now");
        False if it is running or done."""
        return self._restart(job_id, ("dead", "queued"))

    def _restart(self, job_id: int, states: tuple[str, ...]) -> bool:
        now = self._clock()
        with self._engine.begin() as connection:
            result = connection.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.state.in_(states))
                .values(
                    state="queued",
                    attempts=0,
                    run_after=now,
                    last_error=None,
                    updated_at=now,
                    finished_at=None,
                )
            )
        return result.rowcount == 1

    def lease_expires_at(self, job_id: int) -> datetime | None:
        with self._engine.connect() as connection:
            value = connection.execute(
                select(jobs.c.lease_until).where(jobs.c.id == job_id)
            ).scalar_one_or_none()
        return _utc(value) if value is not None else None
