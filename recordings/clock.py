"""When a track's audio starts a new run: telling a late delivery from a real gap (pure).

A live tap stamps each block with its *arrival* time, and arrival is the capture time plus a
delay that is never negative and varies: network jitter, an event loop or network stall after
which the queued audio arrives in one burst. Within a run the sample clock is authoritative, so
the question for each block is only whether it continues the run or starts a new one at some
UTC time. The rule (:class:`RunClock`), with ``L`` a block's lateness, its stamp minus the
run's sample clock at its first sample:

- ``|L| <= drift_ms`` (50): the block continues the run (jitter, slow clock drift).
- ``L < 0`` while the run is *young* (less than ``young_ms``, the journal's ``chunk_ms``, so none
  of it is durable yet) and by at most ``confirm_ms``: the run was anchored on a delayed block
  (jitter, a burst as the track starts). Its start moves earlier to the earliest arrival, never
  before the end of the run before it.
- ``L < -drift_ms`` otherwise: the block arrived *earlier* than the run says it was captured.
  Delays cannot do that: the sender's clock is fast or the wall clock stepped back. A new run
  starts at the block's stamp; the overlap with the run before is the finaliser's to resolve
  (snapped end to end up to its ``snap_ms``, beyond that the later chunk's head is dropped: the
  last resort for a clock stepping back). A step back within a young run is taken for a burst.
- ``L > drift_ms``: *late*. The audio is held back (not written) for ``settle_ms`` (200) of audio.
  A stall's catch-up burst brings ``L`` down by about the audio it carries; audio resuming at
  real-time rate after an outage whose packets were lost does not. So: caught up at half the
  real-time rate or faster over the held audio, it is a stall and everything continues the run
  (contiguous: no sample lost, no silence inserted); otherwise it is a gap, and the held audio
  begins a new run moved later by the *least* lateness seen (the gap's length; the rest was
  delay). A stall still not caught up after ``confirm_ms`` (2000) of audio is taken for a gap
  at that block, by the same measure.

Error bounds, for a gap of length ``D`` with arrival jitter ``J``: the hole's length is ``D``
within ``J`` and it is placed at the right sample (the held audio is not yet written); if jitter
fakes a catch-up over the first ``settle_ms``, the hole is placed up to ``confirm_ms`` of audio
late (and that audio ``D`` early), since durable chunks are never rewritten. A stall longer than
about ``confirm_ms`` is taken for a gap part-way through its burst; the rest of the burst is then
early and the finaliser drops up to the stall's length minus ``confirm_ms``. So is a burst caught
up slower than half real time, and a burst longer than ``young_ms`` at the start of a run.
Memory: at most ``settle_ms`` (plus one block) is held beyond the journal's partial chunk, so a
crash loses at most about ``chunk_ms + settle_ms``.

A sender clock off by ``p`` (±200 ppm: 0.2 ms/s) moves ``L`` by ``p`` per second of audio; about
every ``drift_ms / p`` (250 s at 200 ppm) a new run re-anchors the track on the arrival clock,
a hole (slow sender) or an overlap (fast) of about ``drift_ms``: the runs' UTC starts stay within
``drift_ms`` plus jitter of the truth. The finaliser places runs end to end while the offset is
within its snap (50 ms), then inserts silence (slow) or drops audio (fast) of about 50-100 ms at
a run boundary: a fast sender really sends more audio than the hour holds (0.72 s at 200 ppm).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from recordings.errors import RecordingError
from recordings.timeline import ms_to_samples, sample_to_utc

__all__ = ["RunClock", "RunRules", "RunStep"]


@dataclass(frozen=True, slots=True)
class RunRules:
    """The tolerances of :class:`RunClock` (see the module docstring)."""

    sample_rate_hz: int = 16_000
    drift_ms: int = 50
    """Lateness or earliness tolerated within a run without a decision."""
    settle_ms: int = 200
    """Late audio held back (not yet durable) until the lateness shows a stall or a gap."""
    confirm_ms: int = 2000
    """Lateness persisting over this much audio is a gap even while it is being caught up."""
    young_ms: int = 1000
    """While a run holds less audio than this (none of it durable yet: the journal's chunk_ms),
    an early block moves its start earlier instead of starting a new run."""

    def __post_init__(self) -> None:
        limits = (self.drift_ms, self.settle_ms, self.confirm_ms, self.young_ms)
        if self.sample_rate_hz <= 0 or min(limits) < 0:
            raise RecordingError(f"invalid run rules: {self}")


@dataclass(frozen=True, slots=True)
class RunStep:
    """What to do with a block (and the blocks held before it).

    - ``hold``: keep the block in memory after the held ones; nothing is decided yet.
    - ``start is None``: the held blocks and this one continue the run.
    - ``start`` and ``held_too``: the held blocks then this one begin a new run at ``start``.
    - ``start`` and not ``held_too``: the held blocks continue the run, this one begins a new run.
    - ``start`` and ``moved``: the held blocks and this one continue the run, which now starts at
      ``start`` (earlier; none of it is durable yet).
    """

    hold: bool = False
    start: datetime | None = None
    held_too: bool = False
    moved: bool = False


_HOLD = RunStep(hold=True)
_CONTINUE = RunStep()


class RunClock:
    """Decides, block by block, whether a track's audio continues its run (pure state machine).

    The caller holds the blocks it is told to hold and calls :meth:`reset` after logging a gap
    (the next block starts a run). Held blocks a caller must write anyway (closing) continue the
    run; :meth:`reset` afterwards. A caller that writes a run's audio before ``young_ms`` of it
    (a flush) calls :meth:`written`: the run's start must then stay put.
    """

    def __init__(self, rules: RunRules) -> None:
        self.rules = rules
        self._drift = timedelta(milliseconds=rules.drift_ms)
        self._settle = ms_to_samples(rules.settle_ms, rules.sample_rate_hz)
        self._confirm = ms_to_samples(rules.confirm_ms, rules.sample_rate_hz)
        self._young = ms_to_samples(rules.young_ms, rules.sample_rate_hz)
        self._confirm_span = timedelta(milliseconds=rules.confirm_ms)
        self._anchor: datetime | None = None
        self._floor: datetime | None = None  # end of the run before (a moved start stays after)
        self._written = False  # part of the run is durable: its start can no longer move
        self._run = 0  # samples decided to be in the run
        self._held = 0  # samples held, undecided, after them
        self._first_late = timedelta(0)  # lateness of the first held block
        self._late = 0  # audio received since the run went late (a stall being caught up)
        self._late_min: timedelta | None = None  # least lateness since the run went late

    @property
    def held_samples(self) -> int:
        return self._held

    def written(self) -> None:
        """The caller made part of the run durable early (a flush): its start stays put."""
        self._written = True

    def reset(self, floor: datetime | None = None) -> None:
        """Forget the run: the next block starts one, and moves no earlier than ``floor``."""
        self._anchor, self._floor, self._held, self._late_min = None, floor, 0, None

    def place(self, at_utc: datetime, samples: int) -> RunStep:
        """The step for a block of ``samples`` whose first sample is stamped ``at_utc``."""
        if samples <= 0:
            raise RecordingError("a block has at least one sample")
        if self._anchor is None:
            return self._new_run(at_utc, samples, held_too=False)
        held_start = sample_to_utc(self._anchor, self._run, self.rules.sample_rate_hz)
        expected = sample_to_utc(held_start, self._held, self.rules.sample_rate_hz)
        lateness = at_utc - expected
        young = not self._written and self._run + self._held < self._young
        if lateness < timedelta(0) and young and -lateness <= self._confirm_span:
            # A run anchored on a delayed block (jitter, a burst at its start) starts at its
            # earliest arrival, if none of it is durable yet and not before the run before it.
            self._run += self._held
            self._held, self._late_min = 0, None
            start = self._anchor + lateness
            if self._floor is not None:
                start = max(start, self._floor)
            if start >= self._anchor:
                return self._continue(samples)
            self._anchor = start
            self._continue(samples)
            return RunStep(start=start, moved=True)
        if lateness < -self._drift:  # early: a fast sender, a clock step back
            self._run += self._held
            return self._new_run(at_utc, samples, held_too=False)
        if lateness <= self._drift:
            self._late_min = None
            return self._continue(samples)
        if self._late_min is None:  # the run goes late: hold until a stall or a gap shows
            self._late_min, self._first_late, self._late = lateness, lateness, 0
            self._held = samples
            return _HOLD
        self._late_min = min(self._late_min, lateness)
        if self._held:
            if self._held < self._settle:
                self._held += samples
                return _HOLD
            if self._first_late - lateness < timedelta(seconds=self._held / 2 / self._sr):
                # Not caught up at half real-time rate or faster: audio was lost, not delayed.
                return self._new_run(held_start + self._late_min, samples, held_too=True)
            self._late = self._held
        elif self._late >= self._confirm:  # a long stall, or a gap the settling missed
            return self._new_run(expected + self._late_min, samples, held_too=False)
        self._late += samples
        return self._continue(samples)

    @property
    def _sr(self) -> int:
        return self.rules.sample_rate_hz

    def _continue(self, samples: int) -> RunStep:
        self._run += self._held + samples
        self._held = 0
        return _CONTINUE

    def _new_run(self, start: datetime, samples: int, *, held_too: bool) -> RunStep:
        run = samples + (self._held if held_too else 0)
        if self._anchor is not None:
            self._floor = sample_to_utc(self._anchor, self._run, self._sr)
            if start < self._floor:  # a step back: the run may still not move before itself
                self._floor = start
        self._anchor, self._run, self._held, self._late_min = start, run, 0, None
        self._written = False
        return RunStep(start=start, held_too=held_too)
