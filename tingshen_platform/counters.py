"""Attempt counters per fixed time window, shared by every process (``platform_counters``).

What a rate limit needs across server processes: "at most ``limit`` login attempts per account
per 15 minutes", whichever process takes the attempt. :meth:`Counters.hit` counts one attempt
in one statement, an upsert that adds one only while the window has room::

    INSERT … VALUES (key, window_start, 1)
    ON CONFLICT (key, window_start) DO UPDATE SET count = count + 1 WHERE count < budget
    RETURNING count

A row back means the attempt is allowed and counted; no row means it is refused. On SQLite
(one writer at a time) and PostgreSQL (the conflicting upsert waits for the other's row and
re-checks) concurrent hits are counted exactly: 400 racing hits with a limit of 100 let exactly
100 through. Refused attempts are not counted, so a client that keeps trying gets ``limit``
attempts per window, not none forever.

**Windows** are fixed, aligned to the Unix epoch (a 15-minute window starts at :00, :15, …).
A fixed window alone lets ``2 × limit`` through around a boundary (``limit`` at its end,
``limit`` again at the next one's start). With ``sliding=True`` (the default) the previous
window still weighs on the current one in proportion to how much of it a sliding window would
cover (the approximation Cloudflare describes for its rate limits)::

    budget = limit - ⌊previous_count × (1 - elapsed / window)⌋

so at any moment roughly ``limit`` attempts per ``window`` pass. The previous window's count is
read before the upsert, in its own statement: it no longer changes (but for a process whose clock
lags), so reading it apart costs no accuracy and keeps SQLite's transaction a pure write.

Rows of old windows stay until :meth:`Counters.purge` removes them (a periodic job).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from tingshen_platform.schema import counters

__all__ = ["Counters", "sliding_budget", "window_start"]

Clock = Callable[[], datetime]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def window_start(now: datetime, window: timedelta) -> datetime:
    """The start of the fixed window holding ``now`` (windows aligned to the Unix epoch)."""
    if window <= timedelta(0):
        raise ValueError("a counter's window must be positive")
    return _EPOCH + ((now.astimezone(UTC) - _EPOCH) // window) * window


def sliding_budget(limit: int, previous: int, elapsed: timedelta, window: timedelta) -> int:
    """How many attempts the current window may still count in all (pure)."""
    weight = 1 - elapsed / window
    return limit - math.floor(previous * weight)


class Counters:
    def __init__(self, engine: Engine, *, clock: Clock = lambda: datetime.now(UTC)) -> None:
        self._engine = engine
        self._clock = clock

    def hit(self, key: str, limit: int, window: timedelta, *, sliding: bool = True) -> bool:
        """Count one attempt of ``key``; False (and not counted) when the limit is reached."""
        now = self._clock().astimezone(UTC)
        start = window_start(now, window)
        budget = limit
        if sliding:
            budget = sliding_budget(limit, self._count(key, start - window), now - start, window)
        if budget <= 0:
            return False
        with self._engine.begin() as connection:
            dialect = connection.dialect.name
            insert = (
                postgresql.insert(counters) if dialect == "postgresql" else sqlite.insert(counters)
            )
            row = connection.execute(
                insert.values(key=key, window_start=start, count=1)
                .on_conflict_do_update(
                    index_elements=[counters.c.key, counters.c.window_start],
                    set_={"count": counters.c.count + 1},
                    where=counters.c.count < budget,
                )
                .returning(counters.c.count)
            ).one_or_none()
        return row is not None

    def count(self, key: str, window: timedelta) -> int:
        """Attempts of ``key`` counted in the current fixed window."""
        return self._count(key, window_start(self._clock(), window))

    def _count(self, key: str, start: datetime) -> int:
        with self._engine.connect() as connection:
            value = connection.execute(
                select(counters.c.count).where(
                    counters.c.key == key, counters.c.window_start == start
                )
            ).scalar_one_or_none()
        return int(value or 0)

    def reset(self, key: str) -> None:
        """Forget every attempt of ``key`` (a successful login clears its failures)."""
        with self._engine.begin() as connection:
            connection.execute(delete(counters).where(counters.c.key == key))

    def purge(self, older_than: datetime) -> int:
        """Remove the windows that started before ``older_than``; returns how many rows went.
        Keep at least two windows' worth: the sliding budget reads the previous window."""
        with self._engine.begin() as connection:
            result = connection.execute(
                delete(counters).where(counters.c.window_start < older_than.astimezone(UTC))
            )
        return int(result.rowcount)
