"""Finalisation streams: store writes are atomic, an object store works the same as a local
directory (same bytes, same digests), the files' headers are complete, and peak memory does not
grow with the hearing's length."""

from __future__ import annotations

import hashlib
import tracemalloc

import av
import numpy as np
import pytest

from recordings import (
    LocalDirStore,
    RecordingError,
    RecordingJournal,
    RecordingStore,
    decode_flac,
    finalize_hearing,
    streaming_put,
)
from recordings.flac_object import FlacObject
from recordings.store import iter_object, object_sha256
from tests.recordings.memstore import MemoryObjectStore
from tests.recordings.signals import SR, at, feed, tone


def test_a_streaming_write_is_invisible_until_committed(tmp_path):
    store = LocalDirStore(tmp_path)
    store.put("h/x.bin", b"old")
    writer = store.open_write("h/x.bin")
    writer.write(b"new ")
    writer.write(b"object")
    assert store.get("h/x.bin") == b"old"
    assert store.list("h/") == ["h/x.bin"]  # the temporary file is not listed
    writer.commit()
    assert store.get("h/x.bin") == b"new object"
    with pytest.raises(RecordingError):
        writer.write(b"late")
    with pytest.raises(RuntimeError), streaming_put(store, "h/x.bin") as w:
        w.write(b"half")
        raise RuntimeError("the encoder failed")
    assert store.get("h/x.bin") == b"new object"
    assert sorted(p.name for p in (tmp_path / "h").iterdir()) == ["x.bin"]  # no temp file left
    with streaming_put(store, "h/y/z.bin") as w:
        w.write(b"z" * 3_000_000)
    assert [len(p) for p in iter_object(store, "h/y/z.bin", 1 << 20)] == [1 << 20, 1 << 20, 902_848]
    assert object_sha256(store, "h/y/z.bin") == hashlib.sha256(b"z" * 3_000_000).hexdigest()
    assert store.list_children("") == ["h"]
    assert store.list_children("h/") == ["x.bin", "y"]
    assert store.list_children("h/nothing/") == []
    with pytest.raises(RecordingError):
        store.list_children("h")


def _record(store: RecordingStore) -> None:
    a = RecordingJournal(store, hearing_id=7, track="participant-1", sample_rate_hz=SR)
    b = RecordingJournal(store, hearing_id=7, track="staff-2", sample_rate_hz=SR)
    feed(a, tone(440, 3.0), 0.0)
    a.gap(at(3.0), at(5.0), "disconnect")
    feed(b, tone(880, 3.0), 1.0)
    b.close()
    feed(a, tone(440, 2.0, start_s=5.0), 5.0)
    a.close()


def test_an_object_store_gets_the_same_bytes_through_multipart_writes(tmp_path):
    local, remote = LocalDirStore(tmp_path), MemoryObjectStore()
    _record(local)
    _record(remote)
    mine, theirs = finalize_hearing(local, 7, now=at(60)), finalize_hearing(remote, 7, now=at(60))
    # The indexes differ in their creation time, so the inputs' digest does; nothing else does.
    differ = {k for k in mine.manifest if mine.manifest[k] != theirs.manifest[k]}
    assert differ == {"inputs_sha256"}
    finals = [f.key for f in theirs.files]
    assert remote.committed == finals and remote.aborted == []
    assert not set(finals) & set(remote.puts)  # audio files only through streaming writes
    for f in theirs.files:
        assert object_sha256(remote, f.key) == f.sha256 == object_sha256(local, f.key)
    # Idempotent through the object store too: nothing is written again.
    assert finalize_hearing(remote, 7) == theirs
    assert remote.committed == finals


def test_finalized_files_say_their_length_in_their_header(tmp_path):
    store = LocalDirStore(tmp_path)
    _record(store)
    rec = finalize_hearing(store, 7)
    for f in rec.files:
        data = store.get(f.key)
        total = int.from_bytes(data[18:26], "big") & ((1 << 36) - 1)  # STREAMINFO total samples
        assert total == f.samples == 7 * SR
        with av.open(str(store.path(f.key))) as container:
            assert container.duration == 7_000_000  # microseconds, from the header
        assert len(decode_flac(data)) == total


def _noise_hearing(store: LocalDirStore, seconds: int) -> None:
    rng = np.random.default_rng(seconds)
    for track in ("participant-1", "participant-2"):
        j = RecordingJournal(store, 1, track, sample_rate_hz=SR, chunk_ms=10_000)
        for s in range(0, seconds, 10):  # noise barely compresses: the worst case for size
            block = (0.1 * rng.standard_normal(10 * SR)).astype(np.float32)
            j.write(block, at(s))
        j.close()


def _finalize_peak_bytes(store: LocalDirStore) -> int:
    tracemalloc.start()
    try:
        finalize_hearing(store, 1)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_does_not_grow_with_the_hearing(tmp_path):
    short, long = LocalDirStore(tmp_path / "short"), LocalDirStore(tmp_path / "long")
    _noise_hearing(short, 20)
    _noise_hearing(long, 100)
    peak_short, peak_long = _finalize_peak_bytes(short), _finalize_peak_bytes(long)
    track_bytes = long.size("hearing-1/final/participant-1.flac")
    assert track_bytes > 2_500_000  # holding both tracks' files would take over 5 MB
    assert peak_long < peak_short + 512 * 1024, (peak_short, peak_long)


def test_chunk_lines_out_of_order_are_placed_by_seq(tmp_path):
    ordered, shuffled = LocalDirStore(tmp_path / "a"), LocalDirStore(tmp_path / "b")
    _record(ordered)
    _record(shuffled)
    key = "hearing-7/tracks/participant-1/index.jsonl"
    lines = shuffled.get(key).splitlines(keepends=True)
    chunk_lines = [i for i, line in enumerate(lines) if b'"type":"chunk"' in line]
    i, j = chunk_lines[1], chunk_lines[3]
    lines[i], lines[j] = lines[j], lines[i]
    shuffled.put(key, b"".join(lines))
    a, b = finalize_hearing(ordered, 7), finalize_hearing(shuffled, 7)
    assert [f.sha256 for f in a.files] == [f.sha256 for f in b.files]


def test_a_flac_object_is_stored_only_with_exactly_its_samples(tmp_path):
    store = LocalDirStore(tmp_path)
    with FlacObject(store, "h/short.flac", SR, SR) as out, pytest.raises(RecordingError):
        out.write(tone(440, 0.5))
        out.commit()  # half a second short
    with FlacObject(store, "h/long.flac", SR, SR) as out, pytest.raises(RecordingError):
        out.write(tone(440, 1.5))
    assert store.list("h/") == [] and not any((tmp_path / "h").iterdir())
    with FlacObject(store, "h/ok.flac", SR, SR) as out:
        out.write(tone(440, 0.25))
        out.write_silence(3 * SR // 4)
        written = out.commit()
    data = store.get("h/ok.flac")
    assert (written.sha256, written.size_bytes) == (hashlib.sha256(data).hexdigest(), len(data))
    assert len(decode_flac(data)) == SR
