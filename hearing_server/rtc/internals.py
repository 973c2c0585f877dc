"""Every use of aiortc's private API in the project, in one place (written against aiortc 1.16.0).

Selective forwarding (:mod:`hearing_server.rtc.forwarding`) needs three hooks below aiortc's
public track API:

- **encoded frames of a receiver**: ``RTCRtpReceiver._handle_rtp_packet`` re-assembles an encoded
  frame (``JitterFrame``: ``data`` = depayloaded bitstream, ``timestamp`` = RTP timestamp mapped
  to start at 0) and puts ``(codec, frame)`` on the name-mangled ``__decoder_queue`` (a
  ``queue.Queue`` read by the decoder thread; ``None`` ends it). :func:`tee_encoded_frames`
  replaces that queue with a wrapper that hands every frame to a callback on the event loop and
  passes it on to the decoder only when asked (video is never decoded unless a fallback needs it).
- **keyframes**: ``RTCRtpReceiver._send_rtcp_pli(media_ssrc)`` asks the source for a keyframe;
  ``RTCRtpSender._send_keyframe()`` is what a subscriber's PLI/FIR calls (it only flags the
  encoder); :func:`on_keyframe_request` overrides it per sender instance.
- **codecs of a transceiver**: ``RTCRtpTransceiver._codecs`` (negotiated in
  ``setRemoteDescription``; ``[0]`` is what the sender sends); :func:`pin_codec` moves the wanted
  codec first before the answer is created, the effect ``setCodecPreferences`` would have had if
  the transceivers existed before the offer was applied.

- **ending a remote track**: a ``RemoteStreamTrack`` ends when ``None`` reaches its ``_queue``,
  which the decoder thread puts when the receiver stops, but only if the receiver had started. A
  connection closed before its media flowed (a quick re-offer) leaves its tracks live forever;
  :func:`end_remote_track` puts the ``None`` itself.

``RTCRtpSender._next_encoded_frame`` packs any non-``Frame`` it reads from a track with
``encoder.pack(packet)`` (no re-encode): that part is public behaviour of ``MediaPlayer(decode=
False)``. :func:`check_internals` fails loudly when any of this changed; a test calls it.
"""

from __future__ import annotations

import asyncio
import inspect
import queue
from collections.abc import Callable
from typing import Any

import aiortc
from aiortc import RTCRtpReceiver, RTCRtpSender, RTCRtpTransceiver
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcrtpreceiver import RemoteStreamTrack

__all__ = [
    "WRITTEN_FOR_AIORTC",
    "EncodedFrameCallback",
    "check_internals",
    "end_remote_track",
    "on_keyframe_request",
    "pin_codec",
    "request_keyframe",
    "send_codec_mime",
    "tee_encoded_frames",
]

WRITTEN_FOR_AIORTC = "1.16.0"

EncodedFrameCallback = Callable[[str, int, bytes, int], None]
"""``(mime_type, clock_rate_hz, data, timestamp)`` of one re-assembled encoded frame."""

_QUEUE_ATTR = "_RTCRtpReceiver__decoder_queue"


class _TeeQueue:
    """Stands in for the receiver's decoder queue: ``put`` is called on the event loop."""

    def __init__(
        self,
        inner: queue.Queue[Any],
        on_frame: EncodedFrameCallback,
        on_end: Callable[[], None],
        decode: Callable[[], bool],
    ) -> None:
        self._inner = inner
        self._on_frame = on_frame
        self._on_end = on_end
        self._decode = decode

    def put(self, item: Any) -> None:
        if item is None:
            self._on_end()
        else:
            codec, frame = item
            self._on_frame(codec.mimeType, codec.clockRate, frame.data, frame.timestamp)
            if not self._decode():
                return
        self._inner.put(item)

    def get(self) -> Any:
        return self._inner.get()


