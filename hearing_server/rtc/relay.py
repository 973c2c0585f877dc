"""Forwarding: every participant's incoming audio/video → every other participant's peer.

This is the simplest correct version, built on aiortc's :class:`MediaRelay`: one reader per source
track fans decoded frames out to per-subscriber proxy tracks, and each subscriber's
``RTCRtpSender`` *re-encodes* them. Cost measured here (DESIGN.md §8, aiortc 1.16): receiving and
decoding a participant's Opus audio ≈ 1.5–2.7 % of a core, +1.5 % for 360p video; each *outgoing*
stream costs ≈ 5.5 % of a core (audio) and ≈ 3.5 % more (360p video). N participants need
N·(N-1) encodes: a 6-person hearing with video is more than a 2-core machine.

NEXT STEP (not done): forward *encoded* frames (an SFU: rewrite SSRC/sequence numbers/timestamps
of received RTP and send it unchanged, relaying RTCP feedback/PLI), or mix-minus-one audio (one
Opus encode per listener). Both need hooks below aiortc's public track API.

Negotiation model: forwarding happens when a participant (re)negotiates. The client's offer
carries extra ``recvonly`` transceivers (one audio and one video per other participant it wants
to hear/see); :meth:`Forwarder.fill` puts the other participants' relayed tracks into those slots
(and into the ``sendrecv`` slots of the client's own microphone/camera), and returns which ``mid``
carries whom, so the page can label its tiles. Someone who joins later is heard by the others once
they re-offer.

Muted participants are forwarded as silence (same frame timing, zero samples): muted means no
audio for the others, not only no transcript.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from fractions import Fraction

import av
from aiortc import RTCPeerConnection
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

__all__ = ["Forwarder", "MediaSlot"]

_logger = logging.getLogger(__name__)

MediaSlot = tuple[str, str, str]
"""``(mid, kind, direction)`` of one m-line of an offer (direction as the client sees it)."""

RECEIVING_DIRECTIONS = frozenset({"recvonly", "sendrecv"})


class _GatedAudioTrack(MediaStreamTrack):
    """A relayed audio track that sends silence while ``is_muted()`` is true."""

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
        # The source frame is shared with other subscribers: never modify it, make a silent one.
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


class Forwarder:
    """Owns one :class:`MediaRelay` and the participants' source tracks (no module-global state)."""

    def __init__(self, is_muted: Callable[[str], bool]) -> None:
        self._relay = MediaRelay()
        self._is_muted = is_muted
        self._sources: dict[str, dict[str, MediaStreamTrack]] = {}
        self._drains: dict[str, list[asyncio.Task[None]]] = {}

    def add_source(self, participant_id: str, track: MediaStreamTrack) -> MediaStreamTrack | None:
        """Register an incoming track. Returns a private subscription for the participant's first
        audio track (for the ASR tap); other tracks are drained here so that aiortc's unbounded
        receive queue never grows while nobody subscribes."""
        kinds = self._sources.setdefault(participant_id, {})
        if track.kind not in kinds:
            kinds[track.kind] = track
            if track.kind == "audio":
                return self._relay.subscribe(track, buffered=True)
        else:
            _logger.warning("[%s] extra %s track ignored", participant_id, track.kind)
        self._drain(participant_id, track)
        return None

    def remove(self, participant_id: str) -> None:
        """Forget a participant; its tracks end (and so do the others' subscriptions) when its
        peer connection closes."""
        self._sources.pop(participant_id, None)
        for task in self._drains.pop(participant_id, []):
            task.cancel()

    def fill(
        self, connection: RTCPeerConnection, slots: Iterable[MediaSlot], *, exclude: str
    ) -> dict[str, str]:
        """Put other participants' relayed tracks into the offer's receiving slots; ``mid → id``."""
        transceivers = {t.mid: t for t in connection.getTransceivers() if t.mid is not None}
        pending = {
            kind: [
                (pid, kinds[kind])
                for pid, kinds in self._sources.items()
                if pid != exclude and kind in kinds
            ]
            for kind in ("audio", "video")
        }
        forwarded: dict[str, str] = {}
        for mid, kind, direction in slots:
            transceiver = transceivers.get(mid)
            queue = pending.get(kind)
            if transceiver is None or not queue or direction not in RECEIVING_DIRECTIONS:
                continue
            current: MediaStreamTrack | None = transceiver.sender.track  # typed non-None, is not
            if current is not None:
                continue
            pid, source = queue.pop(0)
            track = self._subscribe(pid, source)
            transceiver.sender.replaceTrack(track)
            transceiver.direction = "sendrecv"
            forwarded[mid] = pid
        unplaced = [pid for queue in pending.values() for pid, _ in queue]
        if unplaced:
            _logger.info("[%s] no receive slot for %s", exclude, sorted(set(unplaced)))
        return forwarded

    def close(self) -> None:
        for participant_id in list(self._drains):
            self.remove(participant_id)
        self._sources.clear()

    def _subscribe(self, participant_id: str, source: MediaStreamTrack) -> MediaStreamTrack:
        if source.kind == "audio":
            proxy = self._relay.subscribe(source, buffered=True)
            return _GatedAudioTrack(proxy, lambda: self._is_muted(participant_id))
        # Video: newest frame wins; a slow encoder skips frames instead of queueing them.
        return self._relay.subscribe(source, buffered=False)

    def _drain(self, participant_id: str, track: MediaStreamTrack) -> None:
        proxy = self._relay.subscribe(track, buffered=False)

        async def drain() -> None:
            try:
                while True:
                    await proxy.recv()
            except MediaStreamError:
                pass
            finally:
                proxy.stop()

        task = asyncio.get_running_loop().create_task(drain(), name=f"drain:{participant_id}")
        self._drains.setdefault(participant_id, []).append(task)
