"""One participant's finalized file: their chunks in order on the hearing's timeline.

Streamed: one chunk is read, checked and decoded at a time and encoded straight into the store
(:class:`~recordings.flac_object.FlacObject`), so memory does not grow with the hearing's
length. Silence fills the time before the first chunk, every gap, and the end up to the
timeline's length, so every file of the hearing has the same length.
"""

from __future__ import annotations

import numpy as np

from recordings.codec import decode_flac
from recordings.errors import RecordingError
from recordings.flac_object import FlacObject
from recordings.index import sha256_hex
from recordings.manifest import FinalFile, final_key
from recordings.placement import Timeline, TrackSummary, track_placements
from recordings.store import RecordingStore
from recordings.timeline import samples_to_ms

__all__ = ["write_track"]


def write_track(
    store: RecordingStore, timeline: Timeline, summary: TrackSummary
) -> tuple[FinalFile, list[dict[str, int]]]:
    """Write ``final/<track>.flac``; returns it and its unrecorded stretches (ms)."""
    track = summary.track
    sr, total = timeline.sample_rate_hz, timeline.total_samples
    key = final_key(timeline.hearing_id, track)
    holes: list[dict[str, int]] = []

    def hole(start: int, end: int) -> None:
        holes.append({"start_ms": samples_to_ms(start, sr), "end_ms": samples_to_ms(end, sr)})

    with FlacObject(store, key, sr, total) as out:
        pos = 0
        for p in track_placements(store, timeline, summary):
            if p.end > total:
                raise RecordingError(f"{p.key} was added during finalisation")
            if p.offset > pos:
                out.write_silence(p.offset - pos)
                hole(pos, p.offset)
            data = store.get(p.key)
            if sha256_hex(data) != p.sha256:
                raise RecordingError(f"{p.key} changed during finalisation")
            audio = decode_flac(data)[p.skip : p.samples]
            if audio.size < p.samples - p.skip:  # a chunk decoding short: keep the timeline
                audio = np.pad(audio, (0, p.samples - p.skip - audio.size))
            out.write(audio)
            pos = p.end
        if total > pos:
            out.write_silence(total - pos)
            hole(pos, total)
        written = out.commit()
    final = FinalFile(
        track, key, written.sha256, written.size_bytes, total, samples_to_ms(total, sr)
    )
    return final, holes
