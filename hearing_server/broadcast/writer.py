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

Video: the **active speaker's** camera (the loudest voice of the last moments, held for
:data:`HOLD_S`; before anyone spoke, the first speaker with a camera). Each speaker's VP8 is
subscribed like the audio and decoded, keeping only the latest picture; at :data:`FPS` frames a
second the mixer scales the active speaker's latest picture to :data:`WIDTH` x :data:`HEIGHT`
(black when nobody has a camera) and encodes it with x264 (ultrafast, a keyframe per segment).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from hearing_server.broadcast.inputs import RATE_HZ, AudioInput, VideoInput
from hearing_server.rtc.relay import Forwarder

__all__ = ["PLAYLIST", "SEGMENT_S", "BroadcastWriter"]

_logger = logging.getLogger(__name__)

FRAME = RATE_HZ // 50  # 20 ms
SEGMENT_S = 2
PLAYLIST = "index.m3u8"
MAX_LAG_S = 1.0
"""A mixer this far behind the clock (a stalled event loop) skips ahead instead of catching up."""
RESCAN_FRAMES = 25
"""How often (in 20 ms frames) the writer looks for speakers who joined."""
FPS = 5
WIDTH, HEIGHT = 320, 180
HOLD_S = 1.5
"""The active speaker keeps the picture this long after someone else got louder."""
SPEAKING_LEVEL = 0.01
"""RMS (of a 20 ms frame, full scale 1.0) above which a speaker counts as speaking."""


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
        self._inputs: dict[str, AudioInput] = {}
        self._videos: dict[str, VideoInput] = {}
        self._task: asyncio.Task[None] | None = None
        self._container: Any = None
        self._stream: Any = None
        self._video: Any = None
        self._black: av.VideoFrame | None = None
        self.active: str | None = None
        """Whose camera the broadcast shows."""
        self._active_until = 0.0
        self.video_frames = 0

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
        video = self._container.add_stream(
            "libx264",
            rate=FPS,
            options={"preset": "ultrafast", "tune": "zerolatency", "g": str(FPS * SEGMENT_S)},
        )
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.bit_rate = 300_000
        self._video = video
        black = np.zeros((HEIGHT, WIDTH, 3), dtype=np.uint8)
        self._black = av.VideoFrame.from_ndarray(black, format="rgb24")
        self._task = asyncio.get_running_loop().create_task(self._mix(), name="broadcast-mix")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        inputs: list[AudioInput | VideoInput] = [*self._inputs.values(), *self._videos.values()]
        for item in inputs:
            item.track.stop()
            if item.task is not None:
                item.task.cancel()
        tasks = [i.task for i in inputs if i.task is not None]
        await asyncio.gather(*tasks, return_exceptions=True)
        self._inputs.clear()
        self._videos.clear()
        container, self._container = self._container, None
        if container is not None:
            try:
                for packet in [*self._stream.encode(None), *self._video.encode(None)]:
                    container.mux(packet)
            finally:
                container.close()  # writes the last segment and #EXT-X-ENDLIST

    def _rescan(self) -> None:
        loop = asyncio.get_running_loop()
        for key in self._participants():
            current = self._inputs.get(key)
            if current is None or current.task is None or current.task.done():
                source = self._forwarder.source(key, "audio")
                if source is not None:
                    item = AudioInput(key, source.subscribe())
                    item.task = loop.create_task(item.run(), name=f"broadcast-audio:{key}")
                    self._inputs[key] = item
            camera = self._videos.get(key)
            if camera is None or camera.task is None or camera.task.done():
                source = self._forwarder.source(key, "video")
                if source is not None:
                    video = VideoInput(key, source.subscribe())
                    video.task = loop.create_task(video.run(), name=f"broadcast-video:{key}")
                    self._videos[key] = video

    def _pick_active(self, now: float) -> None:
        """The loudest speaker now, if louder than the threshold; kept for ``HOLD_S``."""
        loudest = max(self._inputs.values(), key=lambda i: i.level, default=None)
        if loudest is not None and loudest.level >= SPEAKING_LEVEL:
            if loudest.key == self.active:
                self._active_until = now + HOLD_S
            elif now >= self._active_until:
                self.active, self._active_until = loudest.key, now + HOLD_S
        if self.active is None or self.active not in self._videos:
            with_camera = [k for k, v in self._videos.items() if v.latest is not None]
            if with_camera and (self.active is None or now >= self._active_until):
                self.active = with_camera[0]

    def _encode_video(self) -> None:
        camera = self._videos.get(self.active) if self.active is not None else None
        picture = camera.latest if camera is not None and camera.latest is not None else None
        source = picture if picture is not None else self._black
        assert source is not None
        frame = source.reformat(width=WIDTH, height=HEIGHT, format="yuv420p")
        frame.pts = self.video_frames
        frame.time_base = Fraction(1, FPS)
        for packet in self._video.encode(frame):
            self._container.mux(packet)
        self.video_frames += 1

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
                if self.frames_written % (RATE_HZ // FRAME // FPS) == 0:
                    self._pick_active(loop.time())
                    self._encode_video()
            except av.FFmpegError:
                _logger.exception("broadcast: encoding failed; the writer stops")
                raise
            self.frames_written += 1
