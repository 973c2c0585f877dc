"""Cluster-wide named leases with fencing tokens (table ``platform_leases``).

    leases = Leases(engine)
    lease = leases.acquire("live-hearing-7", owner="p1", ttl=timedelta(seconds=6))
    lease = leases.renew(lease, ttl)        # None: lost (it ran out and another took it)
    leases.holder("live-hearing-7")         # who holds it now, and where to reach them
    leases.release(lease)
    async with ClusterLock(leases, "closing-7", owner="p1"):   # a lock across processes
        ...

One holder at a time: a lease is taken when it is free (no row) or ran out, or renewed by the
holder, each with one conditional statement that two processes cannot both win (PostgreSQL
re-checks the condition on the row it waited for; SQLite writes one at a time). The ``token``
grows by one whenever the holder changes, so a late write of an earlier holder can be refused
(fencing). Times come from the caller's clock: machines of one cluster keep time with NTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Engine, and_, case, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from tingshen_platform.schema import leases as table

__all__ = ["ClusterLock", "Lease", "LeaseBusyError", "Leases", "run_once_per_cluster"]

_logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Lease:
    name: str
    owner: str
    token: int
    expires_at: datetime
    address: str = ""
    """Where the holder can be reached (a node name the proxy routes by, a URL)."""


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time here is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class Leases:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] | None = None) -> None:
        self._engine = engine
        self._clock = clock or (lambda: datetime.now(UTC))

    def acquire(self, name: str, owner: str, ttl: timedelta, address: str = "") -> Lease | None:
        """Take the lease (free or run out) or renew it (already ours); None: someone else
        holds it."""
        now = self._clock()
        until = now + ttl
        taken = (
            update(table)
            .where(table.c.name == name, or_(table.c.owner == owner, table.c.expires_at <= now))
            .values(
                token=case((table.c.owner == owner, table.c.token), else_=table.c.token + 1),
                acquired_at=case((table.c.owner == owner, table.c.acquired_at), else_=now),
                owner=owner,
                expires_at=until,
                address=address,
            )
            .returning(table.c.token)
        )
        with self._engine.begin() as connection:
            token = connection.execute(taken).scalar()
        if token is not None:
            return Lease(name, owner, int(token), until, address)
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    insert(table).values(
                        name=name,
                        owner=owner,
                        token=1,
                        address=address,
                        acquired_at=now,
                        expires_at=until,
                    )
                )
        except IntegrityError:
            return None  # another process created it first and holds it
        return Lease(name, owner, 1, until, address)

    def renew(self, lease: Lease, ttl: timedelta) -> Lease | None:
        """Extend a lease still ours (same owner and token); None when it was lost."""
        until = self._clock() + ttl
        with self._engine.begin() as connection:
            done = connection.execute(
                update(table).where(_same(lease)).values(expires_at=until).returning(table.c.token)
            ).scalar()
        if done is None:
            return None
        return Lease(lease.name, lease.owner, lease.token, until, lease.address)

    def release(self, lease: Lease) -> None:
        """Give it up now (the token stays, so the next holder's is still larger)."""
        with self._engine.begin() as connection:
            connection.execute(update(table).where(_same(lease)).values(expires_at=self._clock()))

    def holder(self, name: str) -> Lease | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(table).where(table.c.name == name)).first()
        if row is None or _utc(row.expires_at) <= self._clock():
            return None
        return Lease(row.name, row.owner, int(row.token), _utc(row.expires_at), row.address)


def _same(lease: Lease) -> ColumnElement[bool]:
    return and_(
        table.c.name == lease.name, table.c.owner == lease.owner, table.c.token == lease.token
    )


class LeaseBusyError(TimeoutError):
    """Another process held the lease for longer than the caller would wait."""


class ClusterLock:
    """A lease held as a lock across processes: ``async with ClusterLock(leases, name, owner):``
    waits (polling every ``poll``) until the lease is free, keeps it renewed while the block
    runs, and releases it at the end. :class:`LeaseBusyError` after ``wait``. Not reentrant."""

    def __init__(
        self,
        leases: Leases,
        name: str,
        owner: str,
        *,
        ttl: timedelta = timedelta(seconds=30),
        wait: timedelta = timedelta(seconds=60),
        poll: timedelta = timedelta(milliseconds=100),
    ) -> None:
        self._leases, self._name, self._owner = leases, name, owner
        self._ttl, self._wait, self._poll = ttl, wait, poll
        self._lease: Lease | None = None
        self._keeper: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Lease:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._wait.total_seconds()
        while True:
            lease = await asyncio.to_thread(
                self._leases.acquire, self._name, self._owner, self._ttl
            )
            if lease is not None:
                break
            if loop.time() >= deadline:
                raise LeaseBusyError(f"{self._name}: held by another process")
            await asyncio.sleep(self._poll.total_seconds())
        self._lease = lease
        self._keeper = loop.create_task(self._keep(), name=f"lease-{self._name}")
        return lease

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(self._ttl.total_seconds() / 3)
            current = self._lease
            if current is None:
                return
            renewed = await asyncio.to_thread(self._leases.renew, current, self._ttl)
            if renewed is None:
                _logger.error("%s: lease lost while held", self._name)
                return
            self._lease = renewed

    async def __aexit__(self, *_exc: object) -> None:
        lease, self._lease = self._lease, None
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
        if lease is not None:
            await asyncio.to_thread(self._leases.release, lease)


async def run_once_per_cluster(
    leases: Leases | None,
    name: str,
    owner: str,
    work: Callable[[], object],
    *,
    ttl: timedelta = timedelta(seconds=60),
) -> bool:
    """Run blocking ``work`` (in a thread) unless another process of the cluster runs the same
    work right now (then skip it: False). Start-up recovery and periodic rounds, which must not
    run twice at once; ``leases`` None (one process): always run. ``work`` must be idempotent: a
    process starting later runs it again."""
    if leases is None:
        await asyncio.to_thread(work)
        return True
    try:
        lock = ClusterLock(leases, f"once-{name}", owner, ttl=ttl, wait=timedelta(0))
        await lock.__aenter__()
    except LeaseBusyError:
        return False
    try:
        await asyncio.to_thread(work)
    finally:
        await lock.__aexit__(None, None, None)
    return True
