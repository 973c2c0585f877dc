"""When a consumer tries a failed event again, and when it gives up (pure).

A consumer whose handler fails on an event waits ``base * 2 ** (attempts - 1)``, at most ``cap``,
before the next attempt (30 s, 1 min, 2 min … 10 min with the defaults), and parks the event as
dead after ``max_attempts`` failed attempts (8: about 35 minutes after the first failure). The
same shape as the job queue's :class:`~tingshen_platform.jobs.RetryPolicy`, in ``timedelta``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_RETRY_BASE",
    "DEFAULT_RETRY_CAP",
    "RetryBudget",
    "retry_delay",
]

DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_RETRY_BASE = timedelta(seconds=30)
DEFAULT_RETRY_CAP = timedelta(minutes=10)

_MICROSECOND = timedelta(microseconds=1)
# 2 ** 40 times even one microsecond is 12 days: past any sensible cap, and no huge integers.
_MAX_DOUBLINGS = 40


def retry_delay(attempts: int, *, base: timedelta, cap: timedelta) -> timedelta:
    """The wait after the ``attempts``-th failed attempt (1-based): ``base`` doubled for each
    earlier failure, at most ``cap``."""
    doublings = min(max(attempts - 1, 0), _MAX_DOUBLINGS)
    microseconds = (base // _MICROSECOND) << doublings
    return min(timedelta(microseconds=microseconds), cap)


@dataclass(frozen=True, slots=True)
class RetryBudget:
    """How often, and how far apart, a consumer tries one event before it parks it as dead."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    base: timedelta = DEFAULT_RETRY_BASE
    cap: timedelta = DEFAULT_RETRY_CAP

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base < timedelta(0) or self.cap < timedelta(0):
            raise ValueError("the retry delays must not be negative")

    def exhausted(self, attempts: int) -> bool:
        """After this many failed attempts, the event is parked as dead."""
        return attempts >= self.max_attempts

    def delay_after(self, attempts: int) -> timedelta:
        return retry_delay(attempts, base=self.base, cap=self.cap)
