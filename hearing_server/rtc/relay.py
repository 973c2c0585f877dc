"""Forwarding: every participant's incoming audio/video → every other participant's peer.

Design (selective forwarding of encoded frames). One :class:`EncodedSource` per incoming track
tees the frames aiortc re-assembles from RTP (before decoding) to one bounded
:class:`EncodedTrack` per subscriber; the subscriber's ``RTCRtpSender`` packs them into RTP
unchanged (its own SSRC, sequence numbers and timestamp origin). No re-encode, and video is not
even decoded. A new video subscriber starts at a keyframe (requested from the source by PLI), and
a subscriber's own PLI/FIR is passed on to the source. See :mod:`hearing_server.rtc.forwarding`;
every aiortc private API used lives in :mod:`hearing_server.rtc.internals`.

Codec pinning: every transceiver of a connection gets Opus (audio) and VP8 (video) as its
negotiated codec when the offer has it (:meth:`Forwarder.pin_codecs`, before the answer), so a
source and a subscriber normally agree. If they do not (a client that offers only H264, or only
PCMU), that one subscription falls back to the old path: aiortc's :class:`MediaRelay` of the
decoded track, re-encoded for that subscriber (``mode="reencode"`` forces it for everything; the
benchmark compares both).

Cost measured here (docs/benchmarks.md §4: aiortc 1.16, 2 cores, server process CPU in % of one
core, median): forwarding encoded frames costs ≈0.7–0.9 % per forwarded audio stream and
0.2–0.35 % more per 360p video stream, all included (receiving, the taps' decoding). A hearing of
6 with audio costs 27.5 % (re-encoding: 81 %, and no longer real time), 6 with audio + video 38 %
(re-encoding: 23 % of the frames delivered), 8 with audio 39.5 % (re-encoding: 44 % delivered). The
6-person audio hearing with live ASR uses 79 % of one core, 40 % of the machine. The old path
re-encoded every outgoing stream (≈5.5 % of a core per audio stream, N·(N-1) encodes) and saturated
the event loop from 6 people (audio) or 4 (video).

Audio is still decoded once per participant, for the ASR tap (a :class:`MediaRelay` subscription
of the receiver's decoded track, returned by :meth:`Forwarder.add_source`).

Negotiation model: forwarding happens when a participant (re)negotiates. The client's offer
carries extra ``recvonly`` transceivers (one audio and one video per other participant it wants
to hear/see); :meth:`Forwarder.fill` puts the other participants' tracks into those slots (and
into the ``sendrecv`` slots of the client's own microphone/camera), and returns which ``mid``
carries whom, so the page can label its tiles. Someone who joins later is heard by the others once
they re-offer. A participant's sources outlive its connection: when it re-offers (a new connection,
:meth:`Forwarder.detach` then :meth:`Forwarder.add_source`), what the others receive of it continues
from the new connection (timestamps rebased, video from the next keyframe), so one re-offer does
not force everyone else to re-offer; what the new offer no longer sends ends
(:meth:`Forwarder.settle`), and everything ends when the participant leaves
(:meth:`Forwarder.remove`).

Muted participants are forwarded as silence (encoded Opus silence of the same duration and
timestamps; decoded zeros on the fallback path): muted means no audio for the others, not only no
transcript.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from aiortc import RTCPeerConnection, RTCRtpTransceiver
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from hearing_server.rtc.fallback import DecodedChannel, GatedAudioTrack
from hearing_server.rtc.forwarding import EncodedSource
from hearing_server.rtc.internals import on_keyframe_request, pin_codec, send_codec_mime

__all__ = ["PINNED_CODECS", "SCREEN", "Forwarder", "ForwardingMode", "MediaSlot"]

_logger = logging.getLogger(__name__)

MediaSlot = tuple[str, str, str]
"""``(mid, kind, direction)`` of one m-line of an offer (direction as the client sees it)."""

ForwardingMode = Literal["encoded", "reencode"]

SCREEN = "screen"
"""The source key of a participant's shared screen: a second video track, its own source."""
RECEIVING_DIRECTIONS = frozenset({"recvonly", "sendrecv"})
PINNED_CODECS = {"audio": "audio/opus", "video": "video/vp8"}


