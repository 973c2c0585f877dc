"""Forwarding's decode/re-encode fallback: decoded tracks that survive a participant's re-offer.

Used only when a subscriber's negotiated codec differs from the source's (or with
``PeerManager(forwarding="reencode")``): aiortc's :class:`MediaRelay` fans decoded frames out and
every subscriber's sender re-encodes them (≈5.5 % of a core per outgoing audio stream here).

- :class:`DecodedChannel`: one participant's decoded audio or video as one long-lived track.
  :meth:`DecodedChannel.attach` switches it to the track of the participant's new connection; the
  frames' ``pts`` are rebased to continue from the last one plus the time elapsed, so an encoder
  downstream never sees time go backwards. It ends only with :meth:`DecodedChannel.end`.
- :class:`GatedAudioTrack`: a subscriber's audio that is digital silence while the source is
  muted (a new frame: the source frame is shared with other subscribers).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from fractions import Fraction

import av
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

__all__ = ["DecodedChannel", "GatedAudioTrack"]

_Frame = av.AudioFrame | av.VideoFrame


class DecodedChannel(MediaStreamTrack):
    def __init__(self, kind: str, relay: MediaRelay) -> None:
        super().__init__()
        self.kind = kind
        self._relay = relay
        self._proxy: MediaStreamTrack | None = None
        self._attached = asyncio.Event()
        self._ended = False
        self._offset_s = 0.0
        self._rebase = False
        self._last: tuple[float, float] | None = None
        """(last pts in seconds, monotonic time it was returned)."""

    def attach(self, track: MediaStreamTrack) -> None:
        """Continue with ``track`` (the participant's new connection)."""
        self._proxy = self._relay.subscribe(track, buffered=self.kind == "audio")
        self._rebase = self._last is not None
        self._attached.set()

    def end(self) -> None:
        """The participant left: the channel (and every relay subscription of it) ends."""
        self._ended = True
        self._attached.set()

    async def recv(self) -> _Frame:
        while True:
            if self._ended or self.readyState != "live":
                raise MediaStreamError
            proxy = self._proxy
            if proxy is None:
                self._attached.clear()
                await self._attached.wait()
                continue
            try:
                frame = await proxy.recv()
            except MediaStreamError:
                if self._proxy is proxy:
                    self._proxy = None  # the connection closed: wait for the next attach
                continue
            assert isinstance(frame, av.AudioFrame | av.VideoFrame)
            return self._rebased(frame)

    def _rebased(self, frame: _Frame) -> _Frame:
        if frame.pts is None or frame.time_base is None:
            return frame
        now = time.monotonic()
        pts_s = float(frame.pts * frame.time_base)
        if self._rebase and self._last is not None:
            last_s, last_time = self._last
            self._offset_s = last_s + (now - last_time) - pts_s
            self._rebase = False
        self._last = (pts_s + self._offset_s, now)
        if self._offset_s:
            shift = round(self._offset_s / frame.time_base)
            if isinstance(frame, av.AudioFrame):  # shared with the ASR tap: change a copy
                copy = av.AudioFrame.from_ndarray(
                    frame.to_ndarray(), format=frame.format.name, layout=frame.layout.name
                )
                copy.sample_rate, copy.time_base = frame.sample_rate, frame.time_base
                copy.pts = frame.pts + shift
                return copy
            frame.pts += shift  # decoded video is read by this channel only
        return frame


class GatedAudioTrack(MediaStreamTrack):
    """A relayed decoded audio track that sends silence while ``is_muted()`` is true."""

    kind = "audio"

    def __init__(self, source: MediaStreamTrack, is_muted: Callable[[], bool]) -> None:
        super().__init__()
        self._source = source
        self._is_muted = is_muted

    async def recv(self) -> av.AudioFrame:
        frame = await self._source.recv()
        assert isinstance(frame, av.AudioFrame)
        if not self._is_muted():
            return frame
        silent = av.AudioFrame(
            format=frame.format.name, layout=frame.layout.name, samples=frame.samples
        )
        for plane in silent.planes:
            plane.update(bytes(plane.buffer_size))
        silent.sample_rate = frame.sample_rate
        silent.pts = frame.pts
        silent.time_base = frame.time_base or Fraction(1, frame.sample_rate)
        return silent

    def stop(self) -> None:
        super().stop()
        self._source.stop()
