"""The crash-safe journal of one audio track, and recovery after a restart.

:class:`RecordingJournal` buffers samples; every ``chunk_ms`` of audio it encodes one FLAC chunk,
stores it durably (file + directory fsync'd), then appends the chunk's line to the track's index
(fsync'd). A ``kill -9`` or power loss therefore loses at most the unwritten buffer (less than
``chunk_ms``); a chunk written without its index line (crash between the two) is ignored and
overwritten when writing resumes. See :mod:`recordings.index` for the layout and line format.

One journal per track and one writer per journal: it is not thread-safe, and its writes block for
an encode and three fsyncs per chunk, so an asyncio caller runs :meth:`RecordingJournal.write` in
a worker thread (or gives each track its own thread).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from recordings.codec import Samples, encode_flac
from recordings.errors import RecordingError
from recordings.index import (
    ChunkEntry,
    GapEntry,
    IndexProblem,
    chunk_file_name,
    chunk_key,
    encode_line,
    index_key,
    list_tracks,
    read_track_index,
    sha256_hex,
    validate_track_name,
)
from recordings.store import RecordingStore
from recordings.timeline import format_utc, ms_to_samples, sample_to_utc, samples_to_ms

__all__ = ["RecordingJournal", "TrackRecovery", "recover"]

logger = logging.getLogger(__name__)


class RecordingJournal:
    """Append-only, chunked, fsync'd recording of one track of one hearing.

    Opening a track that already has an index resumes it: sequence numbers continue, a torn last
    index line is terminated first. ``at_utc`` passed to :meth:`write` is the UTC wall-clock time
    of the block's first sample; within a run the sample clock is authoritative (a chunk's
    ``start_utc`` is the run's start plus the samples before it), and a block whose ``at_utc``
    differs from the sample clock by more than ``resync_ms`` starts a new run (the partial chunk
    before it is written first).
    """

    def __init__(
        self,
        store: RecordingStore,
        hearing_id: int,
        track: str,
        sample_rate_hz: int = 16_000,
        chunk_ms: int = 1000,
        *,
        resync_ms: int = 250,
    ) -> None:
        if sample_rate_hz <= 0 or chunk_ms <= 0:
            raise RecordingError("sample_rate_hz and chunk_ms must be positive")
        self.store = store
        self.hearing_id = int(hearing_id)
        self.track = validate_track_name(track)
        self.sample_rate_hz = sample_rate_hz
        self.chunk_ms = chunk_ms
        self.chunk_samples = ms_to_samples(chunk_ms, sample_rate_hz)
        self.resync_ms = resync_ms
        self._index_key = index_key(self.hearing_id, self.track)
        self._buffer: list[Samples] = []
        self._buffered = 0
        self._buffer_start_utc: datetime | None = None
        self._closed = False
        self.written_until_utc: datetime | None = None
        if store.exists(self._index_key):
            idx = read_track_index(store, self.hearing_id, self.track, verify_chunks=False)
            if idx.sample_rate_hz != sample_rate_hz:
                raise RecordingError(
                    f"track {track!r} was recorded at {idx.sample_rate_hz} Hz, not {sample_rate_hz}"
                )
            if not idx.ends_with_newline:
                store.append(self._index_key, b"\n")
            self.next_seq = idx.next_seq
            self.written_until_utc = idx.end_utc
            logger.info(
                "hearing %s track %s: resuming at seq %d", self.hearing_id, track, self.next_seq
            )
        else:
            self.next_seq = 0
            header = {
                "type": "track",
                "track": self.track,
                "hearing_id": self.hearing_id,
                "sample_rate_hz": sample_rate_hz,
                "format": "flac",
                "created_utc": format_utc(datetime.now(UTC)),
            }
            # put, not append: the header is atomic, so an index never lacks its first line.
            store.put(self._index_key, encode_line(header))

    @property
    def buffered_ms(self) -> int:
        """Audio held in memory, not yet durable."""
        return samples_to_ms(self._buffered, self.sample_rate_hz)

    def write(self, samples: Samples, at_utc: datetime) -> None:
        """Buffer mono float32 ``samples`` whose first sample was captured at ``at_utc``."""
        self._check_open()
        block = np.asarray(samples, dtype=np.float32).reshape(-1)
        if block.size == 0:
            return
        if self._buffer_start_utc is None:
            self._buffer_start_utc = at_utc
        else:
            expected = sample_to_utc(self._buffer_start_utc, self._buffered, self.sample_rate_hz)
            if abs(at_utc - expected) > timedelta(milliseconds=self.resync_ms):
                self._flush_partial()
                self._buffer_start_utc = at_utc
        self._buffer.append(block)
        self._buffered += block.size
        while self._buffered >= self.chunk_samples:
            self._emit(self.chunk_samples)

    def flush(self) -> None:
        """Write the partial chunk now (shorter than ``chunk_ms``)."""
        self._check_open()
        self._flush_partial()

    def gap(self, start_utc: datetime, end_utc: datetime, reason: str) -> None:
        """Record that there is no audio from ``start_utc`` to ``end_utc`` and why.

        The partial chunk is written first, and the next :meth:`write` starts a new run.
        """
        self._check_open()
        if end_utc < start_utc:
            raise RecordingError(f"gap ends before it starts: {start_utc} > {end_utc}")
        self._flush_partial()
        self._buffer_start_utc = None
        self.store.append(
            self._index_key, encode_line(GapEntry(start_utc, end_utc, reason).to_json())
        )

    def close(self) -> None:
        """Write the partial chunk and mark the track closed (idempotent)."""
        if self._closed:
            return
        self._flush_partial()
        self.store.append(
            self._index_key, encode_line({"type": "close", "at_utc": format_utc(datetime.now(UTC))})
        )
        self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise RecordingError(f"journal of track {self.track!r} is closed")

    def _flush_partial(self) -> None:
        if self._buffered:
            self._emit(self._buffered)

    def _emit(self, n: int) -> None:
        assert self._buffer_start_utc is not None
        data = np.concatenate(self._buffer) if len(self._buffer) > 1 else self._buffer[0]
        chunk, rest = data[:n], data[n:]
        start_utc = self._buffer_start_utc
        encoded = encode_flac(chunk, self.sample_rate_hz)
        name = chunk_file_name(self.next_seq)
        self.store.put(chunk_key(self.hearing_id, self.track, name), encoded)
        entry = ChunkEntry(
            seq=self.next_seq,
            start_utc=start_utc,
            samples=n,
            duration_ms=samples_to_ms(n, self.sample_rate_hz),
            file=name,
            sha256=sha256_hex(encoded),
        )
        self.store.append(self._index_key, encode_line(entry.to_json()))
        self.next_seq += 1
        self._buffer_start_utc = sample_to_utc(start_utc, n, self.sample_rate_hz)
        self.written_until_utc = self._buffer_start_utc
        self._buffer = [rest] if rest.size else []
        self._buffered = int(rest.size)


@dataclass(frozen=True, slots=True)
class TrackRecovery:
    """The state of one track after a restart."""

    track: str
    last_written_utc: datetime | None  # end of the last durable chunk (None: no audio yet)
    next_seq: int
    closed: bool
    problems: tuple[IndexProblem, ...]


def recover(store: RecordingStore, hearing_id: int) -> dict[str, TrackRecovery]:
    """For each track of the hearing: where its durable audio ends.

    The caller logs a ``"restart"`` gap from ``last_written_utc`` to now and reopens a
    :class:`RecordingJournal` on the track, which continues the sequence numbers. Chunk files are
    verified (missing/corrupt ones are reported in ``problems`` and do not count).
    """
    out: dict[str, TrackRecovery] = {}
    for track in list_tracks(store, hearing_id):
        idx = read_track_index(store, hearing_id, track)
        out[track] = TrackRecovery(track, idx.end_utc, idx.next_seq, idx.closed, idx.problems)
    return out
