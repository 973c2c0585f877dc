"""A track's index: JSON lines appended (and fsync'd) after each durable chunk, gap or close.

Store layout of one hearing (``hearing-<id>/``)::

    tracks/<track>/index.jsonl        the track's index (below)
    tracks/<track>/<seq:08d>.flac     one chunk of audio (FLAC, mono, 16-bit)
    final/<track>.flac                finalized per-participant file (on the hearing's timeline)
    final/mix.flac                    the mix of all tracks
    final/manifest.json               files, digests, durations, gaps, timeline origin

Index lines (one JSON object each, ``type`` first)::

    {"type": "track", "track": ..., "sample_rate_hz": 16000, "format": "flac", "created_utc": ...}
    {"type": "chunk", "seq": 0, "start_utc": ..., "samples": 16000, "duration_ms": 1000,
     "file": "00000000.flac", "sha256": "..."}
    {"type": "gap", "start_utc": ..., "end_utc": ..., "reason": "disconnect"}
    {"type": "close", "at_utc": ...}

A chunk line is appended only once its file is durable, so every listed chunk should be present;
:func:`read_track_index` still checks each one (missing file, digest mismatch) and tolerates a torn
or unparsable line (a crash in the middle of an append), reporting all of them as problems.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from recordings.errors import RecordingError
from recordings.store import RecordingStore
from recordings.timeline import format_utc, parse_utc, sample_to_utc

__all__ = [
    "ChunkEntry",
    "GapEntry",
    "IndexEntry",
    "IndexProblem",
    "TrackClose",
    "TrackHeader",
    "TrackIndex",
    "chunk_key",
    "chunk_problem",
    "hearing_prefix",
    "index_key",
    "iter_index",
    "list_tracks",
    "read_track_index",
    "validate_track_name",
]

_TRACK_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
INDEX_NAME = "index.jsonl"


def validate_track_name(track: str) -> str:
    if not _TRACK_RE.match(track) or track in ("mix", "manifest") or ".." in track:
        raise RecordingError(f"invalid track name {track!r} (letters, digits, '_', '-', '.')")
    return track


def hearing_prefix(hearing_id: int) -> str:
    return f"hearing-{int(hearing_id)}/"


def track_prefix(hearing_id: int, track: str) -> str:
    return f"{hearing_prefix(hearing_id)}tracks/{validate_track_name(track)}/"


def index_key(hearing_id: int, track: str) -> str:
    return track_prefix(hearing_id, track) + INDEX_NAME


def chunk_file_name(seq: int) -> str:
    return f"{seq:08d}.flac"


def chunk_key(hearing_id: int, track: str, file_name: str) -> str:
    return track_prefix(hearing_id, track) + file_name


def list_tracks(store: RecordingStore, hearing_id: int) -> list[str]:
    """Tracks of a hearing that have an index, sorted."""
    prefix = f"{hearing_prefix(hearing_id)}tracks/"
    # One delimiter listing, then one check per track: never a listing of every chunk.
    return [t for t in store.list_children(prefix) if store.exists(f"{prefix}{t}/{INDEX_NAME}")]


@dataclass(frozen=True, slots=True)
class ChunkEntry:
    seq: int
    start_utc: datetime
    samples: int
    duration_ms: int
    file: str
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "chunk",
            "seq": self.seq,
            "start_utc": format_utc(self.start_utc),
            "samples": self.samples,
            "duration_ms": self.duration_ms,
            "file": self.file,
            "sha256": self.sha256,
        }


@dataclass(frozen=True, slots=True)
class GapEntry:
    start_utc: datetime
    end_utc: datetime
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "gap",
            "start_utc": format_utc(self.start_utc),
            "end_utc": format_utc(self.end_utc),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class IndexProblem:
    """Something wrong found while reading an index: a bad line or a bad chunk file."""

    kind: str  # "torn_line" | "bad_line" | "missing_chunk" | "digest_mismatch"
    line_no: int  # 1-based line in index.jsonl
    detail: str
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class TrackIndex:
    hearing_id: int
    track: str
    sample_rate_hz: int
    chunks: tuple[ChunkEntry, ...]  # only chunks whose file is present and matches its digest
    gaps: tuple[GapEntry, ...]
    closed: bool
    problems: tuple[IndexProblem, ...]
    next_seq: int  # one past the highest seq listed (valid or not): where writing resumes
    ends_with_newline: bool

    @property
    def end_utc(self) -> datetime | None:
        """UTC end of the last valid chunk (None if none)."""
        if not self.chunks:
            return None
        last = max(self.chunks, key=lambda c: c.seq)
        return sample_to_utc(last.start_utc, last.samples, self.sample_rate_hz)


def encode_line(obj: dict[str, Any]) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class TrackHeader:
    sample_rate_hz: int


@dataclass(frozen=True, slots=True)
class TrackClose:
    pass


IndexEntry = TrackHeader | ChunkEntry | GapEntry | TrackClose


def _parse_line(line: bytes) -> IndexEntry:
    obj = json.loads(line)
    kind = obj["type"]
    if kind == "track":
        return TrackHeader(int(obj["sample_rate_hz"]))
    if kind == "chunk":
        return ChunkEntry(
            seq=int(obj["seq"]),
            start_utc=parse_utc(obj["start_utc"]),
            samples=int(obj["samples"]),
            duration_ms=int(obj["duration_ms"]),
            file=str(obj["file"]),
            sha256=str(obj["sha256"]),
        )
    if kind == "gap":
        return GapEntry(parse_utc(obj["start_utc"]), parse_utc(obj["end_utc"]), obj["reason"])
    if kind == "close":
        return TrackClose()
    raise ValueError(f"unknown entry type {kind!r}")


def iter_index(
    store: RecordingStore, hearing_id: int, track: str
) -> Iterator[tuple[int, IndexEntry | IndexProblem]]:
    """The index's entries in file order, read as a stream: ``(line_no, entry or problem)``.

    A last line without its newline is a torn append (``torn_line``); any other unparsable line
    is a ``bad_line``. Chunk files are not checked here (see :func:`chunk_problem`). Streaming
    keeps a long track's index (about 1 MB per hour) out of memory during finalisation.
    """
    with store.open_read(index_key(hearing_id, track)) as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                yield line_no, _parse_line(line)
            except (ValueError, KeyError, TypeError) as exc:
                kind = "bad_line" if line.endswith(b"\n") else "torn_line"
                detail = f"{type(exc).__name__}: {exc}; line starts {line[:60]!r}"
                yield line_no, IndexProblem(kind, line_no, detail)


def chunk_problem(
    store: RecordingStore, hearing_id: int, track: str, line_no: int, c: ChunkEntry
) -> IndexProblem | None:
    """Why the chunk's file cannot be used (missing, digest mismatch), or None if it can."""
    key = chunk_key(hearing_id, track, c.file)
    if not store.exists(key):
        return IndexProblem("missing_chunk", line_no, f"{c.file} is missing", c.seq)
    digest = sha256_hex(store.get(key))
    if digest != c.sha256:
        detail = f"{c.file}: sha256 {digest} != indexed {c.sha256}"
        return IndexProblem("digest_mismatch", line_no, detail, c.seq)
    return None


