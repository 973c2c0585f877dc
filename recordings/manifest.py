"""The manifest of a finalized hearing: files, SHA-256 digests, durations, gaps, timeline origin.

``hearing-<id>/final/manifest.json`` is written last, after every file it names is durable, so a
manifest always describes complete files; it outlives the audio (see :mod:`recordings.expiry`),
so the record can still prove what deleted audio was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from recordings.index import hearing_prefix
from recordings.placement import Timeline
from recordings.store import RecordingStore
from recordings.timeline import format_utc, parse_utc, sample_to_utc, samples_to_ms, utc_to_ms

__all__ = [
    "EXPIRED_NAME",
    "MANIFEST_NAME",
    "MIX_NAME",
    "FinalFile",
    "FinalRecording",
    "build_manifest",
    "final_key",
    "read_manifest",
    "recording_from_manifest",
]

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

    @property
    def files(self) -> tuple[FinalFile, ...]:
        """Every audio file: the tracks, then the mix."""
        return (*self.tracks, self.mix)


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


def recording_from_manifest(hearing_id: int, m: dict[str, Any]) -> FinalRecording:
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
    return recording_from_manifest(hearing_id, json.loads(store.get(key)))


def build_manifest(
    timeline: Timeline,
    tracks: list[tuple[FinalFile, list[dict[str, int]]]],
    mix: FinalFile,
    *,
    inputs_sha256: str,
    finalized_utc: datetime,
) -> dict[str, Any]:
    """The manifest's JSON object; ``tracks`` pairs each file with its unrecorded stretches."""
    origin, sr, total = timeline.origin_utc, timeline.sample_rate_hz, timeline.total_samples
    gaps = sorted(
        (
            {
                "track": s.track,
                "reason": g.reason,
                "start_utc": format_utc(g.start_utc),
                "end_utc": format_utc(g.end_utc),
                "start_ms": utc_to_ms(origin, g.start_utc),
                "end_ms": utc_to_ms(origin, g.end_utc),
            }
            for s in timeline.tracks
            for g in s.gaps
        ),
        key=lambda g: (g["start_ms"], g["track"]),
    )
    return {
        "hearing_id": timeline.hearing_id,
        "format": "flac",
        "sample_rate_hz": sr,
        "origin_utc": format_utc(origin),
        "end_utc": format_utc(sample_to_utc(origin, total, sr)),
        "duration_ms": samples_to_ms(total, sr),
        "finalized_utc": format_utc(finalized_utc),
        "inputs_sha256": inputs_sha256,
        "tracks": [
            {
                **_file_json(f),
                "chunks": s.chunks,
                "closed": s.closed,
                "unrecorded": holes,
                "problems": [
                    {"kind": p.kind, "line_no": p.line_no, "seq": p.seq, "detail": p.detail}
                    for p in s.problems
                ],
            }
            for (f, holes), s in zip(tracks, timeline.tracks, strict=True)
        ],
        "mix": _file_json(mix),
        "gaps": gaps,
    }


def encode_manifest(manifest: dict[str, Any]) -> bytes:
    return json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n"
