"""Selective forwarding of *encoded* frames: one incoming track → many outgoing, no re-encode.

    source = EncodedSource("judge", "audio", decode=True)   # lives as long as the participant
    source.attach(receiver)                 # tees the receiver (again after each re-offer)
    track = source.subscribe()              # an outgoing track whose recv() returns av.Packet
    transceiver.sender.replaceTrack(track)  # the sender packs the packets into RTP as they are
    on_keyframe_request(transceiver.sender, source.request_keyframe)

Each :class:`EncodedTrack` has a bounded queue. Audio drops its oldest packet when full (a
listener whose sender stalls hears a skip, memory stays flat). Video cannot drop a single delta
frame without corrupting the picture until the next keyframe, so on overflow the queue is emptied,
the track waits for a keyframe and one is requested from the source (PLI). A new video
subscriber also starts at a keyframe: it asks for one and drops delta frames until it arrives.

Timestamps: a packet's ``pts`` is the source's RTP timestamp mapped to start at 0 by aiortc
(``time_base`` = 1/clock rate). Every subscriber sees the source's own timeline; aiortc's sender
adds its random origin. When the participant re-offers (a new connection whose timestamps start
at 0 again), the timeline is rebased to continue from the last timestamp plus the time elapsed,
so subscribers keep their tracks and never see time go backwards.

A muted source's Opus packets are replaced by encoded digital silence of the same duration and
``pts``, so timing continues and nothing of the muted voice is sent.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import av
from aiortc import RTCRtpReceiver
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from hearing_server.rtc.internals import request_keyframe, tee_encoded_frames
from hearing_server.rtc.opus_silence import silence_like

__all__ = ["AUDIO_QUEUE_FRAMES", "VIDEO_QUEUE_FRAMES", "EncodedSource", "EncodedTrack"]

AUDIO_QUEUE_FRAMES = 25
"""0.5 s of 20 ms Opus packets per listener; the oldest goes first."""
VIDEO_QUEUE_FRAMES = 30
"""About 1 s of video per viewer; on overflow the viewer restarts at the next keyframe."""
KEYFRAME_REQUEST_INTERVAL_S = 0.5
"""At most this often a PLI goes to a source, however many viewers ask."""

_Item = tuple[bytes, int] | None


def is_vp8_keyframe(data: bytes) -> bool:
    """RFC 6386 §9.1: bit 0 of the first byte of the frame tag is 0 for a key frame."""
    return bool(data) and not data[0] & 0x01


class EncodedTrack(MediaStreamTrack):
    """One subscriber's view of an :class:`EncodedSource`: ``recv()`` returns ``av.Packet``."""

    def __init__(self, source: EncodedSource) -> None:
        super().__init__()
        self.kind = source.kind
        self._source: EncodedSource | None = source
        self._clock = Fraction(1, source.clock_rate_hz)
        limit = AUDIO_QUEUE_FRAMES if source.kind == "audio" else VIDEO_QUEUE_FRAMES
        self._queue: deque[_Item] = deque(maxlen=limit)
        self._ready = asyncio.Event()
        self._needs_keyframe = source.kind == "video"
        self.dropped = 0
        """Frames dropped by this subscriber (queue overflow, waiting for a keyframe)."""

    def push(self, data: bytes, timestamp: int) -> None:
        if self.kind == "video":
            keyframe = is_vp8_keyframe(data)
            if self._needs_keyframe and not keyframe:
                self.dropped += 1
                if self._source is not None:
                    self._source.request_keyframe()
                return
            self._needs_keyframe = False
            if len(self._queue) == self._queue.maxlen:
                self.dropped += len(self._queue) + (0 if keyframe else 1)
                self._queue.clear()
                self._needs_keyframe = not keyframe
                if self._needs_keyframe:
                    if self._source is not None:
                        self._source.request_keyframe()
                    return
        elif len(self._queue) == self._queue.maxlen:
            self.dropped += 1  # deque(maxlen) drops the oldest
        self._queue.append((data, timestamp))
        self._ready.set()

    def end(self) -> None:
        self._queue.append(None)
        self._ready.set()

    def restart_at_keyframe(self) -> None:
        """The source's encoder changed (new connection): deltas are useless until a keyframe."""
        if self.kind == "video":
            self._needs_keyframe = True

    async def recv(self) -> av.Packet[Any]:
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            if not self._queue:
                self._ready.clear()
                await self._ready.wait()
                continue
            item = self._queue.popleft()
            if item is None:
                self.stop()
                raise MediaStreamError
            data, timestamp = item
            packet = av.Packet(data)
            packet.pts = timestamp
            packet.time_base = self._clock
            return packet

    def stop(self) -> None:
        super().stop()
        if self._source is not None:
            self._source.unsubscribe(self)
            self._source = None