def read_track_index(
    store: RecordingStore, hearing_id: int, track: str, *, verify_chunks: bool = True
) -> TrackIndex:
    """Parse a track's index, checking each chunk file's presence and SHA-256.

    A last line without its newline is a torn append (``torn_line``); any other unparsable line
    is a ``bad_line``. Chunks whose file is missing or whose digest differs are dropped from
    ``chunks`` and reported. With ``verify_chunks=False`` chunk files are not read (cheap resume).
    """
    sample_rate_hz = 0
    chunks: list[tuple[int, ChunkEntry]] = []
    gaps: list[GapEntry] = []
    problems: list[IndexProblem] = []
    closed = False
    next_seq = 0
    for line_no, entry in iter_index(store, hearing_id, track):
        if isinstance(entry, IndexProblem):
            problems.append(entry)
        elif isinstance(entry, TrackHeader):
            sample_rate_hz = entry.sample_rate_hz
        elif isinstance(entry, ChunkEntry):
            next_seq = max(next_seq, entry.seq + 1)
            chunks.append((line_no, entry))
        elif isinstance(entry, GapEntry):
            gaps.append(entry)
        else:
            closed = True
    valid: list[ChunkEntry] = []
    for line_no, c in chunks:
        problem = chunk_problem(store, hearing_id, track, line_no, c) if verify_chunks else None
        if problem is not None:
            problems.append(problem)
        else:
            valid.append(c)
    valid.sort(key=lambda c: c.seq)
    if sample_rate_hz <= 0:
        raise RecordingError(f"index of track {track!r} of hearing {hearing_id} has no header")
    return TrackIndex(
        hearing_id=hearing_id,
        track=track,
        sample_rate_hz=sample_rate_hz,
        chunks=tuple(valid),
        gaps=tuple(gaps),
        closed=closed,
        problems=tuple(problems),
        next_seq=next_seq,
        ends_with_newline=_ends_with_newline(store, index_key(hearing_id, track)),
    )


def _ends_with_newline(store: RecordingStore, key: str) -> bool:
    size = store.size(key)
    return size == 0 or store.get_range(key, size - 1, size) == b"\n"
