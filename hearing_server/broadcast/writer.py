"""The broadcast writer: a live hearing's audio, mixed, as HLS segments in a directory.

    writer = BroadcastWriter(forwarder, out_dir, participants=lambda: peers.participants)
    writer.start()
    ...                       # out_dir/index.m3u8 (FFmpeg's playlist) and out_dir/seg00000.ts …
    await writer.stop()       # the last segment is flushed and the playlist ends (ENDLIST)

What it taps: each participant's incoming audio as the :class:`~hearing_server.rtc.relay.Forwarder`
already has it, encoded (Opus), through one more subscription of the participant's
:class:`~hearing_server.rtc.forwarding.EncodedSource`, exactly as another participant's peer
would receive it. So the broadcast costs the hearing one subscriber whatever the number of
observers, and observers never touch the media session. Each subscription is decoded (PyAV's
Opus decoder), resampled to 48 kHz mono, and jitter-buffered; a mixer paced by the event loop's
clock sums every speaker each 20 ms (missing audio is silence, so the broadcast's time is the
hearing's wall-clock time) and encodes AAC into FFmpeg's HLS muxer (2 s MPEG-TS segments with
``#EXT-X-PROGRAM-DATE-TIME``, which :mod:`hearing_server.broadcast.playlist` delays).

Audio only, for now: a composed or active-speaker video is the next step (see docs/architecture.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
from aiortc.mediastreams import MediaStreamError

from hearing_server.rtc.forwarding import EncodedTrack
from hearing_server.rtc.relay import Forwarder

__all__ = ["PLAYLIST", "SEGMENT_S", "BroadcastWriter"]

_logger = logging.getLogger(__name__)

RATE_HZ = 48_000
FRAME = RATE_HZ // 50  # 20 ms
SEGMENT_S = 2
PLAYLIST = "index.m3u8"
PRIME = 3 * FRAME
"""Audio buffered before a speaker is mixed in (absorbs network jitter)."""
MAX_BUFFER = RATE_HZ // 4
"""More than this waiting (a burst after a stall) drops the oldest: latency stays bounded."""
MAX_LAG_S = 1.0
"""A mixer this far behind the clock (a stalled event loop) skips ahead instead of catching up."""
RESCAN_FRAMES = 25
"""How often (in 20 ms frames) the writer looks for speakers who joined."""

Samples = npt.NDArray[np.float32]


class _Input:
    """One speaker: encoded Opus in, 48 kHz mono float samples out (a small jitter buffer)."""

    def __init__(self, key: str, track: EncodedTrack) -> None:
        self.key = key
        self.track = track
        self._decoder: Any = av.CodecContext.create("opus", "r")
        self._resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE_HZ)
        self._chunks: deque[Samples] = deque()
        self._size = 0
        self._primed = False
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
        if not self._primed:
            return
        need, at = mix.size, 0
        while need and self._chunks:
            chunk = self._chunks[0]
            used = min(need, chunk.size)
            mix[at : at + used] += chunk[:used]
            if used == chunk.size:
                self._chunks.popleft()
            else:
                self._chunks[0] = chunk[used:]
            self._size -= used
            at += used
            need -= used
        if need:
            self._primed = False  # ran dry: wait for a few frames again


class BroadcastWriter:
    def __init__(
        self,
        forwarder: Forwarder,
        out_dir: Path,
        *,
        participants: Callable[[], tuple[str, ...]],
    ) -> None:
        self.out_dir = out_dir
        self.frames_written = 0
        self._forwarder = forwarder
        self._participants = participants
        self._inputs: dict[str, _Input] = {}
        self._task: asyncio.Task[None] | None = None
        self._container: Any = None
        self._stream: Any = None

    @property
    def playlist(self) -> Path:
        return self.out_dir / PLAYLIST

    @property
    def speakers(self) -> tuple[str, ...]:
        return tuple(k for k, i in self._inputs.items() if i.task is not None and not i.task.done())

    def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("BroadcastWriter.start() called twice")
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._container = av.open(
            str(self.playlist),
            mode="w",
            format="hls",
            options={
                "hls_time": str(SEGMENT_S),
                "hls_list_size": "0",
                "hls_flags": "program_date_time+independent_segments+temp_file",
                "hls_segment_type": "mpegts",
                "hls_segment_filename": str(self.out_dir / "seg%05d.ts"),
            },
        )
        stream = self._container.add_stream("aac", rate=RATE_HZ)
        stream.layout = "mono"
        stream.bit_rate = 64_000
        self._stream = stream
        self._task = asyncio.get_running_loop().create_task(self._mix(), name="broadcast-mix")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for item in self._inputs.values():
            item.track.stop()
            if item.task is not None:
                item.task.cancel()
        await asyncio.gather(
            *(i.task for i in self._inputs.values() if i.task is not None), return_exceptions=True
        )
        self._inputs.clear()
        container, self._container = self._container, None
        if container is not None:
            try:
                for packet in self._stream.encode(None):
                    container.mux(packet)
            finally:
                container.close()  # writes the last segment and #EXT-X-ENDLIST

    def _rescan(self) -> None:
        for key in self._participants():
            current = self._inputs.get(key)
            if current is not None and current.task is not None and not current.task.done():
                continue
            source = self._forwarder.source(key, "audio")
            if source is None:
                continue
            item = _Input(key, source.subscribe())
            item.task = asyncio.get_running_loop().create_task(
                item.run(), name=f"broadcast-input:{key}"
            )
            self._inputs[key] = item

    async def _mix(self) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        time_base = Fraction(1, RATE_HZ)
        mix = np.zeros(FRAME, dtype=np.float32)
        while True:
            if self.frames_written % RESCAN_FRAMES == 0:
                self._rescan()
            due = started + (self.frames_written + 1) * FRAME / RATE_HZ
            delay = due - loop.time()
            if delay < -MAX_LAG_S:  # the loop stalled: skip the gap rather than burst through it
                started -= delay
                delay = 0.0
            # Pacing by the clock: one 20 ms frame per 20 ms; behind, still yield to the loop.
            await asyncio.sleep(max(0.0, delay))
            mix[:] = 0
            for item in self._inputs.values():
                item.take_into(mix)
            pcm = (np.clip(mix, -1.0, 1.0) * 32767).astype(np.int16).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
            frame.sample_rate = RATE_HZ
            frame.pts = self.frames_written * FRAME
            frame.time_base = time_base
            try:
                for packet in self._stream.encode(frame):
                    self._container.mux(packet)
            except av.FFmpegError:
                _logger.exception("broadcast: encoding failed; the writer stops")
                raise
            self.frames_written += 1
