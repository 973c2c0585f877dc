"""Retry back-off of durable jobs (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

__all__ = ["RetryPolicy"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempt ``n`` (1-based) that fails with a retryable error runs again after
    ``base_seconds * 2 ** (n - 1)`` seconds, at most ``max_seconds``; after ``max_attempts``
    attempts the job is dead."""

    max_attempts: int = 5
    base_seconds: int = 30
    max_seconds: int = 3600

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_seconds < 0 or self.max_seconds < 0:
            raise ValueError("max_attempts must be at least 1 and the delays not negative")

    def delay_after(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt."""
        seconds = self.base_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.max_seconds))
