from datetime import UTC, datetime, timedelta, timezone

import pytest

from recordings.timeline import (
    format_utc,
    ms_to_samples,
    parse_utc,
    sample_to_utc,
    samples_to_ms,
    utc_to_ms,
    utc_to_sample,
)

ORIGIN = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_utc_sample_round_trip_over_hours():
    for sample in (0, 1, 15_999, 16_000, 16_000 * 3600 * 5 + 7):
        t = sample_to_utc(ORIGIN, sample, 16_000)
        assert utc_to_sample(ORIGIN, t, 16_000) == sample


def test_known_values():
    assert utc_to_sample(ORIGIN, ORIGIN + timedelta(seconds=2.5), 16_000) == 40_000
    assert utc_to_ms(ORIGIN, ORIGIN + timedelta(hours=1, milliseconds=3)) == 3_600_003
    assert ms_to_samples(1000, 16_000) == 16_000
    assert samples_to_ms(24_000, 16_000) == 1500
    assert sample_to_utc(ORIGIN, 8, 16_000) == ORIGIN + timedelta(microseconds=500)
    assert utc_to_sample(ORIGIN, ORIGIN - timedelta(seconds=1), 16_000) == -16_000


def test_other_timezones_are_the_same_instant():
    cst = timezone(timedelta(hours=8))
    t = datetime(2026, 11, 28, 17, 0, 1, tzinfo=cst)
    assert utc_to_ms(ORIGIN, t) == 1000


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        utc_to_ms(ORIGIN, datetime(2026, 11, 28, 9, 0, 1))


def test_format_parse_round_trip():
    t = ORIGIN + timedelta(microseconds=123_456)
    text = format_utc(t)
    assert text == "2026-11-28T09:00:00.123456Z"
    assert parse_utc(text) == t
