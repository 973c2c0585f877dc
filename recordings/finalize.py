"""Finalisation (one file per participant + one mix, on one UTC timeline), playback cuts, expiry.

The timeline's origin is the UTC time of the earliest durable chunk of any track. Each track's
file starts at the origin: silence before its first chunk, in its gaps (recorded with
:meth:`RecordingJournal.gap` or not), and after its last chunk up to the end of the hearing, so
every file has the same length and position in any file = time since the origin. Consecutive
chunks whose ``start_utc`` lies within ``snap_ms`` of the previous chunk's end are placed end to
end (wall-clock jitter is not turned into clicks); an overlap beyond that (a clock stepping back)
drops the overlapping head of the later chunk. The mix is the sample-wise sum of the tracks,
clipped to [-1, 1].
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import numpy as np

from recordings.codec import FlacWriter, Samples, decode_flac, iter_decode_flac
from recordings.errors import RecordingError, RecordingNotFoundError
from recordings.index import (
    TrackIndex,
    chunk_key,
    hearing_prefix,
    index_key,
    list_tracks,
    read_track_index,
    sha256_hex,
)
from recordings.store import RecordingStore
from recordings.timeline import (
    format_utc,
    ms_to_samples,
    parse_utc,
    sample_to_utc,
    samples_to_ms,
    utc_to_ms,
    utc_to_sample,
)

__all__ = [
    "FinalFile",
    "FinalRecording",
    "expire",
    "extract_range",
    "final_key",
    "finalize_hearing",
    "list_hearings",
    "read_manifest",
]

logger = logging.getLogger(__name__)

MIX_NAME = "mix"
MANIFEST_NAME = "manifest.json"
EXPIRED_NAME = "expired.json"


def final_key(hearing_id: int, name: str) -> str:
    """Store key of a finalized file (``name``: a track, ``"mix"`` or ``"manifest.json"``)."""
    file = name if name.endswith(".json") else f"{name}.flac"
    return f"{hearing_prefix(hearing_id)}final/{file}"


@dataclass(frozen=True, slots=True)
class FinalFile:
    name: str  # the track, or "mix"
    key: str  # store key
    sha256: str
    size_bytes: int
    samples: int
    duration_ms: int


@dataclass(frozen=True, slots=True)
class FinalRecording:
    hearing_id: int
    origin_utc: datetime  # UTC time of sample 0 of every file
    sample_rate_hz: int
    duration_ms: int
    tracks: tuple[FinalFile, ...]
    mix: FinalFile
    manifest_key: str
    finalized_utc: datetime
    manifest: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Placement:
    offset: int  # sample offset on the timeline
    skip: int  # head samples of the chunk dropped (overlap)
    key: str
    sha256: str
    samples: int


def _place(idx: TrackIndex, origin: datetime, snap_samples: int) -> list[_Placement]:
    out: list[_Placement] = []
    prev_end: int | None = None
    for c in idx.chunks:
        off = utc_to_sample(origin, c.start_utc, idx.sample_rate_hz)
        skip = 0
        if prev_end is not None:
            if abs(off - prev_end) <= snap_samples:
                off = prev_end
            if off < prev_end:
                skip = min(prev_end - off, c.samples)
                off = prev_end
        if skip >= c.samples:
            continue
        key = chunk_key(idx.hearing_id, idx.track, c.file)
        out.append(_Placement(off, skip, key, c.sha256, c.samples))
        prev_end = off + c.samples - skip
    return out


def _inputs_digest(store: RecordingStore, hearing_id: int, tracks: list[str]) -> str:
    parts = []
    for t in tracks:
        parts.append(t.encode() + b"\0" + sha256_hex(store.get(index_key(hearing_id, t))).encode())
    return sha256_hex(b"\n".join(parts))


class _BlockReader:
    """Pulls exact-size blocks out of a decoded FLAC stream (zeros past its end)."""

    def __init__(self, data: bytes) -> None:
        self._it: Iterator[Samples] = iter_decode_flac(data)
        self._pending = np.zeros(0, dtype=np.float32)

    def take(self, n: int) -> Samples:
        parts = [self._pending]
        have = self._pending.size
        while have < n:
            nxt = next(self._it, None)
            if nxt is None:
                parts.append(np.zeros(n - have, dtype=np.float32))
                break
            parts.append(nxt)
            have += nxt.size
        data = np.concatenate(parts)
        self._pending = data[n:]
        return data[:n]


def _file_json(f: FinalFile) -> dict[str, Any]:
    return {
        "name": f.name,
        "key": f.key,
        "sha256": f.sha256,
        "size_bytes": f.size_bytes,
        "samples": f.samples,
        "duration_ms": f.duration_ms,
    }


def _file_from_json(d: dict[str, Any]) -> FinalFile:
    return FinalFile(
        d["name"], d["key"], d["sha256"], d["size_bytes"], d["samples"], d["duration_ms"]
    )


def _recording_from_manifest(hearing_id: int, m: dict[str, Any]) -> FinalRecording:
    return FinalRecording(
        hearing_id=hearing_id,
        origin_utc=parse_utc(m["origin_utc"]),
        sample_rate_hz=m["sample_rate_hz"],
        duration_ms=m["duration_ms"],
        tracks=tuple(_file_from_json(t) for t in m["tracks"]),
        mix=_file_from_json(m["mix"]),
        manifest_key=final_key(hearing_id, MANIFEST_NAME),
        finalized_utc=parse_utc(m["finalized_utc"]),
        manifest=m,
    )


def read_manifest(store: RecordingStore, hearing_id: int) -> FinalRecording | None:
    """The hearing's finalisation, or None if it was never finalized."""
    key = final_key(hearing_id, MANIFEST_NAME)
    if not store.exists(key):
        return None
    return _recording_from_manifest(hearing_id, json.loads(store.get(key)))