class EncodedSource:
    """Tees a participant's receiver's encoded frames to its subscribers (all on the event loop).

    The source outlives the participant's connection: after a re-offer (new connection, new
    receiver) :meth:`attach` continues the same subscriptions, the timeline rebased so that the
    subscribers' timestamps keep increasing with the time that passed, and video restarting at a
    keyframe. Only :meth:`end` (the participant left) ends the subscribers' tracks.
    """

    def __init__(
        self,
        participant_id: str,
        kind: str,
        *,
        is_muted: Callable[[], bool] = lambda: False,
        decode: bool,
    ) -> None:
        self.participant_id = participant_id
        self.kind = kind
        self.receiver: RTCRtpReceiver | None = None
        self.decode = decode
        """Whether the receiver still decodes (audio for the ASR tap; video only for fallback)."""
        self.mime_type: str | None = None
        """Codec of the frames seen so far (lower case), None before the first frame."""
        self.clock_rate_hz = 48_000 if kind == "audio" else 90_000
        self.frames = 0
        self._is_muted = is_muted
        self._subscribers: set[EncodedTrack] = set()
        self._last_keyframe_request = -KEYFRAME_REQUEST_INTERVAL_S
        self._requests: set[asyncio.Task[None]] = set()
        self._offset = 0
        self._rebase = False
        self._last: tuple[int, float] | None = None
        """(last timestamp sent, monotonic time it was sent)."""

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def attach(self, receiver: RTCRtpReceiver) -> None:
        """Forward ``receiver``'s frames from now on (a new connection of the participant)."""
        self.receiver = receiver
        self._rebase = self._last is not None
        tee_encoded_frames(
            receiver,
            lambda *frame: self._on_frame(receiver, *frame),
            on_end=lambda: self._detach(receiver),
            decode=lambda: self.decode,
        )
        if self.kind == "video":
            for track in self._subscribers:
                track.restart_at_keyframe()
            self._last_keyframe_request = -KEYFRAME_REQUEST_INTERVAL_S
            if self._subscribers:
                self.request_keyframe()

    def subscribe(self) -> EncodedTrack:
        track = EncodedTrack(self)
        self._subscribers.add(track)
        if self.kind == "video":
            self.request_keyframe()
        return track

    def unsubscribe(self, track: EncodedTrack) -> None:
        self._subscribers.discard(track)

    def request_keyframe(self) -> None:
        now = time.monotonic()
        if self.receiver is None or now - self._last_keyframe_request < KEYFRAME_REQUEST_INTERVAL_S:
            return
        self._last_keyframe_request = now
        for task in request_keyframe(self.receiver):
            self._requests.add(task)
            task.add_done_callback(self._requests.discard)

    def end(self) -> None:
        """The participant left: every subscriber's track ends after what is queued."""
        self.receiver = None
        for track in list(self._subscribers):
            track.end()
        self._subscribers.clear()

    def _detach(self, receiver: RTCRtpReceiver) -> None:
        if receiver is self.receiver:
            self.receiver = None  # subscribers wait for the next attach (or the end)

    def _on_frame(
        self,
        receiver: RTCRtpReceiver,
        mime_type: str,
        clock_rate_hz: int,
        data: bytes,
        timestamp: int,
    ) -> None:
        if receiver is not self.receiver:
            return  # a replaced connection's last frames
        self.frames += 1
        self.mime_type = mime_type.lower()
        self.clock_rate_hz = clock_rate_hz
        now = time.monotonic()
        if self._rebase and self._last is not None:
            last_timestamp, last_time = self._last
            elapsed = max(1, round((now - last_time) * clock_rate_hz))
            self._offset = last_timestamp + elapsed - timestamp
            self._rebase = False
        timestamp += self._offset
        self._last = (timestamp, now)
        if not self._subscribers:
            return
        if self.kind == "audio" and self._is_muted():
            silent = silence_like(data) if self.mime_type == "audio/opus" else None
            if silent is None:
                return  # not Opus: send nothing rather than the muted voice
            data = silent
        for track in list(self._subscribers):
            track.push(data, timestamp)
