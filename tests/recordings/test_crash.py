"""kill -9 a writer mid-hearing, recover, resume, finalize."""

from __future__ import annotations

import random

import pytest

from recordings import LocalDirStore, RecordingJournal, finalize_hearing, recover
from tests.recordings.crash import run_and_kill
from tests.recordings.signals import SR, at, feed, tone

CHUNK_MS = 500
BLOCK = SR // 50


@pytest.mark.parametrize("trial", range(3))
def test_kill_9_loses_at_most_one_chunk(tmp_path, trial):
    rng = random.Random(trial)
    res = run_and_kill(
        tmp_path,
        kill_after_chunks=rng.randint(2, 4),
        chunk_ms=CHUNK_MS,
        extra_lines=rng.randint(0, 30),
    )
    missing = res.fed_samples - res.durable_samples
    # The last block may be durable before its "fed" line was printed: hence -BLOCK.
    assert -BLOCK <= missing < SR * CHUNK_MS // 1000 + BLOCK
    assert res.durable_samples % (SR * CHUNK_MS // 1000) == 0  # only whole chunks were written

    store = LocalDirStore(tmp_path)
    state = recover(store, 1)["p"]
    assert state.problems == ()
    assert state.next_seq == res.chunks
    assert state.last_written_utc == at(res.durable_samples / SR)
    # The caller logs the restart gap and resumes; sequence numbers continue.
    restart_s = res.fed_samples / SR + 1.0
    j = RecordingJournal(store, 1, "p", sample_rate_hz=SR, chunk_ms=CHUNK_MS)
    j.gap(state.last_written_utc, at(restart_s), "restart")
    feed(j, tone(440, 1.0), restart_s)
    j.close()
    assert recover(store, 1)["p"].next_seq == res.chunks + 2
    rec = finalize_hearing(store, 1)
    assert rec.duration_ms == round((restart_s + 1.0) * 1000)
    assert rec.manifest["gaps"][0]["reason"] == "restart"
