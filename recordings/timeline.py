"""Pure time/sample arithmetic on a hearing's timeline.

The timeline's origin is the UTC wall-clock time of the hearing's first recorded sample (over all
tracks). A position on the timeline is an integer sample offset at ``sample_rate_hz`` or an integer
millisecond offset; UTC instants are timezone-aware :class:`datetime.datetime` values. Arithmetic is
done in integer microseconds, so no float rounding creeps in over hours.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = [
    "format_utc",
    "ms_to_samples",
    "parse_utc",
    "sample_to_utc",
    "samples_to_ms",
    "utc_to_ms",
    "utc_to_sample",
]

_US_PER_S = 1_000_000


def _require_aware(t: datetime) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"naive datetime {t!r}: recordings use timezone-aware UTC times")


def _us_between(origin_utc: datetime, t_utc: datetime) -> int:
    _require_aware(origin_utc)
    _require_aware(t_utc)
    return (t_utc - origin_utc) // timedelta(microseconds=1)


def utc_to_sample(origin_utc: datetime, t_utc: datetime, sample_rate_hz: int) -> int:
    """Sample offset of ``t_utc`` on the timeline starting at ``origin_utc`` (rounded)."""
    us = _us_between(origin_utc, t_utc)
    return (us * sample_rate_hz * 2 + _US_PER_S) // (2 * _US_PER_S)


def sample_to_utc(origin_utc: datetime, sample: int, sample_rate_hz: int) -> datetime:
    """UTC instant of sample offset ``sample`` (to the microsecond, rounded to nearest)."""
    _require_aware(origin_utc)
    us = (sample * _US_PER_S * 2 + sample_rate_hz) // (2 * sample_rate_hz)
    return origin_utc + timedelta(microseconds=us)


def utc_to_ms(origin_utc: datetime, t_utc: datetime) -> int:
    """Milliseconds from ``origin_utc`` to ``t_utc`` (rounded to nearest)."""
    us = _us_between(origin_utc, t_utc)
    return (us * 2 + 1000) // 2000


def ms_to_samples(ms: int, sample_rate_hz: int) -> int:
    """Number of samples in ``ms`` milliseconds (rounded to nearest)."""
    return (ms * sample_rate_hz * 2 + 1000) // 2000


def samples_to_ms(samples: int, sample_rate_hz: int) -> int:
    """Duration of ``samples`` samples in milliseconds (rounded to nearest)."""
    return (samples * 1000 * 2 + sample_rate_hz) // (2 * sample_rate_hz)


def format_utc(t: datetime) -> str:
    """ISO 8601 with microseconds and a ``Z`` suffix: the form written to indexes and manifests."""
    _require_aware(t)
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(text: str) -> datetime:
    """Inverse of :func:`format_utc` (also accepts any aware ISO 8601 string)."""
    t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    _require_aware(t)
    return t.astimezone(UTC)
