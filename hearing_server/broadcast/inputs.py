"""What the broadcast writer reads: one speaker's forwarded audio or camera, decoded.

    audio = AudioInput("staff-1", source.subscribe())   # Opus → 48 kHz mono, jitter-buffered
    audio.take_into(mix)                                  # the next 20 ms added to the mix
    video = VideoInput("staff-1", source.subscribe())   # VP8 → the latest picture (``latest``)

Each runs ``run()`` as a task until its track ends; nothing here blocks the event loop for
longer than decoding one packet.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

import av
import numpy as np
import numpy.typing as npt
from aiortc.mediastreams import MediaStreamError

from hearing_server.rtc.forwarding import EncodedTrack

__all__ = ["RATE_HZ", "AudioInput", "VideoInput"]

RATE_HZ = 48_000
PRIME = 3 * RATE_HZ // 50
"""Audio buffered before a speaker is mixed in (absorbs network jitter)."""
MAX_BUFFER = RATE_HZ // 4
"""More than this waiting (a burst after a stall) drops the oldest: latency stays bounded."""

Samples = npt.NDArray[np.float32]


class AudioInput:
    """One speaker: encoded Opus in, 48 kHz mono float samples out (a small jitter buffer)."""

    def __init__(self, key: str, track: EncodedTrack) -> None:
        self.key = key
        self.track = track
        self._decoder: Any = av.CodecContext.create("opus", "r")
        self._resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE_HZ)
        self._chunks: deque[Samples] = deque()
        self._size = 0
        self._primed = False
        self.level = 0.0
        """RMS of the last 20 ms mixed in (0 when nothing was)."""
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        while True:
            try:
                packet = await self.track.recv()
            except MediaStreamError:
                return
            try:
                frames = self._decoder.decode(packet)
            except av.FFmpegError:
                continue  # one corrupt packet: skip it
            for frame in frames:
                for out in self._resampler.resample(frame):
                    self._push(np.ascontiguousarray(out.to_ndarray().reshape(-1), np.float32))

    def _push(self, samples: Samples) -> None:
        self._chunks.append(samples)
        self._size += samples.size
        while self._size > MAX_BUFFER and len(self._chunks) > 1:
            self._size -= self._chunks.popleft().size
        if self._size >= PRIME:
            self._primed = True

    def take_into(self, mix: Samples) -> None:
        """Add the next ``len(mix)`` samples (silence where there are none) to ``mix``."""
        self.level = 0.0
        if not self._primed:
            return
        need, at = mix.size, 0
        energy = 0.0
        while need and self._chunks:
            chunk = self._chunks[0]
            used = min(need, chunk.size)
            mix[at : at + used] += chunk[:used]
            energy += float(np.dot(chunk[:used], chunk[:used]))
            if used == chunk.size:
                self._chunks.popleft()
            else:
                self._chunks[0] = chunk[used:]
            self._size -= used
            at += used
            need -= used
        self.level = (energy / mix.size) ** 0.5
        if need:
            self._primed = False  # ran dry: wait for a few frames again


class VideoInput:
    """One speaker's camera: encoded VP8 in, the latest decoded picture kept."""

    def __init__(self, key: str, track: EncodedTrack) -> None:
        self.key = key
        self.track = track
        self._decoder: Any = av.CodecContext.create("vp8", "r")
        self.latest: av.VideoFrame | None = None
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        while True:
            try:
                packet = await self.track.recv()
            except MediaStreamError:
                return
            try:
                frames = self._decoder.decode(packet)
            except av.FFmpegError:
                continue
            if frames:
                self.latest = frames[-1]
