"""Where each durable chunk of a track goes on the hearing's timeline (pure, plus index reads).

The timeline's origin is the UTC time of the earliest durable chunk of any track, and every file
of the hearing runs from the origin to the end of the last chunk of any track. Consecutive chunks
whose ``start_utc`` lies within ``snap_ms`` of the previous chunk's end are placed end to end (wall
clock jitter is not turned into clicks); an overlap beyond that (a clock stepping back) drops the
overlapping head of the later chunk.

:func:`plan_timeline` streams each track's index (:func:`~recordings.index.iter_index`),
checks every chunk file once, and keeps of a track only a summary (gaps, problems, one byte per
chunk saying whether it is valid): an index is about 1 MB per track-hour, so holding every
track's index of a long hearing would cost tens of MB. :func:`track_placements` streams the
index again for each later pass (the length of the timeline, then the writing).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from recordings.errors import RecordingError, RecordingNotFoundError
from recordings.index import (
    ChunkEntry,
    GapEntry,
    IndexProblem,
    TrackHeader,
    chunk_key,
    chunk_problem,
    index_key,
    iter_index,
    list_tracks,
    read_track_index,
    sha256_hex,
)
from recordings.store import RecordingStore, object_sha256
from recordings.timeline import ms_to_samples, utc_to_sample

__all__ = [
    "Placement",
    "Timeline",
    "TrackSummary",
    "inputs_digest",
    "place",
    "plan_timeline",
    "track_placements",
]


@dataclass(frozen=True, slots=True)
class Placement:
    """One chunk on the timeline: samples ``[skip, samples)`` of it go at ``offset``."""

    offset: int  # sample offset on the timeline
    skip: int  # head samples of the chunk dropped (overlap)
    key: str
    sha256: str
    samples: int

    @property
    def end(self) -> int:
        return self.offset + self.samples - self.skip


@dataclass(frozen=True, slots=True)
class TrackSummary:
    """What finalisation keeps of a track between passes: small whatever the track's length."""

    track: str
    chunks: int  # valid chunks
    closed: bool
    gaps: tuple[GapEntry, ...]
    problems: tuple[IndexProblem, ...]
    valid_seqs: bytes  # valid_seqs[seq] == 1: the chunk's file is there and matches its digest
    in_order: bool  # chunk lines in increasing seq order (as the journal writes them)


@dataclass(frozen=True, slots=True)
class Timeline:
    hearing_id: int
    sample_rate_hz: int
    origin_utc: datetime  # UTC time of sample 0 of every file
    total_samples: int  # length of every file
    snap_samples: int
    tracks: tuple[TrackSummary, ...]


def place(
    chunks: Iterable[ChunkEntry],
    *,
    hearing_id: int,
    track: str,
    sample_rate_hz: int,
    origin: datetime,
    snap_samples: int,
) -> Iterator[Placement]:
    """Chunks (valid, in seq order) placed on the timeline starting at ``origin``."""
    prev_end: int | None = None
    for c in chunks:
        off = utc_to_sample(origin, c.start_utc, sample_rate_hz)
        skip = 0
        if prev_end is not None:
            if abs(off - prev_end) <= snap_samples:
                off = prev_end
            if off < prev_end:
                skip = min(prev_end - off, c.samples)
                off = prev_end
        if skip >= c.samples:
            continue
        p = Placement(off, skip, chunk_key(hearing_id, track, c.file), c.sha256, c.samples)
        prev_end = p.end
        yield p


def inputs_digest(store: RecordingStore, hearing_id: int, tracks: list[str]) -> str:
    """One digest of every track's index: a finalisation is current while it is unchanged."""
    parts = []
    for t in tracks:
        parts.append(t.encode() + b"\0" + object_sha256(store, index_key(hearing_id, t)).encode())
    return sha256_hex(b"\n".join(parts))