def finalize_hearing(
    store: RecordingStore,
    hearing_id: int,
    *,
    snap_ms: int = 50,
    now: datetime | None = None,
) -> FinalRecording:
    """Concatenate each track onto the hearing's timeline, mix them, write the manifest.

    Idempotent: when a manifest exists for exactly the current track indexes (same digests), it is
    returned unchanged and nothing is rewritten; if tracks changed since (more audio), the files
    are rebuilt. Files are written before the manifest, so a crash mid-way leaves the old manifest
    (or none) and finalisation simply runs again.
    """
    tracks = list_tracks(store, hearing_id)
    if not tracks:
        raise RecordingNotFoundError(f"hearing {hearing_id} has no recorded tracks")
    digest = _inputs_digest(store, hearing_id, tracks)
    existing = read_manifest(store, hearing_id)
    if (
        existing is not None
        and existing.manifest.get("inputs_sha256") == digest
        and all(
            store.exists(f.key) and sha256_hex(store.get(f.key)) == f.sha256
            for f in (*existing.tracks, existing.mix)
        )
    ):
        return existing

    indexes = [read_track_index(store, hearing_id, t) for t in tracks]
    rates = {i.sample_rate_hz for i in indexes}
    if len(rates) != 1:
        raise RecordingError(f"tracks of hearing {hearing_id} differ in sample rate: {rates}")
    sr = rates.pop()
    with_audio = [i for i in indexes if i.chunks]
    if not with_audio:
        raise RecordingError(f"hearing {hearing_id} has no readable audio chunk")
    origin = min(i.chunks[0].start_utc for i in with_audio)
    snap = ms_to_samples(snap_ms, sr)
    placements = {i.track: _place(i, origin, snap) for i in indexes}
    total = max(p[-1].offset + p[-1].samples - p[-1].skip for p in placements.values() if p)

    track_files: list[FinalFile] = []
    track_bytes: list[bytes] = []
    unrecorded: dict[str, list[dict[str, int]]] = {}
    for idx in indexes:
        buf = io.BytesIO()
        holes: list[dict[str, int]] = []
        with FlacWriter(buf, sr) as w:
            pos = 0
            for p in placements[idx.track]:
                if p.offset > pos:
                    w.write_silence(p.offset - pos)
                    holes.append(
                        {"start_ms": samples_to_ms(pos, sr), "end_ms": samples_to_ms(p.offset, sr)}
                    )
                data = store.get(p.key)
                if sha256_hex(data) != p.sha256:
                    raise RecordingError(f"{p.key} changed during finalisation")
                audio = decode_flac(data)[p.skip : p.samples]
                if audio.size < p.samples - p.skip:  # a chunk decoding short: keep the timeline
                    audio = np.pad(audio, (0, p.samples - p.skip - audio.size))
                w.write(audio)
                pos = p.offset + p.samples - p.skip
            if total > pos:
                w.write_silence(total - pos)
                holes.append(
                    {"start_ms": samples_to_ms(pos, sr), "end_ms": samples_to_ms(total, sr)}
                )
        data = buf.getvalue()
        key = final_key(hearing_id, idx.track)
        store.put(key, data)
        track_bytes.append(data)
        unrecorded[idx.track] = holes
        track_files.append(
            FinalFile(idx.track, key, sha256_hex(data), len(data), total, samples_to_ms(total, sr))
        )

    mix_buf = io.BytesIO()
    readers = [_BlockReader(b) for b in track_bytes]
    block = 10 * sr
    with FlacWriter(mix_buf, sr) as w:
        pos = 0
        while pos < total:
            n = min(block, total - pos)
            acc = np.zeros(n, dtype=np.float32)
            for r in readers:
                acc += r.take(n)
            w.write(np.clip(acc, -1.0, 1.0))
            pos += n
    mix_data = mix_buf.getvalue()
    mix_key = final_key(hearing_id, MIX_NAME)
    store.put(mix_key, mix_data)
    mix = FinalFile(
        MIX_NAME, mix_key, sha256_hex(mix_data), len(mix_data), total, samples_to_ms(total, sr)
    )

    finalized = now or datetime.now(UTC)
    gaps = sorted(
        (
            {
                "track": i.track,
                "reason": g.reason,
                "start_utc": format_utc(g.start_utc),
                "end_utc": format_utc(g.end_utc),
                "start_ms": utc_to_ms(origin, g.start_utc),
                "end_ms": utc_to_ms(origin, g.end_utc),
            }
            for i in indexes
            for g in i.gaps
        ),
        key=lambda g: (g["start_ms"], g["track"]),
    )
    manifest: dict[str, Any] = {
        "hearing_id": hearing_id,
        "format": "flac",
        "sample_rate_hz": sr,
        "origin_utc": format_utc(origin),
        "end_utc": format_utc(sample_to_utc(origin, total, sr)),
        "duration_ms": samples_to_ms(total, sr),
        "finalized_utc": format_utc(finalized),
        "inputs_sha256": digest,
        "tracks": [
            {
                **_file_json(f),
                "chunks": len(i.chunks),
                "closed": i.closed,
                "unrecorded": unrecorded[i.track],
                "problems": [
                    {"kind": p.kind, "line_no": p.line_no, "seq": p.seq, "detail": p.detail}
                    for p in i.problems
                ],
            }
            for f, i in zip(track_files, indexes, strict=True)
        ],
        "mix": _file_json(mix),
        "gaps": gaps,
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n"
    store.put(final_key(hearing_id, MANIFEST_NAME), body)
    logger.info(
        "hearing %s finalized: %d tracks, %d ms",
        hearing_id,
        len(track_files),
        manifest["duration_ms"],
    )
    return _recording_from_manifest(hearing_id, manifest)


def list_hearings(store: RecordingStore) -> list[int]:
    """Ids of the hearings the store holds anything of."""
    ids: set[int] = set()
    for key in store.list("hearing-"):
        head = key.split("/", 1)[0]
        with contextlib.suppress(ValueError):
            ids.add(int(head.removeprefix("hearing-")))
    return sorted(ids)


def expire(store: RecordingStore, retention_days: int, now: datetime) -> list[int]:
    """Delete the audio of hearings finalized more than ``retention_days`` before ``now``.

    Deleted: every chunk, index and finalized audio file of the hearing. Kept: the manifest
    (``final/manifest.json``: timeline origin, files' SHA-256 digests and durations, gaps), so the
    record can still prove what the deleted audio was, plus ``final/expired.json`` saying when and
    under which retention it was deleted. Hearings never finalized are not touched (their audio may
    still be needed to finalize). Returns the ids of the hearings expired by this call.
    """
    expired: list[int] = []
    cutoff = now - timedelta(days=retention_days)
    for hearing_id in list_hearings(store):
        rec = read_manifest(store, hearing_id)
        if rec is None or rec.finalized_utc > cutoff:
            continue
        if store.exists(final_key(hearing_id, EXPIRED_NAME)):
            continue
        keep = {final_key(hearing_id, MANIFEST_NAME)}
        doomed = [k for k in store.list(hearing_prefix(hearing_id)) if k not in keep]
        for key in doomed:
            store.delete(key)
        note = {
            "expired_utc": format_utc(now),
            "retention_days": retention_days,
            "deleted_objects": len(doomed),
        }
        store.put(final_key(hearing_id, EXPIRED_NAME), json.dumps(note).encode() + b"\n")
        expired.append(hearing_id)
        logger.info("hearing %s: audio expired (%d objects deleted)", hearing_id, len(doomed))
    return expired


def extract_range(source: Path | str | bytes, start_ms: int, end_ms: int) -> bytes:
    """FLAC bytes of ``[start_ms, end_ms)`` of a finalized file (for ``<audio>`` playback).

    Times are on the hearing's timeline (ms since the origin); the range is clipped to the file.
    The decoder seeks near ``start_ms`` first, so cutting a minute out of hours is cheap.
    """
    if end_ms < start_ms or start_ms < 0:
        raise RecordingError(f"invalid range [{start_ms}, {end_ms}) ms")
    src: io.BytesIO | str = io.BytesIO(source) if isinstance(source, bytes) else str(source)
    out = io.BytesIO()
    with av.open(src, mode="r") as container:
        stream = container.streams.audio[0]
        sr = stream.codec_context.sample_rate
        start = ms_to_samples(start_ms, sr)
        end = ms_to_samples(end_ms, sr)
        tb = stream.time_base
        if start > 0 and tb is not None:
            with contextlib.suppress(av.error.FFmpegError):
                container.seek(int(start / sr / tb), stream=stream, backward=True, any_frame=False)
        with FlacWriter(out, sr) as w:
            pos: int | None = None
            for frame in container.decode(stream):
                if frame.pts is not None and tb is not None:
                    pos = round(float(frame.pts * tb) * sr)
                elif pos is None:
                    pos = 0
                arr = frame.to_ndarray()
                samples = (arr.astype(np.float32) / 32768.0) if arr.dtype == np.int16 else arr
                mono = samples.mean(axis=0) if samples.shape[0] > 1 else samples[0]
                a, b = pos, pos + mono.size
                pos = b
                if b <= start:
                    continue
                if a >= end:
                    break
                w.write(np.asarray(mono[max(start - a, 0) : min(end, b) - a], dtype=np.float32))
    return out.getvalue()