def tee_encoded_frames(
    receiver: RTCRtpReceiver,
    on_frame: EncodedFrameCallback,
    *,
    on_end: Callable[[], None],
    decode: Callable[[], bool],
) -> None:
    """Call ``on_frame`` for every encoded frame ``receiver`` re-assembles; decode it only while
    ``decode()`` is true. ``on_end`` runs when the receiver stops (connection closed, RTCP BYE);
    the end always reaches the decoder thread too, so the receiver's track still ends."""
    inner = getattr(receiver, _QUEUE_ATTR)
    if isinstance(inner, _TeeQueue):
        raise RuntimeError("encoded frames of this receiver are already teed")
    setattr(receiver, _QUEUE_ATTR, _TeeQueue(inner, on_frame, on_end, decode))


def request_keyframe(receiver: RTCRtpReceiver) -> list[asyncio.Task[None]]:
    """Send a PLI for every SSRC the receiver heard from in the last 10 s (tasks returned)."""
    loop = asyncio.get_running_loop()
    return [
        loop.create_task(receiver._send_rtcp_pli(source.source))
        for source in receiver.getSynchronizationSources()
    ]


def on_keyframe_request(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    """Call ``callback`` when the remote end of ``sender`` sends a PLI or FIR."""
    sender._send_keyframe = callback  # type: ignore[method-assign]


def end_remote_track(track: MediaStreamTrack) -> None:
    """End a remote track whose connection closed (no-op if it ended or is not a remote track)."""
    queue = getattr(track, "_queue", None)
    if isinstance(track, RemoteStreamTrack) and track.readyState == "live" and queue is not None:
        queue.put_nowait(None)


def pin_codec(transceiver: RTCRtpTransceiver, mime_type: str) -> bool:
    """Make ``mime_type`` the negotiated codec (moved first, its RTX right after). Call between
    ``setRemoteDescription`` and ``createAnswer``. False when the offer does not have it."""
    codecs = list(transceiver._codecs)
    main = [c for c in codecs if c.mimeType.lower() == mime_type.lower()]
    if not main:
        return False
    first = main[0]
    rtx = [
        c
        for c in codecs
        if c.mimeType.lower().endswith("/rtx") and c.parameters.get("apt") == first.payloadType
    ]
    transceiver._codecs = [first, *rtx] + [c for c in codecs if c is not first and c not in rtx]
    return True


def send_codec_mime(transceiver: RTCRtpTransceiver) -> str | None:
    """The codec the transceiver's sender uses (lower case), None before negotiation."""
    codecs = transceiver._codecs
    return codecs[0].mimeType.lower() if codecs else None


def check_internals() -> None:
    """Raise ``RuntimeError`` naming what changed if aiortc no longer has what this module uses."""
    problems: list[str] = []
    if aiortc.__version__ != WRITTEN_FOR_AIORTC:
        problems.append(f"aiortc {aiortc.__version__} (written for {WRITTEN_FOR_AIORTC})")
    handle = inspect.getsource(RTCRtpReceiver._handle_rtp_packet)
    if "self.__decoder_queue.put((codec, encoded_frame))" not in handle:
        problems.append("RTCRtpReceiver._handle_rtp_packet no longer puts (codec, frame)")
    if "self.__decoder_queue: queue.Queue" not in inspect.getsource(RTCRtpReceiver.__init__):
        problems.append("RTCRtpReceiver has no __decoder_queue")
    if not inspect.iscoroutinefunction(getattr(RTCRtpReceiver, "_send_rtcp_pli", None)):
        problems.append("RTCRtpReceiver._send_rtcp_pli is gone")
    rtcp = inspect.getsource(RTCRtpSender._handle_rtcp_packet)
    if "self._send_keyframe()" not in rtcp:
        problems.append("RTCRtpSender no longer calls _send_keyframe() on PLI/FIR")
    if "self.__encoder.pack(data)" not in inspect.getsource(RTCRtpSender._next_encoded_frame):
        problems.append("RTCRtpSender no longer packs pre-encoded packets")
    if "transceiver._codecs = common" not in inspect.getsource(
        aiortc.RTCPeerConnection.setRemoteDescription
    ):
        problems.append("RTCRtpTransceiver._codecs is no longer set by setRemoteDescription")
    remote = inspect.getsource(RemoteStreamTrack)
    if "self._queue: asyncio.Queue" not in remote or "if frame is None:" not in remote:
        problems.append("RemoteStreamTrack no longer ends on None in its _queue")
    if problems:
        raise RuntimeError("aiortc internals changed: " + "; ".join(problems))