def _summarize(
    store: RecordingStore, hearing_id: int, track: str
) -> tuple[TrackSummary, int, datetime | None]:
    """One streaming pass over a track's index, checking every chunk file once."""
    sample_rate_hz, closed, in_order, last_seq = 0, False, True, -1
    gaps: list[GapEntry] = []
    problems: list[IndexProblem] = []
    chunk_problems: list[IndexProblem] = []
    valid = bytearray()
    count, first_seq, first_utc = 0, -1, None
    for line_no, entry in iter_index(store, hearing_id, track):
        if isinstance(entry, IndexProblem):
            problems.append(entry)
        elif isinstance(entry, TrackHeader):
            sample_rate_hz = entry.sample_rate_hz
        elif isinstance(entry, GapEntry):
            gaps.append(entry)
        elif isinstance(entry, ChunkEntry):
            in_order = in_order and entry.seq > last_seq
            last_seq = entry.seq
            problem = chunk_problem(store, hearing_id, track, line_no, entry)
            if problem is not None:
                chunk_problems.append(problem)
                continue
            if entry.seq >= len(valid):
                valid.extend(bytes(entry.seq + 1 - len(valid)))
            valid[entry.seq] = 1
            count += 1
            if first_utc is None or entry.seq < first_seq:
                first_seq, first_utc = entry.seq, entry.start_utc
        else:
            closed = True
    if sample_rate_hz <= 0:
        raise RecordingError(f"index of track {track!r} of hearing {hearing_id} has no header")
    all_problems = tuple(problems + chunk_problems)  # as read_track_index orders them
    summary = TrackSummary(track, count, closed, tuple(gaps), all_problems, bytes(valid), in_order)
    return summary, sample_rate_hz, first_utc


def _valid_chunks(store: RecordingStore, hearing_id: int, s: TrackSummary) -> Iterator[ChunkEntry]:
    """The chunks found valid by :func:`_summarize`, in seq order, without re-reading them."""

    def ok(c: ChunkEntry) -> bool:
        return c.seq < len(s.valid_seqs) and s.valid_seqs[c.seq] == 1

    if not s.in_order:  # never written so by the journal; sorting needs the list
        idx = read_track_index(store, hearing_id, s.track, verify_chunks=False)
        yield from (c for c in idx.chunks if ok(c))
        return
    for _, entry in iter_index(store, hearing_id, s.track):
        if isinstance(entry, ChunkEntry) and ok(entry):
            yield entry


def plan_timeline(store: RecordingStore, hearing_id: int, *, snap_ms: int) -> Timeline:
    """Origin, length and per-track summaries of the hearing (two streaming passes)."""
    tracks = list_tracks(store, hearing_id)
    if not tracks:
        raise RecordingNotFoundError(f"hearing {hearing_id} has no recorded tracks")
    summaries: list[TrackSummary] = []
    rates: set[int] = set()
    origin: datetime | None = None
    for t in tracks:
        summary, rate, first_utc = _summarize(store, hearing_id, t)
        summaries.append(summary)
        rates.add(rate)
        if first_utc is not None and (origin is None or first_utc < origin):
            origin = first_utc
    if len(rates) != 1:
        raise RecordingError(f"tracks of hearing {hearing_id} differ in sample rate: {rates}")
    if origin is None:
        raise RecordingError(f"hearing {hearing_id} has no readable audio chunk")
    sr = rates.pop()
    timeline = Timeline(hearing_id, sr, origin, 0, ms_to_samples(snap_ms, sr), tuple(summaries))
    total = 0
    for s in summaries:
        for p in track_placements(store, timeline, s):
            total = max(total, p.end)
    return replace(timeline, total_samples=total)


def track_placements(
    store: RecordingStore, timeline: Timeline, summary: TrackSummary
) -> Iterator[Placement]:
    """The track's valid chunks placed on ``timeline`` (its index streamed once more)."""
    return place(
        _valid_chunks(store, timeline.hearing_id, summary),
        hearing_id=timeline.hearing_id,
        track=summary.track,
        sample_rate_hz=timeline.sample_rate_hz,
        origin=timeline.origin_utc,
        snap_samples=timeline.snap_samples,
    )