@dataclass(eq=False)
class _Source:
    """A participant's audio or video: outlives its connection until the participant leaves."""

    track: MediaStreamTrack
    transceiver: RTCRtpTransceiver | None
    encoded: EncodedSource | None
    decoded: DecodedChannel | None = None
    """The fallback's decoded channel, made on the first subscription that needs it."""
    attached: bool = True


class Forwarder:
    """Owns the participants' sources and one :class:`MediaRelay` for decoded consumers."""

    def __init__(
        self, is_muted: Callable[[str], bool], *, mode: ForwardingMode = "encoded"
    ) -> None:
        self.mode = mode
        self._relay = MediaRelay()
        self._is_muted = is_muted
        self._sources: dict[str, dict[str, _Source]] = {}
        self._drains: dict[str, list[asyncio.Task[None]]] = {}
        self.fallbacks = 0
        """Subscriptions that had to decode and re-encode (codec mismatch or ``reencode``)."""

    def add_source(
        self,
        participant_id: str,
        track: MediaStreamTrack,
        transceiver: RTCRtpTransceiver | None = None,
        *,
        key: str | None = None,
    ) -> MediaStreamTrack | None:
        """Register an incoming track (and the transceiver receiving it, needed to forward its
        encoded frames). After :meth:`detach` (a re-offer) the participant's new track continues
        the existing subscriptions. Returns a decoded subscription of the participant's first
        audio track (for the ASR tap). Decoded tracks nobody reads are drained here, so that
        aiortc's unbounded receive queue never grows. ``key`` names the source when it is not
        the track's kind (:data:`SCREEN`: a shared screen, forwarded by :meth:`fill_screens`)."""
        kinds = self._sources.setdefault(participant_id, {})
        key = key or track.kind
        entry = kinds.get(key)
        if entry is not None and entry.attached:
            _logger.warning("[%s] extra %s track ignored", participant_id, key)
            self._drain(participant_id, track)
            return None
        if entry is None:
            entry = kinds[key] = _Source(track, transceiver, self._encoded(participant_id, track))
        else:
            entry.track, entry.transceiver, entry.attached = track, transceiver, True
        if entry.encoded is not None and transceiver is not None:
            entry.encoded.attach(transceiver.receiver)
        if entry.decoded is not None:
            entry.decoded.attach(track)
        if track.kind == "audio" and key == "audio":
            return self._relay.subscribe(track, buffered=True)
        if entry.encoded is None:
            self._drain(participant_id, track)
        return None

    def source(self, participant_id: str, kind: str) -> EncodedSource | None:
        """The encoded source of a participant's track (for statistics and tests)."""
        entry = self._sources.get(participant_id, {}).get(kind)
        return entry.encoded if entry is not None else None

    def detach(self, participant_id: str) -> None:
        """The participant's connection is being replaced (re-offer): keep the others'
        subscriptions; the next :meth:`add_source` continues them."""
        for entry in self._sources.get(participant_id, {}).values():
            entry.attached = False
        for task in self._drains.pop(participant_id, []):
            task.cancel()

    def settle(self, participant_id: str) -> None:
        """After a re-offer was applied: end what the new connection no longer sends (e.g. the
        camera was turned off), so nobody waits for it."""
        kinds = self._sources.get(participant_id, {})
        for kind, entry in list(kinds.items()):
            if not entry.attached:
                del kinds[kind]
                self._end(entry)

    def remove(self, participant_id: str) -> None:
        """The participant left: the others' subscriptions to it end."""
        for entry in self._sources.pop(participant_id, {}).values():
            self._end(entry)
        for task in self._drains.pop(participant_id, []):
            task.cancel()

    @staticmethod
    def _end(entry: _Source) -> None:
        if entry.encoded is not None:
            entry.encoded.end()
        if entry.decoded is not None:
            entry.decoded.end()

    def pin_codecs(self, connection: RTCPeerConnection) -> None:
        """Make Opus/VP8 the negotiated codecs where offered (after setRemoteDescription)."""
        for transceiver in connection.getTransceivers():
            wanted = PINNED_CODECS.get(transceiver.kind)
            if wanted is not None and not pin_codec(transceiver, wanted):
                _logger.info("offer has no %s for mid %s", wanted, transceiver.mid)

    def fill(
        self, connection: RTCPeerConnection, slots: Iterable[MediaSlot], *, exclude: str
    ) -> dict[str, str]:
        """Put other participants' tracks into the offer's receiving slots; ``mid → id``."""
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
            transceiver.sender.replaceTrack(self._subscribe(pid, source, transceiver))
            transceiver.direction = "sendrecv"
            forwarded[mid] = pid
        unplaced = [pid for queue in pending.values() for pid, _ in queue]
        if unplaced:
            _logger.info("[%s] no receive slot for %s", exclude, sorted(set(unplaced)))
        return forwarded

    def fill_screens(
        self, connection: RTCPeerConnection, slots: Iterable[MediaSlot], *, exclude: str
    ) -> dict[str, str]:
        """After :meth:`fill`: put the others' shared screens into the video slots still free;
        ``mid → id`` of the screens."""
        transceivers = {t.mid: t for t in connection.getTransceivers() if t.mid is not None}
        queue = [
            (pid, kinds[SCREEN])
            for pid, kinds in self._sources.items()
            if pid != exclude and SCREEN in kinds
        ]
        screens: dict[str, str] = {}
        for mid, kind, direction in slots:
            transceiver = transceivers.get(mid)
            if not queue or transceiver is None or kind != "video":
                continue
            current: MediaStreamTrack | None = transceiver.sender.track  # typed non-None, is not
            if direction not in RECEIVING_DIRECTIONS or current is not None:
                continue
            pid, source = queue.pop(0)
            transceiver.sender.replaceTrack(self._subscribe(pid, source, transceiver))
            transceiver.direction = "sendrecv"
            screens[mid] = pid
        if queue:
            _logger.info("[%s] no receive slot for the screen of %s", exclude, queue[0][0])
        return screens

    def end_screen(self, participant_id: str) -> None:
        """The participant's screen share ended (stopped by a judge): nobody receives it any
        more, even before the participant's page re-offers without it."""
        entry = self._sources.get(participant_id, {}).pop(SCREEN, None)
        if entry is not None:
            self._end(entry)

    def close(self) -> None:
        for participant_id in list(self._sources) + list(self._drains):
            self.remove(participant_id)

    def _subscribe(
        self, participant_id: str, source: _Source, transceiver: RTCRtpTransceiver
    ) -> MediaStreamTrack:
        kind = source.track.kind
        encoded = source.encoded
        if encoded is not None:
            wanted = send_codec_mime(transceiver)
            have = encoded.mime_type or (
                send_codec_mime(source.transceiver) if source.transceiver is not None else None
            )
            if wanted is not None and wanted == have:
                track = encoded.subscribe()
                on_keyframe_request(transceiver.sender, encoded.request_keyframe)
                return track
            _logger.warning(
                "[%s] %s codec %s cannot be forwarded as %s: re-encoding",
                participant_id,
                kind,
                have,
                wanted,
            )
            encoded.decode = True
        self.fallbacks += 1
        if source.decoded is None:
            source.decoded = DecodedChannel(kind, self._relay)
            if source.attached:
                source.decoded.attach(source.track)
        if kind == "audio":
            proxy = self._relay.subscribe(source.decoded, buffered=True)
            return GatedAudioTrack(proxy, lambda: self._is_muted(participant_id))
        # Video: newest frame wins; a slow encoder skips frames instead of queueing them.
        return self._relay.subscribe(source.decoded, buffered=False)

    def _encoded(self, participant_id: str, track: MediaStreamTrack) -> EncodedSource | None:
        if self.mode != "encoded":
            return None
        return EncodedSource(
            participant_id,
            track.kind,
            is_muted=lambda: self._is_muted(participant_id),
            decode=track.kind == "audio",
        )

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
