"""``PeerManager``: one WebRTC peer connection per participant of a hearing.

    manager = PeerManager(IceSettings(host_addresses=("127.0.0.1",)), tap_factory)
    answer = await manager.answer("plaintiff-1", offer_sdp)   # BadOfferError on a malformed offer
    manager.set_muted("plaintiff-1", True)
    await manager.close("plaintiff-1")                        # leave
    await manager.close_all()                                 # shutdown

Each participant's first incoming audio track goes to an :class:`AudioTap` built by the injected
``tap_factory(participant_id, track)`` (the caller decides the sink, e.g. ``StreamingSession.feed``)
and is forwarded to the other participants (see :mod:`hearing_server.rtc.relay`).

A new offer from a participant who already has a peer replaces the old connection (page reload,
network drop, renegotiation to receive someone who joined later): the old peer is closed first,
and what the others receive of this participant continues from the new connection (they need not
re-offer). :meth:`PeerManager.close` (the participant left) ends it.
A peer whose connection fails is closed by the manager. Mute state belongs to the participant and
survives a rejoin.

Bundling: browsers put every m-line in one BUNDLE group. Such an offer is answered by a
connection with ``bundlePolicy=MAX_BUNDLE``, so that every transceiver aiortc creates shares the
first m-line's transport. (With aiortc's default, ``BALANCED``, a second video m-line was given
the *first video m-line's own* transport while the offer was applied; that transport is then
discarded by bundling, so forwarded video sent on it never left the server: the cause of "audio
is relayed, video is not".) An offer without a BUNDLE group covering every m-line gets one
transport per m-line (``MAX_COMPAT``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from aiortc import RTCBundlePolicy, RTCPeerConnection, RTCSessionDescription, sdp
from aiortc.mediastreams import MediaStreamTrack

from hearing_server.rtc.errors import BadOfferError, RtcError
from hearing_server.rtc.ice import IceSettings, offer_host_addresses
from hearing_server.rtc.internals import end_remote_track
from hearing_server.rtc.log import ParticipantLogger, participant_logger
from hearing_server.rtc.relay import SCREEN, Forwarder, ForwardingMode, MediaSlot
from hearing_server.rtc.tap import AudioTap

__all__ = ["MAX_OFFER_BYTES", "Answer", "Peer", "PeerManager", "TapFactory", "parse_offer"]

MAX_OFFER_BYTES = 64 * 1024

TapFactory = Callable[[str, MediaStreamTrack], AudioTap]
"""``(participant_id, audio_track) -> AudioTap`` (not started; the manager starts and stops it)."""

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    sdp: str
    forwarded: Mapping[str, str] = field(default_factory=dict)
    """``mid → participant id`` of the other participants' media sent on this connection."""
    type: str = "answer"
    screens: Mapping[str, str] = field(default_factory=dict)
    """``mid → participant id`` of the others' shared screens sent on this connection."""


@dataclass(eq=False)
class Peer:
    participant_id: str
    connection: RTCPeerConnection
    log: ParticipantLogger
    tap: AudioTap | None = None
    screen_mid: str | None = None
    """The ``mid`` of the offer's m-line that carries the participant's shared screen."""


def parse_offer(offer_sdp: str) -> list[MediaSlot]:
    """Validate an SDP offer just enough to refuse garbage; its m-lines as ``(mid, kind, dir)``."""
    return _parse_offer(offer_sdp)[0]


def _parse_offer(offer_sdp: str) -> tuple[list[MediaSlot], bool]:
    """The offer's media slots, and whether one BUNDLE group holds every m-line."""
    if len(offer_sdp.encode("utf-8", "replace")) > MAX_OFFER_BYTES:
        raise BadOfferError(f"SDP offer larger than {MAX_OFFER_BYTES} bytes")
    if not offer_sdp.lstrip().startswith("v=0"):
        raise BadOfferError("SDP offer must start with v=0")
    try:
        description = sdp.SessionDescription.parse(offer_sdp)
    except Exception as exc:  # aiortc's parser raises ValueError, AssertionError, IndexError…
        raise BadOfferError(f"unparsable SDP offer: {type(exc).__name__}") from exc
    media = [m for m in description.media if m.kind in ("audio", "video")]
    if not media:
        raise BadOfferError("SDP offer has no audio or video section")
    slots = [(m.rtp.muxId or "", m.kind, m.direction or "sendrecv") for m in media]
    mids = {m.rtp.muxId for m in description.media}
    bundled = any(g.semantic == "BUNDLE" and mids <= set(g.items) for g in description.group)
    return slots, bundled


