"""The recording wins over recognition when the CPU is short (issue 13, defect 12).

Four participants (aiortc peers with microphone and camera, taking turns to speak real Mandarin)
join ``tingshen serve --demo`` (real app, real Whisper model) while two busy-loop processes take
the two cores. Before the fix each track of such a hearing had a hole and an overlap for every
stall of the server or the sender (tens a minute, several seconds lost): audio was placed by its
arrival time. Now audio is placed by the sender's RTP clock and recognition runs at a lower CPU
priority than the media path, so every track holds what its sender sent, within the close-down
margin, in one piece. Recognition may lag (the benchmark reports by how much); it still runs.

Runs inside a private network namespace (the runner re-executes this module with ``unshare -n``).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.e2e.harness import assert_private_namespace, inside_namespace, run_module_in_namespace
from tests.e2e.loaded_hearing import run_loaded_hearing

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(400)]

MAX_LOST_S = 1.0
"""Audio a track may miss: what is still in flight when its peer hangs up (one chunk at most)."""
MAX_HOLES = 1
SECONDS = 20.0
"""How long the four speak under stress. Before the fix a stalled server or sender left a hole and
an overlap in every track for each stall, tens a minute: 20 s of stress shows several (this test
had 30 s; the bound it checks does not scale with the length, every second of stress can break
it)."""
SLOT_S = 5.0
"""Each participant speaks once, for 5 s (and is silent, still sending, the rest of the time)."""


def test_recording_under_cpu_stress_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=390)


def test_every_track_keeps_what_its_sender_sent_while_the_cpu_is_short(tmp_path: Path) -> None:
    if not inside_namespace():
        pytest.skip("runs only inside a private network namespace (see the runner)")
    assert_private_namespace()
    result = asyncio.run(
        run_loaded_hearing(
            tmp_path, participants=4, seconds=SECONDS, slot_s=SLOT_S, stress=2, catch_up_s=90
        )
    )
    assert len(result.tracks) == 4
    for track in result.tracks.values():
        print(track, f"lost {track.lost_s:.2f} s")
        assert track.sent_s > SECONDS / 2, (
            f"{track.track}: the sender sent only {track.sent_s:.1f} s"
        )
        assert track.lost_s <= MAX_LOST_S, track
        assert track.holes <= MAX_HOLES, track
        assert "overload" not in track.gaps, track
    print(f"commits {result.commits}, lag p50 {result.lag_p50_s} s")
    assert result.commits > 0, "recognition stopped altogether"
