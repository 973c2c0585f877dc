"""``HearingRecorder``: every speaker's tapped audio of one hearing, written crash-safe to disk.

    recorder = HearingRecorder(store, hearing_id=7, clock=utc_now)   # after a restart: logs the gap
    recorder.feed("participant-3", samples)          # on the event loop; never blocks
    recorder.pause("participant-3", "mute") / recorder.resume("participant-3")
    await recorder.close()                           # flush every track; then finalize_hearing(...)
    recorder.on_gap = callback                       # told of each gap as it is logged

Each track is a :class:`recordings.RecordingJournal` (fsync'd 1 s FLAC chunks with their UTC start,
so a crash loses at most about a second). Encoding and fsync run on one writer thread per hearing,
in the order the audio arrived; the event loop only queues. While a speaker is muted the tap feeds
zeros (so the ASR's clock keeps pace); the recording keeps them too, and the mute is logged as a
gap with its start and end, as are disconnections and server restarts: facts of the record.

Each gap is reported to ``on_gap`` (on the event loop) when it is logged, so the live hearing can
put it into the transcript too: a mute, leave or disconnect when the speaker is back (or at
closing), a restart gap when the speaker's audio first arrives after the restart, an overload gap
when the writer caught up. The gap times are read on the event loop; the journal writes them later,
on the writer thread, in the same order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic
from typing import Any

import numpy as np
import numpy.typing as npt

from hearing_server.security import Clock
from recordings import RecordingJournal, RecordingStore, recover

__all__ = ["GapCallback", "HearingRecorder", "RecordedGap"]

_logger = logging.getLogger(__name__)

SAMPLE_RATE_HZ = 16_000
MAX_QUEUED_S = 30.0
"""Audio waiting for the writer beyond this is dropped (and logged as a gap): never unbounded."""


@dataclass(frozen=True, slots=True)
class RecordedGap:
    """A gap as the recording journal logs it: whose track, from when to when (UTC), and why
    (``mute``, ``left``, ``removed``, ``disconnect``, ``restart``, ``overload``)."""

    key: str
    start_utc: datetime
    end_utc: datetime
    reason: str


GapCallback = Callable[[RecordedGap], None]


class HearingRecorder:
    def __init__(self, store: RecordingStore, hearing_id: int, clock: Clock) -> None:
        self.store = store
        self.hearing_id = hearing_id
        self._clock = clock
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"rec-{hearing_id}")
        self._journals: dict[str, RecordingJournal] = {}  # used on the writer thread only
        self._paused: dict[str, tuple[datetime, str]] = {}
        self._queued_samples = 0
        self._dropped_since: dict[str, datetime] = {}
        self._last: Future[Any] | None = None
        self._closed = False
        self.on_gap: GapCallback | None = None
        """Told of every gap as it is logged (on the event loop; it must not block)."""
        # Audio times: the UTC clock read once, then the monotonic clock (a wall-clock step, NTP
        # say, must not tear the recording's timeline apart).
        self._origin_utc = clock()
        self._origin_mono = monotonic()
        now = self._origin_utc
        self._restarted = {
            track: state.last_written_utc
            for track, state in recover(store, hearing_id).items()
            if state.last_written_utc is not None and state.last_written_utc < now
        }
        """Tracks recorded before a restart: their gap runs from the last durable audio to now."""
        self._restart_at = now

    # ---------------------------------------------------------------------------- event loop side

    def now(self) -> datetime:
        return self.utc_at(monotonic())

    def utc_at(self, monotonic_s: float) -> datetime:
        """The UTC time of a ``time.monotonic()`` reading, on this recorder's timeline."""
        return self._origin_utc + timedelta(seconds=monotonic_s - self._origin_mono)

    def feed(
        self, key: str, samples: npt.NDArray[np.float32], *, captured_until: float | None = None
    ) -> None:
        """Queue ``samples`` for ``key``'s track. ``captured_until``: when they ended at the sender
        (``time.monotonic()`` seconds, from the tap's capture clock); default: now (arrival)."""
        if self._closed or samples.size == 0:
            return
        end = self.now() if captured_until is None else self.utc_at(captured_until)
        start = end - timedelta(seconds=samples.size / SAMPLE_RATE_HZ)
        self._restart_gap(key)
        if self._queued_samples > MAX_QUEUED_S * SAMPLE_RATE_HZ:
            self._dropped_since.setdefault(key, start)
            return
        dropped = self._dropped_since.pop(key, None)
        if dropped is not None:
            _logger.error(
                "hearing %d [%s]: recorder fell behind, audio dropped", self.hearing_id, key
            )
            self._log_gap(key, dropped, start, "overload")
        self._queued_samples += samples.size
        self._submit(self._write, key, np.array(samples, dtype=np.float32, copy=True), start)

    def pause(self, key: str, reason: str) -> None:
        """A mute, a leave or a dropped connection began (logged as a gap when it ends)."""
        self._paused.setdefault(key, (self.now(), reason))

    def resume(self, key: str) -> None:
        if self._closed:
            return
        self._restart_gap(key)
        began = self._paused.pop(key, None)
        if began is not None:
            self._log_gap(key, began[0], self.now(), began[1])

    async def close(self) -> None:
        """End every open gap, flush and close every track (durable when this returns)."""
        if self._closed:
            return
        for key in list(self._paused):
            self.resume(key)
        self._closed = True
        await asyncio.wrap_future(self._writer.submit(self._close_all))
        self._writer.shutdown(wait=True)

    def _restart_gap(self, key: str) -> None:
        """The track was recorded before a restart: its gap, first of all it writes now."""
        last = self._restarted.pop(key, None)
        if last is not None:
            self._log_gap(key, last, self._restart_at, "restart")

    def _log_gap(self, key: str, start: datetime, end: datetime, reason: str) -> None:
        if end <= start:
            return
        self._submit(self._gap, key, start, end, reason)
        if self.on_gap is not None:
            try:
                self.on_gap(RecordedGap(key, start, end, reason))
            except Exception:  # the recording must go on whatever the listener does
                _logger.exception("hearing %d [%s]: gap listener failed", self.hearing_id, key)

    # ---------------------------------------------------------------------------- writer thread

    def _submit(self, fn: Any, *args: Any) -> None:
        self._last = self._writer.submit(self._guarded, fn, *args)

    def _guarded(self, fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        except Exception:
            _logger.exception("hearing %d: recording write failed", self.hearing_id)

    def _journal(self, key: str) -> RecordingJournal:
        journal = self._journals.get(key)
        if journal is None:
            journal = RecordingJournal(self.store, self.hearing_id, key, SAMPLE_RATE_HZ)
            self._journals[key] = journal
        return journal

    def _write(self, key: str, samples: npt.NDArray[np.float32], start: datetime) -> None:
        try:
            self._journal(key).write(samples, start)
        finally:
            self._queued_samples -= samples.size

    def _gap(self, key: str, start: datetime, end: datetime, reason: str) -> None:
        self._journal(key).gap(start, end, reason)

    def _close_all(self) -> None:
        for key, journal in self._journals.items():
            try:
                journal.close()
            except Exception:
                _logger.exception(
                    "hearing %d [%s]: closing the recording failed", self.hearing_id, key
                )