class PeerManager:
    def __init__(
        self,
        ice: IceSettings,
        tap_factory: TapFactory,
        *,
        close_timeout_s: float = 5.0,
        forwarding: ForwardingMode = "encoded",
        on_lost: Callable[[str], None] | None = None,
    ) -> None:
        """``on_lost(participant_id)``: a connection failed or was closed by the other side (not
        by :meth:`close`, nor replaced by a new offer), e.g. a network drop or a closed tab."""
        self._on_lost = on_lost
        self._ice = ice
        self._configuration = ice.configuration()  # validates the URLs at construction
        self._tap_factory = tap_factory
        self._close_timeout_s = close_timeout_s
        self._peers: dict[str, Peer] = {}
        self._muted: set[str] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._forwarder = Forwarder(is_muted=self.is_muted, mode=forwarding)
        self._closed = False

    @property
    def forwarder(self) -> Forwarder:
        return self._forwarder

    @property
    def participants(self) -> tuple[str, ...]:
        return tuple(self._peers)

    def peer(self, participant_id: str) -> Peer | None:
        return self._peers.get(participant_id)

    def tap(self, participant_id: str) -> AudioTap | None:
        peer = self._peers.get(participant_id)
        return peer.tap if peer is not None else None

    def is_muted(self, participant_id: str) -> bool:
        return participant_id in self._muted

    def set_muted(self, participant_id: str, muted: bool) -> None:
        """Muted: nothing reaches the ASR and the others hear silence. Survives a rejoin."""
        (self._muted.add if muted else self._muted.discard)(participant_id)
        tap = self.tap(participant_id)
        if tap is not None:
            tap.muted = muted

    async def answer(
        self, participant_id: str, offer_sdp: str, *, screen_mid: str | None = None
    ) -> Answer:
        """``screen_mid``: the offer's sending video m-line that is a shared screen (a source of
        its own, :data:`~hearing_server.rtc.relay.SCREEN`), not the camera."""
        if self._closed:
            raise RtcError("the peer manager is closed")
        slots, bundled = _parse_offer(offer_sdp)
        sending = {(mid, kind) for mid, kind, direction in slots if direction != "recvonly"}
        if screen_mid is not None and (screen_mid, "video") not in sending:
            raise BadOfferError(f"the screen's mid {screen_mid!r} is no sending video m-line")
        policy = RTCBundlePolicy.MAX_BUNDLE if bundled else RTCBundlePolicy.MAX_COMPAT
        configuration = replace(self._configuration, bundlePolicy=policy)
        async with self._locks.setdefault(participant_id, asyncio.Lock()):
            if participant_id in self._peers:
                await self._close(participant_id, leaving=False)
            log = participant_logger(_logger, participant_id)
            peer = Peer(participant_id, RTCPeerConnection(configuration), log, None, screen_mid)
            self._peers[participant_id] = peer
            peer.connection.on("track", lambda track: self._on_track(peer, track))
            peer.connection.on("connectionstatechange", lambda: self._on_state(peer))
            try:
                with offer_host_addresses(self._ice.host_addresses):
                    try:
                        offer = RTCSessionDescription(sdp=offer_sdp, type="offer")
                        await peer.connection.setRemoteDescription(offer)
                    except Exception as exc:
                        raise BadOfferError(f"SDP offer rejected: {exc}") from exc
                    self._forwarder.settle(participant_id)
                    self._forwarder.pin_codecs(peer.connection)
                    forwarded = self._forwarder.fill(peer.connection, slots, exclude=participant_id)
                    screens = self._forwarder.fill_screens(
                        peer.connection, slots, exclude=participant_id
                    )
                    await peer.connection.setLocalDescription(await peer.connection.createAnswer())
            except BaseException:
                await self._close(participant_id)
                raise
            local = peer.connection.localDescription
            log.info("answered (%d m-lines, forwarding %d)", len(slots), len(forwarded))
            return Answer(sdp=local.sdp, forwarded=forwarded, screens=screens)

    async def close(self, participant_id: str) -> None:
        """The participant left (or was removed): close its connection and tap."""
        async with self._locks.setdefault(participant_id, asyncio.Lock()):
            await self._close(participant_id)

    async def close_all(self) -> None:
        """Shutdown: close every peer; later offers are refused."""
        self._closed = True
        await asyncio.gather(*(self.close(pid) for pid in list(self._peers)))
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self._forwarder.close()

    async def _close(self, participant_id: str, *, leaving: bool = True) -> None:
        """``leaving=False``: a re-offer replaces the connection; the others stay subscribed."""
        peer = self._peers.pop(participant_id, None)
        if peer is None:
            return
        if leaving:
            self._forwarder.remove(participant_id)
        else:
            self._forwarder.detach(participant_id)
        await peer.connection.close()  # ends the remote tracks: the tap drains and flushes
        for receiver in peer.connection.getReceivers():
            if receiver.track is not None:  # closed before its media started: aiortc left it live
                end_remote_track(receiver.track)
        if peer.tap is not None:
            try:
                await asyncio.wait_for(peer.tap.wait_ended(), self._close_timeout_s)
            except TimeoutError:
                peer.log.warning("audio tap did not end within %.1f s", self._close_timeout_s)
            await peer.tap.stop()
        peer.log.info("closed")

    def _on_track(self, peer: Peer, track: MediaStreamTrack) -> None:
        peer.log.info("incoming %s track", track.kind)
        transceiver = next(
            (t for t in peer.connection.getTransceivers() if t.receiver.track is track), None
        )
        screen = transceiver is not None and transceiver.mid == peer.screen_mid
        tapped = self._forwarder.add_source(
            peer.participant_id, track, transceiver, key=SCREEN if screen else None
        )
        if tapped is None:
            return
        tap = self._tap_factory(peer.participant_id, tapped)
        tap.muted = self.is_muted(peer.participant_id)
        peer.tap = tap
        tap.start()

    def _on_state(self, peer: Peer) -> None:
        state = peer.connection.connectionState
        peer.log.info("connection %s", state)
        if state in ("failed", "closed") and self._peers.get(peer.participant_id) is peer:
            if self._on_lost is not None:
                self._on_lost(peer.participant_id)
            task = asyncio.get_running_loop().create_task(self.close(peer.participant_id))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
