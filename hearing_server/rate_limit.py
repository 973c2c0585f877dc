"""In-process request limits for cheap-to-ask, costly-to-answer public endpoints (``POST /tsa``).

- :class:`TokenBuckets`: per client address, a token bucket of ``burst`` tokens refilled at
  ``rate_per_s``; a request takes one token or is told how long until one is there (the
  ``Retry-After`` of its 429). Buckets of quiet clients are dropped oldest-first beyond
  ``max_clients``, so a scan from many addresses cannot grow memory without bound (a dropped
  client starts again with a full bucket, which costs at most one more burst).
- :class:`ConcurrencyGate`: at most ``limit`` requests in progress; one more is refused at once
  (503 with ``Retry-After``) rather than queued, so a flood never builds a backlog.

Why in memory and not the database counters of the login limit
(:class:`~hearing_server.security.LoginRateLimiter`): a login attempt is rare and must be counted
across the processes of a cluster, whereas a timestamp request is cheap to send and the limit
protects the process that answers it; a database write per request would itself be the load the
limit is there to keep out. In a cluster each process has its own buckets (so a client gets at
most ``processes × rate``).

The clock is passed in (``time.monotonic`` by default); both classes are used from the event loop
and also lock, so a worker thread may call them too.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hearing_server.settings import Settings

__all__ = ["ConcurrencyGate", "TokenBuckets", "TsaLimits"]

MonotonicClock = Callable[[], float]


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated_s: float


class TokenBuckets:
    def __init__(
        self,
        *,
        rate_per_s: float,
        burst: int,
        max_clients: int = 10_000,
        clock: MonotonicClock = time.monotonic,
    ) -> None:
        if rate_per_s <= 0 or burst < 1 or max_clients < 1:
            raise ValueError("a token bucket needs a positive rate, burst and client bound")
        self._rate = rate_per_s
        self._burst = burst
        self._max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0.0 when ``client`` may go ahead (a token taken); else the seconds until it may."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.pop(client, None)
            if bucket is None:
                bucket = _Bucket(float(self._burst), now)
            else:
                elapsed = max(0.0, now - bucket.updated_s)
                bucket.tokens = min(float(self._burst), bucket.tokens + elapsed * self._rate)
                bucket.updated_s = now
            self._buckets[client] = bucket  # most recently used last
            while len(self._buckets) > self._max_clients:
                self._buckets.popitem(last=False)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self._rate

    def retry_after_s(self, wait_s: float) -> int:
        """Whole seconds for a ``Retry-After`` header (at least 1)."""
        return max(1, math.ceil(wait_s))

    def __len__(self) -> int:
        return len(self._buckets)


class ConcurrencyGate:
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a concurrency gate needs a limit of at least 1")
        self._limit = limit
        self._active = 0
        self._lock = threading.Lock()

    @property
    def active(self) -> int:
        return self._active

    @contextmanager
    def enter(self) -> Iterator[bool]:
        """Yields True inside the limit (the slot is held until the block ends), else False."""
        with self._lock:
            admitted = self._active < self._limit
            if admitted:
                self._active += 1
        try:
            yield admitted
        finally:
            if admitted:
                with self._lock:
                    self._active -= 1


@dataclass(frozen=True, slots=True)
class TsaLimits:
    """``POST /tsa``'s limits (settings ``tsa_rate_per_minute``, ``tsa_burst``,
    ``tsa_max_concurrent``)."""

    per_client: TokenBuckets
    concurrency: ConcurrencyGate

    @classmethod
    def from_settings(cls, settings: Settings) -> TsaLimits:
        return cls(
            TokenBuckets(rate_per_s=settings.tsa_rate_per_minute / 60, burst=settings.tsa_burst),
            ConcurrencyGate(settings.tsa_max_concurrent),
        )
