"""CaptureClock: audio placed by the sender's RTP clock, anchored on the least delay seen."""

from __future__ import annotations

import itertools

import pytest

from hearing_server.rtc.capture_clock import CaptureClock

FRAME = 960  # 20 ms at 48 kHz


def _feed(clock: CaptureClock, frames: list[tuple[int, float]]) -> list[float]:
    return [clock.capture_end(ts, FRAME, arrival) for ts, arrival in frames]


def test_a_stall_and_its_burst_stay_contiguous() -> None:
    clock = CaptureClock()
    base = 1_000_000
    # 50 frames on time (delay 30 ms), then the receiver stalls 700 ms: the next 35 frames
    # arrive together at one instant, then on time again.
    frames = [(base + i * FRAME, 0.030 + (i + 1) * 0.020) for i in range(50)]
    stall_end = 0.030 + 51 * 0.020 + 0.700
    frames += [(base + i * FRAME, stall_end) for i in range(50, 85)]
    frames += [(base + i * FRAME, 0.030 + (i + 1) * 0.020) for i in range(85, 120)]
    ends = _feed(clock, frames)
    steps = [b - a for a, b in itertools.pairwise(ends)]
    assert all(step == pytest.approx(0.020, abs=1e-9) for step in steps)
    assert ends[0] == pytest.approx(0.050)  # the capture end plus the least delay (30 ms)


def test_a_lost_packet_is_a_hole_of_its_length() -> None:
    clock = CaptureClock()
    frames = [(i * FRAME, 0.010 + (i + 1) * 0.020) for i in range(10)]
    frames += [(i * FRAME, 0.010 + (i + 1) * 0.020) for i in range(13, 20)]  # 3 frames lost
    ends = _feed(clock, frames)
    assert ends[10] - ends[9] == pytest.approx(4 * 0.020)


def test_timestamps_unwrap_at_32_bits() -> None:
    clock = CaptureClock()
    start = (1 << 32) - 3 * FRAME
    frames = [((start + i * FRAME) % (1 << 32), 5.0 + (i + 1) * 0.020) for i in range(6)]
    ends = _feed(clock, frames)
    assert [round(b - a, 6) for a, b in itertools.pairwise(ends)] == [0.02] * 5


def test_a_restarted_stream_is_anchored_again_on_its_arrival() -> None:
    clock = CaptureClock(reset_s=10.0)
    first = _feed(clock, [(i * FRAME, 1.0 + i * 0.02) for i in range(5)])
    later = clock.capture_end(123_456_789, FRAME, 100.0)  # a jump of ~43 min of media time
    assert clock.resets == 1
    assert later == pytest.approx(100.0)  # no earlier delay to go by: the arrival itself
    assert first[-1] < later


def test_the_estimate_follows_a_fast_sender_clock() -> None:
    # The sender's clock runs 200 ppm fast: its timestamps advance 1.0002 s per real second.
    clock = CaptureClock()
    ends = [
        clock.capture_end(round(i * FRAME * 1.0002), FRAME, 0.030 + (i + 1) * 0.020)
        for i in range(3000)
    ]  # 60 s
    # The stamp of the last frame is within a frame of its true capture end + least delay.
    assert ends[-1] == pytest.approx(0.030 + 3000 * 0.020, abs=0.02)


def test_stamps_are_never_later_than_arrival() -> None:
    clock = CaptureClock()
    arrivals = [0.5, 0.52, 0.9, 0.91, 0.92, 1.5]
    for i, arrival in enumerate(arrivals):
        assert clock.capture_end(i * FRAME, FRAME, arrival) <= arrival + 1e-12


def test_rejects_a_nonsense_rate() -> None:
    with pytest.raises(ValueError):
        CaptureClock(0)


def test_a_slow_sender_clock_is_followed_slowly() -> None:
    # 200 ppm slow: its timestamps advance 0.9998 s per real second; over 120 s the least offset
    # rises by 24 ms. The estimate follows (rising at most 1 ms per second of media).
    clock = CaptureClock(window_s=10.0)
    ends = [
        clock.capture_end(round(i * FRAME * 0.9998), FRAME, 0.030 + (i + 1) * 0.020)
        for i in range(6000)
    ]
    assert ends[-1] == pytest.approx(0.030 + 6000 * 0.020, abs=0.004)
    steps = [b - a for a, b in itertools.pairwise(ends)]
    assert max(steps) < 0.020 + 0.001


def test_a_server_behind_for_a_minute_moves_stamps_by_at_most_a_ms_a_second() -> None:
    clock = CaptureClock(window_s=10.0)
    ends = [clock.capture_end(i * FRAME, FRAME, 0.010 + (i + 1) * 0.020) for i in range(500)]
    # Then every frame arrives 0.5 s late for 60 s (a backlog that never clears).
    ends += [clock.capture_end(i * FRAME, FRAME, 0.510 + (i + 1) * 0.020) for i in range(500, 3500)]
    drift = ends[-1] - (0.010 + 3500 * 0.020)
    assert 0.0 < drift <= 0.060 + 1e-9
    steps = [b - a for a, b in itertools.pairwise(ends)]
    assert max(steps) <= 0.020 + 0.020 * 0.001 + 1e-9
