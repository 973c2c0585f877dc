"""Journal → finalize round trips with real FLAC encoding/decoding through PyAV."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from recordings import (
    LocalDirStore,
    RecordingError,
    RecordingJournal,
    decode_flac,
    expire,
    extract_range,
    finalize_hearing,
    read_manifest,
    read_track_index,
    recover,
)
from recordings.index import sha256_hex
from tests.recordings.signals import SR, T0, at, feed, peak_hz, rms, second, tone

CORPUS = Path(os.environ.get("TINGSHEN_SPEECH_CORPUS", "/work/shared/asr-dev"))


def _two_tracks(store: LocalDirStore) -> None:
    a = RecordingJournal(store, hearing_id=7, track="participant-1", sample_rate_hz=SR)
    b = RecordingJournal(store, hearing_id=7, track="participant-2", sample_rate_hz=SR)
    feed(a, tone(440, 3.0), 0.0)
    a.gap(at(3.0), at(5.0), "disconnect")
    feed(b, tone(880, 3.0), 1.0)
    b.close()
    feed(a, tone(440, 2.0, start_s=5.0), 5.0)
    a.close()


def test_track_files_and_mix_are_on_one_timeline(tmp_path):
    store = LocalDirStore(tmp_path)
    _two_tracks(store)
    rec = finalize_hearing(store, 7)
    assert rec.origin_utc == T0
    assert rec.duration_ms == 7000
    files = {f.name: decode_flac(store.get(f.key)) for f in (*rec.tracks, rec.mix)}
    a, b, mix = files["participant-1"], files["participant-2"], files["mix"]
    assert len(a) == len(b) == len(mix) == 7 * SR
    for s in range(7):
        in_a = s < 3 or s >= 5
        in_b = 1 <= s < 4
        assert (
            (peak_hz(second(a, s)) == pytest.approx(440, abs=2)) if in_a else rms(second(a, s)) == 0
        )
        assert (
            (peak_hz(second(b, s)) == pytest.approx(880, abs=2)) if in_b else rms(second(b, s)) == 0
        )
        expected_rms = 0.3 / np.sqrt(2) * np.sqrt(in_a + in_b)
        assert rms(second(mix, s)) == pytest.approx(expected_rms, rel=0.02)
    # Lossless: the disconnected stretch is exactly silent and the tone is sample-exact.
    assert np.abs(a[: 3 * SR] - tone(440, 3.0)).max() < 1e-4
    m = rec.manifest
    assert m["origin_utc"] == "2026-11-28T09:00:00.000000Z"
    assert [(g["track"], g["reason"], g["start_ms"], g["end_ms"]) for g in m["gaps"]] == [
        ("participant-1", "disconnect", 3000, 5000)
    ]
    unrec = {t["name"]: t["unrecorded"] for t in m["tracks"]}
    assert unrec["participant-1"] == [{"start_ms": 3000, "end_ms": 5000}]
    assert unrec["participant-2"] == [
        {"start_ms": 0, "end_ms": 1000},
        {"start_ms": 4000, "end_ms": 7000},
    ]


def test_digests_match_file_bytes_and_finalize_is_idempotent(tmp_path):
    store = LocalDirStore(tmp_path)
    _two_tracks(store)
    first = finalize_hearing(store, 7)
    for f in (*first.tracks, first.mix):
        data = store.get(f.key)
        assert sha256_hex(data) == f.sha256
        assert len(data) == f.size_bytes
    manifest_bytes = store.get(first.manifest_key)
    assert json.loads(manifest_bytes)["mix"]["sha256"] == first.mix.sha256
    mtimes = {k: store.path(k).stat().st_mtime_ns for k in store.list("hearing-7/final/")}
    again = finalize_hearing(store, 7)
    assert again == first
    assert store.get(first.manifest_key) == manifest_bytes
    assert {k: store.path(k).stat().st_mtime_ns for k in store.list("hearing-7/final/")} == mtimes
    # A rebuild from scratch gives byte-identical audio (the encoder is deterministic).
    for f in (*first.tracks, first.mix):
        store.delete(f.key)
    rebuilt = finalize_hearing(store, 7)
    assert [f.sha256 for f in rebuilt.tracks] == [f.sha256 for f in first.tracks]
    assert rebuilt.mix.sha256 == first.mix.sha256
    assert read_manifest(store, 7) == rebuilt


def test_index_lines_are_as_documented(tmp_path):
    store = LocalDirStore(tmp_path)
    j = RecordingJournal(store, hearing_id=1, track="judge", sample_rate_hz=SR, chunk_ms=500)
    feed(j, tone(300, 1.2), 0.0)
    j.close()
    lines = [json.loads(x) for x in store.get("hearing-1/tracks/judge/index.jsonl").splitlines()]
    assert [x["type"] for x in lines] == ["track", "chunk", "chunk", "chunk", "close"]
    c = lines[2]
    assert c == {
        "type": "chunk",
        "seq": 1,
        "start_utc": "2026-11-28T09:00:00.500000Z",
        "samples": 8000,
        "duration_ms": 500,
        "file": "00000001.flac",
        "sha256": sha256_hex(store.get("hearing-1/tracks/judge/00000001.flac")),
    }
    assert lines[3]["samples"] == 3200  # the partial chunk flushed by close()
    with pytest.raises(RecordingError):
        j.write(tone(300, 0.1), at(2.0))


def test_speech_round_trip_is_lossless_with_jittered_timestamps(tmp_path):
    wav = CORPUS / "en_jfk.wav"
    if wav.exists():
        from asr.audio import decode_file

        speech = decode_file(wav)
    else:
        speech = np.concatenate([tone(200 + 50 * k, 0.7) for k in range(15)])
    store = LocalDirStore(tmp_path)
    j = RecordingJournal(store, hearing_id=2, track="witness", sample_rate_hz=SR)
    rng = np.random.default_rng(1)
    block = 320
    for i in range(0, len(speech), block):
        jitter_s = float(rng.uniform(-0.02, 0.02))  # wall-clock stamps wobble by ±20 ms
        j.write(speech[i : i + block], at(i / SR + jitter_s))
    j.close()
    rec = finalize_hearing(store, 2)
    out = decode_flac(store.get(rec.tracks[0].key))
    n = min(len(out), len(speech))
    assert abs(len(out) - len(speech)) <= SR * 0.02
    assert np.abs(out[:n] - speech[:n]).max() < 1e-4
    assert rec.duration_ms == pytest.approx(len(speech) * 1000 / SR, abs=20)


def test_torn_line_and_bad_chunks_are_tolerated_and_reported(tmp_path):
    store = LocalDirStore(tmp_path)
    j = RecordingJournal(store, hearing_id=3, track="p", sample_rate_hz=SR)
    feed(j, tone(440, 5.0), 0.0)
    j.flush()
    key = "hearing-3/tracks/p/"
    store.delete(key + "00000001.flac")  # missing
    truncated = store.get(key + "00000003.flac")
    store.put(key + "00000003.flac", truncated[: len(truncated) // 2])  # truncated
    store.append(key + "index.jsonl", b'{"type":"chunk","seq":5,"start_u')  # torn append
    idx = read_track_index(store, 3, "p")
    assert [c.seq for c in idx.chunks] == [0, 2, 4]
    kinds = sorted((p.kind, p.seq) for p in idx.problems)
    assert kinds == [("digest_mismatch", 3), ("missing_chunk", 1), ("torn_line", None)]
    assert idx.next_seq == 5
    # Recovery reports the same; a resumed journal terminates the torn line and continues.
    r = recover(store, 3)["p"]
    assert r.next_seq == 5
    assert r.last_written_utc == at(5.0)
    j2 = RecordingJournal(store, hearing_id=3, track="p", sample_rate_hz=SR)
    j2.gap(at(5.0), at(6.0), "restart")
    feed(j2, tone(440, 1.0, start_s=6.0), 6.0)
    j2.close()
    idx2 = read_track_index(store, 3, "p")
    assert [c.seq for c in idx2.chunks] == [0, 2, 4, 5]
    assert sorted(p.kind for p in idx2.problems) == ["bad_line", "digest_mismatch", "missing_chunk"]
    rec = finalize_hearing(store, 3)
    out = decode_flac(store.get(rec.tracks[0].key))
    assert len(out) == 7 * SR
    for s, loud in enumerate([True, False, True, False, True, False, True]):
        assert (rms(second(out, s)) > 0.1) if loud else rms(second(out, s)) == 0
    assert {p["kind"] for p in rec.manifest["tracks"][0]["problems"]} == {
        "bad_line",
        "digest_mismatch",
        "missing_chunk",
    }


def test_extract_range_cuts_the_timeline(tmp_path):
    store = LocalDirStore(tmp_path)
    j = RecordingJournal(store, hearing_id=4, track="p", sample_rate_hz=SR)
    signal = np.concatenate([tone(200 + 100 * s, 1.0, start_s=s) for s in range(30)])
    feed(j, signal, 0.0)
    j.close()
    rec = finalize_hearing(store, 4)
    path = store.path(rec.tracks[0].key)
    cut = decode_flac(extract_range(path, 12_250, 14_750))
    assert len(cut) == int(2.5 * SR)
    assert np.abs(cut - signal[int(12.25 * SR) : int(14.75 * SR)]).max() < 1e-4
    whole = decode_flac(extract_range(store.get(rec.mix.key), 29_000, 99_000))
    assert len(whole) == SR
    assert peak_hz(whole) == pytest.approx(3100, abs=2)


def test_expire_deletes_audio_keeps_manifest(tmp_path):
    store = LocalDirStore(tmp_path)
    for h in (10, 11):
        j = RecordingJournal(store, hearing_id=h, track="p", sample_rate_hz=SR)
        feed(j, tone(440, 1.5), 0.0)
        j.close()
    finalize_hearing(store, 10, now=T0)
    j = RecordingJournal(store, hearing_id=12, track="p", sample_rate_hz=SR)
    feed(j, tone(440, 1.0), 0.0)  # never finalized: kept whatever its age
    assert expire(store, 30, T0 + timedelta(days=29)) == []
    assert expire(store, 30, T0 + timedelta(days=31)) == [10]
    assert store.list("hearing-10/") == [
        "hearing-10/final/expired.json",
        "hearing-10/final/manifest.json",
    ]
    assert read_manifest(store, 10) is not None
    assert store.exists("hearing-11/tracks/p/00000000.flac")
    assert store.exists("hearing-12/tracks/p/00000000.flac")
    assert expire(store, 30, T0 + timedelta(days=40)) == []


def test_clock_jumps_without_gap_calls(tmp_path):
    store = LocalDirStore(tmp_path)
    j = RecordingJournal(store, hearing_id=5, track="p", sample_rate_hz=SR)
    feed(j, tone(440, 2.5), 0.0)
    feed(j, tone(660, 1.5), 4.0)  # 1.5 s unaccounted for: a new run, silence in between
    feed(j, tone(880, 1.0), 4.5)  # the clock steps back 1 s: the overlapping head is dropped
    j.close()
    idx = read_track_index(store, 5, "p")
    assert [c.start_utc for c in idx.chunks][:4] == [at(0), at(1), at(2), at(4)]
    rec = finalize_hearing(store, 5)
    out = decode_flac(store.get(rec.tracks[0].key))
    assert rec.duration_ms == 5500  # 4.0 + 1.5 s; the stepped-back run ends at 5.5 s too
    assert rms(out[int(2.5 * SR) : 4 * SR]) == 0
    assert peak_hz(out[4 * SR : int(4.5 * SR)]) == pytest.approx(660, abs=4)
    assert peak_hz(out[int(4.5 * SR) : int(5.5 * SR)]) == pytest.approx(660, abs=4)
    assert rec.manifest["tracks"][0]["unrecorded"] == [{"start_ms": 2500, "end_ms": 4000}]


def test_chunk_files_are_small_flac_without_padding(tmp_path):
    store = LocalDirStore(tmp_path)
    j = RecordingJournal(store, hearing_id=6, track="p", sample_rate_hz=SR)
    j.write(np.zeros(SR, dtype=np.float32), at(0))
    data = store.get("hearing-6/tracks/p/00000000.flac")
    assert data[:4] == b"fLaC"
    assert len(data) < 1024  # one second of digital silence; no 8 KiB PADDING block
    assert np.array_equal(decode_flac(data), np.zeros(SR, dtype=np.float32))


def test_orphan_chunk_of_a_crash_is_ignored_then_overwritten(tmp_path):
    store = LocalDirStore(tmp_path)
    j = RecordingJournal(store, hearing_id=8, track="p", sample_rate_hz=SR)
    feed(j, tone(440, 2.0), 0.0)
    # A crash after the chunk file was stored but before its index line was appended.
    store.put("hearing-8/tracks/p/00000002.flac", b"not indexed")
    assert [c.seq for c in read_track_index(store, 8, "p").chunks] == [0, 1]
    assert recover(store, 8)["p"].problems == ()
    j2 = RecordingJournal(store, hearing_id=8, track="p", sample_rate_hz=SR)
    feed(j2, tone(440, 1.0), 2.0)
    j2.close()
    idx = read_track_index(store, 8, "p")
    assert [c.seq for c in idx.chunks] == [0, 1, 2]
    assert idx.problems == ()
    assert len(decode_flac(store.get("hearing-8/tracks/p/00000002.flac"))) == SR


def test_store_lists_only_under_the_prefix(tmp_path):
    store = LocalDirStore(tmp_path)
    store.put("hearing-1/tracks/a/index.jsonl", b"")
    store.put("hearing-10/tracks/b/index.jsonl", b"")
    assert store.list("hearing-1/") == ["hearing-1/tracks/a/index.jsonl"]
    assert store.list("hearing-1") == [
        "hearing-1/tracks/a/index.jsonl",
        "hearing-10/tracks/b/index.jsonl",
    ]
    assert store.list("hearing-2/") == []
    assert store.list("hearing-1/tracks/a/index") == ["hearing-1/tracks/a/index.jsonl"]
