"""The crash-safe journal of one audio track, and recovery after a restart.

:class:`RecordingJournal` buffers samples; every ``chunk_ms`` of audio it encodes one FLAC chunk,
stores it durably (file + directory fsync'd), then appends the chunk's line to the track's index
(fsync'd). A ``kill -9`` or power loss therefore loses at most the unwritten buffer (less than
``chunk_ms``, plus up to ``settle_ms`` of late audio held back: see the class); a chunk written
without its index line (crash between the two) is ignored and overwritten when writing resumes.
See :mod:`recordings.index` for the layout and line format.

One journal per track and one writer per journal: it is not thread-safe, and its writes block for
an encode and three fsyncs per chunk, so an asyncio caller runs :meth:`RecordingJournal.write` in
a worker thread (or gives each track its own thread).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from recordings.clock import RunClock, RunRules
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
    of the block's first sample (its arrival, for a live tap); within a run the sample clock is
    authoritative (a chunk's ``start_utc`` is the run's start plus the samples before it), and
    :class:`recordings.clock.RunClock` decides when a block starts a new run (the partial chunk
    before it is written first): a stall and its catch-up burst stay in the run, lateness that is
    not caught up is a gap, a block earlier than the run (clock step, fast sender) starts a new
    run at once. Late audio is held back for up to ``settle_ms`` while that is decided, so a
    crash loses at most ``chunk_ms + settle_ms`` (plus one block).
    """

    def __init__(
        self,
        store: RecordingStore,
        hearing_id: int,
        track: str,
        sample_rate_hz: int = 16_000,
        chunk_ms: int = 1000,
        *,
        drift_ms: int = 50,
        settle_ms: int = 200,
        confirm_ms: int = 2000,
    ) -> None:
        if sample_rate_hz <= 0 or chunk_ms <= 0:
            raise RecordingError("sample_rate_hz and chunk_ms must be positive")
        self.store = store
        self.hearing_id = int(hearing_id)
        self.track = validate_track_name(track)
        self.sample_rate_hz = sample_rate_hz
        self.chunk_ms = chunk_ms
        self.chunk_samples = ms_to_samples(chunk_ms, sample_rate_hz)
        self._runs = RunClock(
            RunRules(sample_rate_hz, drift_ms, settle_ms, confirm_ms, young_ms=chunk_ms)
        )
        self._held: list[Samples] = []  # late audio, undecided (see RunClock)
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
            self._runs.reset(floor=idx.end_utc)  # resumed audio never moves into what is written
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
        return samples_to_ms(self._buffered + self._runs.held_samples, self.sample_rate_hz)

    def write(self, samples: Samples, at_utc: datetime) -> None:
        """Buffer mono float32 ``samples`` whose first sample was captured at ``at_utc``."""
        self._check_open()
        block = np.asarray(samples, dtype=np.float32).reshape(-1)
        if block.size == 0:
            return
        step = self._runs.place(at_utc, block.size)
        if step.hold:
            self._held.append(block)
            return
        held, self._held = self._held, []
        if step.start is None or step.moved:
            self._append(held)  # young run: no chunk of it written yet (RunRules.young_ms)
            if step.start is not None:
                self._buffer_start_utc = step.start
            self._append([block])
            return
        if not step.held_too:
            self._append(held)
            held = []
        self._flush_partial()
        self._buffer_start_utc = step.start
        self._append([*held, block])

    def flush(self) -> None:
        """Write the partial chunk now (shorter than ``chunk_ms``)."""
        self._check_open()
        self._flush_partial()
        self._runs.written()

    def gap(self, start_utc: datetime, end_utc: datetime, reason: str) -> None:
        """Record that there is no audio from ``start_utc`` to ``end_utc`` and why.

        The partial chunk is written first, and the next :meth:`write` starts a new run.
        """
        self._check_open()
        if end_utc < start_utc:
            raise RecordingError(f"gap ends before it starts: {start_utc} > {end_utc}")
        self._release_held()
        self._flush_partial()
        self._buffer_start_utc = None
        self._runs.reset(floor=self.written_until_utc)
        self.store.append(
            self._index_key, encode_line(GapEntry(start_utc, end_utc, reason).to_json())
        )

    def close(self) -> None:
        """Write the partial chunk and mark the track closed (idempotent)."""
        if self._closed:
            return
        self._release_held()
        self._flush_partial()
        self.store.append(
            self._index_key, encode_line({"type": "close", "at_utc": format_utc(datetime.now(UTC))})
        )
        self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise RecordingError(f"journal of track {self.track!r} is closed")

    def _append(self, blocks: list[Samples]) -> None:
        """Add blocks to the current run; write every full chunk."""
        for block in blocks:
            self._buffer.append(block)
            self._buffered += block.size
        while self._buffered >= self.chunk_samples:
            self._emit(self.chunk_samples)

    def _release_held(self) -> None:
        """Held audio that must be written now (a gap or the end follows) continues its run."""
        held, self._held = self._held, []
        self._append(held)

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
