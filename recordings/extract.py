"""Playback cuts: a time range of a finalized file as a small FLAC of its own."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import av
import numpy as np

from recordings.codec import FlacWriter
from recordings.errors import RecordingError
from recordings.timeline import ms_to_samples

__all__ = ["extract_range"]


def extract_range(source: Path | str | bytes, start_ms: int, end_ms: int) -> bytes:
    """FLAC bytes of ``[start_ms, end_ms)`` of a finalized file (for ``<audio>`` playback).

    Times are on the hearing's timeline (ms since the origin); the range is clipped to the file.
    The decoder seeks near ``start_ms`` first, so cutting a minute out of hours is cheap.
    """
    if end_ms < start_ms or start_ms < 0:
        raise RecordingError(f"invalid range [{start_ms}, {end_ms}) ms")
    src: io.BytesIO | str = io.BytesIO(source) if isinstance(source, bytes) else str(source)
    out = io.BytesIO()
    with av.open(src, mode="r") as container:
        stream = container.streams.audio[0]
        sr = stream.codec_context.sample_rate
        start = ms_to_samples(start_ms, sr)
        end = ms_to_samples(end_ms, sr)
        tb = stream.time_base
        if start > 0 and tb is not None:
            with contextlib.suppress(av.error.FFmpegError):
                container.seek(int(start / sr / tb), stream=stream, backward=True, any_frame=False)
        with FlacWriter(out, sr) as w:
            pos: int | None = None
            for frame in container.decode(stream):
                if frame.pts is not None and tb is not None:
                    pos = round(float(frame.pts * tb) * sr)
                elif pos is None:
                    pos = 0
                arr = frame.to_ndarray()
                samples = (arr.astype(np.float32) / 32768.0) if arr.dtype == np.int16 else arr
                mono = samples.mean(axis=0) if samples.shape[0] > 1 else samples[0]
                a, b = pos, pos + mono.size
                pos = b
                if b <= start:
                    continue
                if a >= end:
                    break
                w.write(np.asarray(mono[max(start - a, 0) : min(end, b) - a], dtype=np.float32))
    return out.getvalue()
