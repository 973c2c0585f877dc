"""Clients shaped like ``web/static/room.js``, with a camera, and a reader of received tracks.

- :func:`make_room_client`: ``sendonly`` microphone (a WAV) and a flat-grey :class:`GreyCamera`,
  then one ``recvonly`` audio + video pair per other participant, as the hearing page offers.
- :class:`FrameCounter`: reads a received track in a task (as a page's ``<video>`` would), keeps
  the last decoded frame and lets a test await a frame count (no sleeps).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import av
from aiortc import RTCPeerConnection
from aiortc.contrib.media import MediaPlayer
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack, VideoStreamTrack

from hearing_server.rtc.ice import rtc_configuration
from tests.rtc.conftest import TIMEOUT_S, Client

__all__ = ["FrameCounter", "GreyCamera", "make_room_client"]


class GreyCamera(VideoStreamTrack):
    """A 30 fps 320×240 camera whose picture is flat grey of luma ``luma``."""

    def __init__(self, luma: int) -> None:
        super().__init__()
        self.luma = luma

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame(width=320, height=240, format="yuv420p")
        for plane, value in zip(frame.planes, (self.luma, 128, 128), strict=True):
            plane.update(bytes([value]) * plane.buffer_size)
        frame.pts = pts
        frame.time_base = time_base
        return frame


def make_room_client(wav: Path, luma: int, *, others: int) -> Client:
    """Like room.js: sendonly microphone and camera, then ``others`` recvonly audio+video pairs."""
    connection = RTCPeerConnection(rtc_configuration())
    player = MediaPlayer(str(wav))
    assert player.audio is not None
    connection.addTransceiver(player.audio, direction="sendonly")
    connection.addTransceiver(GreyCamera(luma), direction="sendonly")
    for _ in range(others):
        connection.addTransceiver("audio", direction="recvonly")
        connection.addTransceiver("video", direction="recvonly")
    return Client(connection, player)


class FrameCounter:
    """Reads a received track in a task, keeping the last frame; a test awaits a frame count."""

    def __init__(self, track: MediaStreamTrack) -> None:
        self.frames = 0
        self.last: av.VideoFrame | av.AudioFrame | None = None
        self._track = track
        self._changed = asyncio.Condition()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            while True:
                frame = await self._track.recv()
                assert isinstance(frame, av.VideoFrame | av.AudioFrame)
                self.frames += 1
                self.last = frame
                async with self._changed:
                    self._changed.notify_all()
        except MediaStreamError:
            pass

    async def wait_frames(self, count: int, timeout_s: float = TIMEOUT_S) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: self.frames >= count), timeout_s)

    def mean_luma(self) -> float:
        """Mean of the Y plane of the last frame (as sent: no range conversion)."""
        frame = self.last
        assert isinstance(frame, av.VideoFrame) and frame.format.name == "yuv420p"
        return float(frame.to_ndarray()[: frame.height].mean())

    async def stop(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
