"""Child process for the kill -9 test and benchmark: feeds a journal until it is killed.

Usage: ``python -m tests.recordings.crash_writer ROOT HEARING_ID TRACK CHUNK_MS SPEEDUP``.
Feeds 20 ms blocks of a tone, paced at SPEEDUP × real time, and after each ``write`` returns prints
the total number of samples fed so far (flushed), so the parent knows what was handed over.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from recordings import LocalDirStore, RecordingJournal
from tests.recordings.signals import SR, at

BLOCK = SR // 50


def main(argv: list[str]) -> None:
    root, hearing_id, track, chunk_ms, speedup = argv
    journal = RecordingJournal(
        LocalDirStore(root), int(hearing_id), track, sample_rate_hz=SR, chunk_ms=int(chunk_ms)
    )
    t = np.arange(BLOCK) / SR
    fed = 0
    started = time.monotonic()
    out = sys.stdout
    while True:
        block = (0.3 * np.sin(2 * np.pi * 440 * (t + fed / SR))).astype(np.float32)
        journal.write(block, at(fed / SR))
        fed += BLOCK
        out.write(f"{fed}\n")
        out.flush()
        ahead_s = fed / SR / float(speedup) - (time.monotonic() - started)
        if ahead_s > 0:
            time.sleep(ahead_s)  # pacing the producer, not synchronisation


if __name__ == "__main__":
    main(sys.argv[1:])
