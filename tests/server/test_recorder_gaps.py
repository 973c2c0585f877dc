"""``HearingRecorder`` reports every gap it logs (to put it into the transcript), with the same
times the recording journal keeps: a mute when it ends, a restart gap when audio comes back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from hearing_server.live import recorder as recorder_module
from hearing_server.live.recorder import HearingRecorder, RecordedGap
from recordings import LocalDirStore, read_track_index

START = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
KEY = "participant-1"


class SteppedMonotonic:
    """The recorder's monotonic clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def mono(monkeypatch: pytest.MonkeyPatch) -> SteppedMonotonic:
    fake = SteppedMonotonic()
    monkeypatch.setattr(recorder_module, "monotonic", fake)
    return fake


def _recorder(store: LocalDirStore, at: datetime) -> tuple[HearingRecorder, list[RecordedGap]]:
    reported: list[RecordedGap] = []
    recorder = HearingRecorder(store, 7, lambda: at)
    recorder.on_gap = reported.append
    return recorder, reported


def _second() -> np.typing.NDArray[np.float32]:
    return np.full(16_000, 0.1, dtype=np.float32)


async def test_a_mute_is_reported_when_it_ends_with_the_journal_s_times(
    tmp_path: Path, mono: SteppedMonotonic
) -> None:
    store = LocalDirStore(tmp_path)
    recorder, reported = _recorder(store, START)
    recorder.feed(KEY, _second())
    recorder.pause(KEY, "mute")
    mono.now += 35.0
    assert reported == []  # still muted: nothing to report yet
    recorder.resume(KEY)
    assert reported == [RecordedGap(KEY, START, START + timedelta(seconds=35), "mute")]
    recorder.resume(KEY)  # not paused: no second gap
    recorder.pause(KEY, "disconnect")
    mono.now += 2.0
    await recorder.close()  # closing ends the open gap
    assert [g.reason for g in reported] == ["mute", "disconnect"]
    index = read_track_index(store, 7, KEY)
    assert [(g.start_utc, g.end_utc, g.reason) for g in index.gaps] == [
        (g.start_utc, g.end_utc, g.reason) for g in reported
    ]


async def test_a_restart_gap_is_reported_when_the_speaker_s_audio_is_back(
    tmp_path: Path, mono: SteppedMonotonic
) -> None:
    store = LocalDirStore(tmp_path)
    before, _ = _recorder(store, START)
    before.feed(KEY, _second())  # one durable second, ending at START
    await before.close()
    restarted_at = START + timedelta(minutes=2)
    after, reported = _recorder(store, restarted_at)
    assert reported == []  # the speaker is not back yet
    after.feed(KEY, _second())
    assert reported == [RecordedGap(KEY, START, restarted_at, "restart")]
    after.feed(KEY, _second())
    assert len(reported) == 1
    await after.close()
    assert [g.reason for g in read_track_index(store, 7, KEY).gaps] == ["restart"]


async def test_a_failing_listener_does_not_stop_the_recording(
    tmp_path: Path, mono: SteppedMonotonic
) -> None:
    store = LocalDirStore(tmp_path)
    recorder = HearingRecorder(store, 7, lambda: START)

    def broken(gap: RecordedGap) -> None:
        raise RuntimeError("listener down")

    recorder.on_gap = broken
    recorder.pause(KEY, "left")
    mono.now += 5.0
    recorder.resume(KEY)
    recorder.feed(KEY, _second())
    await recorder.close()
    index = read_track_index(store, 7, KEY)
    assert [g.reason for g in index.gaps] == ["left"] and index.closed
