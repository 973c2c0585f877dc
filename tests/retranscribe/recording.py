"""A finished hearing's recording made of spoken phrases, as the live server writes it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np

from recordings import LocalDirStore, RecordingJournal, finalize_hearing

RATE_HZ = 16_000
PAUSE_MS = 1500


def record_phrases(
    store: LocalDirStore, hearing_id: int, track: str, wavs: Sequence[Path], origin: datetime
) -> list[tuple[int, int]]:
    """Write ``wavs`` one after another (with pauses) as ``track``'s audio from ``origin``, then
    finalise the recording; each phrase's ``(start_ms, end_ms)`` on the recording's timeline."""
    from asr.audio import decode_file  # here: only the tests that record need PyAV

    pause = np.zeros(RATE_HZ * PAUSE_MS // 1000, dtype=np.float32)
    parts: list[np.ndarray] = [pause]
    spans = []
    at = len(pause)
    for wav in wavs:
        audio = decode_file(wav).astype(np.float32)
        spans.append((at * 1000 // RATE_HZ, (at + len(audio)) * 1000 // RATE_HZ))
        parts += [audio, pause]
        at += len(audio) + len(pause)
    journal = RecordingJournal(store, hearing_id, track)
    journal.write(np.concatenate(parts), origin)
    journal.close()
    finalize_hearing(store, hearing_id)
    return spans
