"""Property tests of :class:`recordings.clock.RunClock`: stalls, outages, drift, clock steps.

Each scenario simulates a sender capturing contiguous 20 ms blocks, a path delivering them (with
jitter, stalls, losses) in order, and the recorder's stamp (arrival minus the block's duration).
:func:`_place` plays the journal's part: it applies each :class:`RunStep` and returns where every
delivered block ends up on the UTC timeline, so the properties are about placements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recordings.clock import RunClock, RunRules
from recordings.errors import RecordingError

SR = 16_000
BLOCK = 320  # 20 ms
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
RULES = RunRules(SR)
SETTLE = RULES.settle_ms * SR // 1000


@dataclass(frozen=True)
class Block:
    true_s: float  # capture time of the first sample (server clock), seconds after T0
    stamp_s: float  # what the recorder stamps it with


@dataclass
class Placed:
    placed_s: list[float]  # placed UTC start of each delivered block, seconds after T0
    run_starts: list[int]  # indices of blocks that begin a run
    max_held: int  # most samples ever held undecided


def _utc(s: float) -> datetime:
    return T0 + timedelta(microseconds=round(s * 1e6))


def _s(t: datetime) -> float:
    return (t - T0) / timedelta(seconds=1)


def _place(blocks: list[Block], rules: RunRules = RULES) -> Placed:
    clock = RunClock(rules)
    runs: list[int] = []
    run_start, run_samples = 0.0, 0
    held: list[int] = []
    current: list[int] = []  # blocks of the current run
    max_held = 0
    placed = [0.0] * len(blocks)
    seen: set[int] = set()

    def append(i: int) -> None:
        nonlocal run_samples
        placed[i] = run_start + run_samples / SR
        run_samples += BLOCK
        current.append(i)
        seen.add(i)

    for i, b in enumerate(blocks):
        step = clock.place(_utc(b.stamp_s), BLOCK)
        max_held = max(max_held, clock.held_samples)
        if step.hold:
            held.append(i)
            continue
        if step.start is None or step.moved:
            for j in [*held, i]:
                append(j)
            if step.start is not None:  # the young run moved: nothing of it was written yet
                assert run_samples <= RULES.young_ms * SR // 1000 + BLOCK
                run_start = _s(step.start)
                for k, j in enumerate(current):
                    placed[j] = run_start + k * BLOCK / SR
        else:
            if not step.held_too:
                for j in held:
                    append(j)
            first = held[0] if step.held_too and held else i
            run_start, run_samples, current = _s(step.start), 0, []
            runs.append(first)
            for j in [*held, i] if step.held_too else [i]:
                append(j)
        held = []
    for j in held:  # the journal's close: held audio continues the run
        append(j)
    assert len(seen) == len(blocks)
    return Placed(placed, runs, max_held)


def _deliver(
    n_blocks: int,
    *,
    delays: list[float],
    stall: tuple[float, float] | None = None,
    lost: tuple[float, float] | None = None,
    ppm: float = 0.0,
) -> list[Block]:
    """Blocks captured back to back (at a sender clock off by ``ppm``), delivered in order.

    ``stall=(t, d)``: nothing is delivered from ``t`` for ``d`` s, then the queue in one burst.
    ``lost=(t, d)``: blocks captured from ``t`` for ``d`` s never arrive (an outage).
    """
    out: list[Block] = []
    arrival = 0.0
    dur = BLOCK / SR / (1 + ppm * 1e-6)
    for k in range(n_blocks):
        true = k * dur
        if lost is not None and lost[0] <= true < lost[0] + lost[1]:
            continue
        arrival = max(arrival, true + dur + delays[k % len(delays)])
        if stall is not None and stall[0] <= arrival < stall[0] + stall[1]:
            arrival = stall[0] + stall[1]
        out.append(Block(true, arrival - BLOCK / SR))
    return out


JITTER_S = 0.040
jitter = st.lists(st.floats(0.0, JITTER_S), min_size=1, max_size=50)  # path delays, s


@settings(max_examples=60, deadline=None)
@given(
    delays=jitter,
    stall_at=st.floats(0.5, 4.0),
    stall_s=st.floats(0.0, 2.0),
)
def test_a_stall_and_its_burst_stay_one_contiguous_run(delays, stall_at, stall_s):
    blocks = _deliver(400, delays=delays, stall=(stall_at, stall_s))  # 8 s
    p = _place(blocks)
    assert p.run_starts == [0]
    assert all(abs(p.placed_s[i] - b.true_s) <= JITTER_S + 1e-4 for i, b in enumerate(blocks))
    assert p.max_held <= SETTLE + BLOCK


@settings(max_examples=60, deadline=None)
@given(
    delays=jitter,
    lost_at=st.floats(0.5, 4.0),
    lost_s=st.floats(0.1, 10.0),
)
def test_an_outage_leaves_a_hole_of_its_length_at_its_place(delays, lost_at, lost_s):
    blocks = _deliver(800, delays=delays, lost=(lost_at, lost_s))  # 16 s
    p = _place(blocks)
    first_after = next(i for i, b in enumerate(blocks) if b.true_s >= lost_at + lost_s)
    assert p.run_starts == [0, first_after]
    # every block, hence the hole's start, end and length, within the jitter of the truth
    assert all(abs(p.placed_s[i] - b.true_s) <= JITTER_S + 1e-4 for i, b in enumerate(blocks))


@settings(max_examples=12, deadline=None)
@given(delays=jitter, ppm=st.floats(-200.0, 200.0))
def test_sender_drift_never_strays_beyond_drift_ms(delays, ppm):
    blocks = _deliver(3000 * 50, delays=delays, ppm=ppm)  # 50 min of 20 ms blocks
    p = _place(blocks)
    bound = RULES.drift_ms / 1000 + JITTER_S + BLOCK / SR
    assert max(abs(p.placed_s[i] - b.true_s) for i, b in enumerate(blocks)) <= bound
    # a run boundary moves the track by at most about drift_ms: a few ms dropped or inserted
    for i in p.run_starts[1:]:
        prev_end = p.placed_s[i - 1] + BLOCK / SR
        assert abs(p.placed_s[i] - prev_end) <= bound
    # 50 min at |ppm| <= 200 is at most 0.6 s of drift: at most about one boundary per 50 ms
    assert len(p.run_starts) - 1 <= abs(ppm) * 3000e-6 / (RULES.drift_ms / 1000) + 1


@settings(max_examples=40, deadline=None)
@given(delays=jitter, step_at=st.integers(50, 300), step_s=st.floats(0.5, 10.0))
def test_a_clock_step_back_starts_a_run_at_once(delays, step_at, step_s):
    blocks = _deliver(400, delays=delays)
    blocks = blocks[:step_at] + [Block(b.true_s, b.stamp_s - step_s) for b in blocks[step_at:]]
    p = _place(blocks)
    assert p.run_starts == [0, step_at]
    assert p.placed_s[step_at] == pytest.approx(blocks[step_at].stamp_s, abs=1e-6)


def test_lateness_not_caught_up_within_settle_ms_is_a_gap():
    """Documented limit: lateness that later vanishes at once (not a burst) made a gap first."""
    blocks = [Block(k * 0.02, k * 0.02 + (0.5 if 50 <= k < 100 else 0.0)) for k in range(150)]
    p = _place(blocks)
    assert p.run_starts[:2] == [0, 50]
    assert p.placed_s[50] == pytest.approx(1.5, abs=1e-6)


def test_a_stall_longer_than_confirm_ms_becomes_a_gap_midway():
    blocks = _deliver(400, delays=[0.0], stall=(1.0, 3.0))
    p = _place(blocks)
    assert len(p.run_starts) >= 2  # the rest of the burst is early: the finaliser's last resort
    first_late = next(i for i, b in enumerate(blocks) if b.stamp_s - b.true_s > 0.05)
    assert p.run_starts[1] == first_late + RULES.confirm_ms // 20


def test_held_audio_is_bounded_and_reset_forgets_the_run():
    clock = RunClock(RULES)
    assert clock.place(_utc(0), BLOCK).start == _utc(0)
    assert clock.place(_utc(1.0), BLOCK).hold
    assert clock.held_samples == BLOCK
    clock.reset()
    assert clock.held_samples == 0
    assert clock.place(_utc(5.0), BLOCK).start == _utc(5.0)
    with pytest.raises(RecordingError):
        clock.place(_utc(5.1), 0)
    with pytest.raises(RecordingError):
        RunRules(SR, drift_ms=-1)


@settings(max_examples=40, deadline=None)
@given(delays=jitter, burst_s=st.floats(0.0, 0.95))
def test_a_run_starting_in_a_burst_moves_back_to_its_earliest_arrival(delays, burst_s):
    """The first blocks come in a burst (a stall as the track starts): one run, no overlap.

    Only while none of the run is durable (``young_ms``, the journal's chunk_ms): a longer burst
    at a run's start is the finaliser's to resolve (its overlap rule).
    """
    blocks = _deliver(400, delays=delays, stall=(0.0, burst_s))
    p = _place(blocks)
    assert p.run_starts == [0]
    assert all(abs(p.placed_s[i] - b.true_s) <= JITTER_S + 1e-4 for i, b in enumerate(blocks))


def test_a_moved_start_never_overlaps_the_run_before():
    clock = RunClock(RULES)
    clock.place(_utc(0.0), BLOCK)
    assert clock.place(_utc(0.02 + 0.5), BLOCK).hold  # an outage of 0.5 s ...
    for k in range(2, 20):
        step = clock.place(_utc(k * 0.02 + 0.5), BLOCK)
        if step.start is not None:
            break
    assert step.start == _utc(0.52) and step.held_too  # ... is a gap: a new run after it
    # then blocks of the new run arrive early (as if its anchor had been late): it moves back,
    # but not before the end of the run before it (one block: 0.02 s)
    step = clock.place(_utc(0.0), BLOCK)
    assert step.moved and step.start == _utc(0.02)
