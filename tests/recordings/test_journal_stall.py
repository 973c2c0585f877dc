"""The H4 scenario end to end: stalls lose no received sample, an outage leaves its hole.

Blocks are stamped as ``HearingRecorder.feed`` stamps them (arrival minus duration); the finalised
track is decoded and compared sample for sample with what was written (the signal is on the
16-bit grid, so FLAC gives it back exactly).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from recordings import (
    LocalDirStore,
    RecordingJournal,
    decode_flac,
    finalize_hearing,
    read_track_index,
    recover,
)
from tests.recordings.signals import SR, T0

FRAME = 320  # 20 ms, as the tap delivers


def _noise(seconds: float) -> np.ndarray:
    x = np.random.default_rng(7).uniform(-0.5, 0.5, round(seconds * SR))
    return (np.round(x * 32768) / 32768).astype(np.float32)


def _write(
    journal: RecordingJournal,
    audio: np.ndarray,
    *,
    stalls: tuple[tuple[float, float], ...] = (),
    lost: tuple[float, float] | None = None,
) -> int:
    """Feed 20 ms frames; ``stalls`` hold delivery back, ``lost`` frames never arrive.

    Returns the most audio (in samples) the journal ever held in memory.
    """
    arrival, most = 0.0, 0
    for n in range(len(audio) // FRAME):
        captured_end = (n + 1) * FRAME / SR
        if lost is not None and lost[0] <= captured_end - FRAME / SR < lost[0] + lost[1]:
            continue
        arrival = max(arrival, captured_end)
        for at, length in stalls:
            if at <= arrival < at + length:
                arrival = at + length
        stamp = T0 + timedelta(seconds=arrival - FRAME / SR)
        journal.write(audio[n * FRAME : (n + 1) * FRAME], stamp)
        most = max(most, journal.buffered_ms)
    return most


def test_stalls_and_their_bursts_lose_no_received_sample(tmp_path):
    store = LocalDirStore(tmp_path)
    journal = RecordingJournal(store, hearing_id=1, track="p", sample_rate_hz=SR)
    audio = _noise(9.0)
    most_ms = _write(journal, audio, stalls=((2.0, 0.3), (4.1, 0.26), (6.0, 1.9)))
    journal.close()
    final = finalize_hearing(store, 1)
    out = decode_flac(store.get(final.tracks[0].key))
    assert final.origin_utc == T0
    assert np.array_equal(out, audio)
    assert final.manifest["tracks"][0]["unrecorded"] == []
    # durability: never more than a chunk plus settle_ms (plus a frame) waiting for an fsync
    assert most_ms <= journal.chunk_ms + 200 + 20


def test_an_outage_leaves_a_hole_of_its_length_at_its_place(tmp_path):
    store = LocalDirStore(tmp_path)
    journal = RecordingJournal(store, hearing_id=2, track="p", sample_rate_hz=SR)
    audio = _noise(6.0)
    _write(journal, audio, lost=(2.0, 1.0), stalls=((4.5, 0.4),))
    journal.close()
    final = finalize_hearing(store, 2)
    out = decode_flac(store.get(final.tracks[0].key))
    assert len(out) == len(audio)
    expected = audio.copy()
    expected[2 * SR : 3 * SR] = 0
    assert np.array_equal(out, expected)
    assert final.manifest["tracks"][0]["unrecorded"] == [{"start_ms": 2000, "end_ms": 3000}]


def test_a_crash_during_a_stall_loses_at_most_a_chunk_and_the_held_audio(tmp_path):
    store = LocalDirStore(tmp_path)
    journal = RecordingJournal(store, hearing_id=3, track="p", sample_rate_hz=SR)
    audio = _noise(3.0)
    _write(journal, audio[: int(2.5 * SR)], stalls=((2.3, 1.0),))  # killed mid-stall
    durable = recover(store, 3)["p"].last_written_utc
    assert durable is not None
    written_until = T0 + timedelta(seconds=2.5)
    assert written_until - durable <= timedelta(milliseconds=journal.chunk_ms + 200 + 20)


def test_a_burst_as_the_track_starts_moves_its_first_chunk_back(tmp_path):
    store = LocalDirStore(tmp_path)
    journal = RecordingJournal(store, hearing_id=4, track="p", sample_rate_hz=SR)
    audio = _noise(3.0)
    _write(journal, audio, stalls=((0.0, 0.6),))  # the first 0.6 s arrive at once
    journal.close()
    final = finalize_hearing(store, 4)
    assert final.origin_utc == T0
    assert np.array_equal(decode_flac(store.get(final.tracks[0].key)), audio)


def test_a_flushed_chunk_is_never_moved(tmp_path):
    store = LocalDirStore(tmp_path)
    journal = RecordingJournal(store, hearing_id=5, track="p", sample_rate_hz=SR)
    audio = _noise(1.0)
    journal.write(audio[: SR // 2], T0 + timedelta(seconds=0.1))  # delayed by 100 ms
    journal.flush()
    journal.write(audio[SR // 2 :], T0 + timedelta(seconds=0.5))  # on time: early for the run
    journal.close()
    starts = [c.start_utc for c in read_track_index(store, 5, "p").chunks]
    assert starts == [T0 + timedelta(seconds=0.1), T0 + timedelta(seconds=0.5)]


def test_a_resumed_track_never_moves_into_what_was_written(tmp_path):
    store = LocalDirStore(tmp_path)
    audio = _noise(2.0)
    first = RecordingJournal(store, hearing_id=6, track="p", sample_rate_hz=SR)
    first.write(audio[:SR], T0)  # one durable chunk, 0-1 s; then a restart
    again = RecordingJournal(store, hearing_id=6, track="p", sample_rate_hz=SR)
    again.write(audio[SR : SR + FRAME], T0 + timedelta(seconds=1.3))  # delayed after the restart
    again.write(audio[SR + FRAME : SR + 2 * FRAME], T0 + timedelta(seconds=0.9))  # "earlier"
    again.close()
    starts = [c.start_utc for c in read_track_index(store, 6, "p").chunks]
    assert starts == [T0, T0 + timedelta(seconds=1)]  # moved back, to the written end only
