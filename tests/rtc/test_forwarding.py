"""EncodedSource / EncodedTrack without a network: frames are put where aiortc puts them."""

from __future__ import annotations

import asyncio
import queue
from fractions import Fraction
from types import SimpleNamespace
from typing import Any, cast

import av
import pytest
from aiortc import (
    RTCDtlsTransport,
    RTCRtpCodecParameters,
    RTCRtpReceiver,
    RTCRtpSender,
    RTCRtpTransceiver,
)
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack

from hearing_server.rtc import forwarding
from hearing_server.rtc.forwarding import (
    AUDIO_QUEUE_FRAMES,
    VIDEO_QUEUE_FRAMES,
    EncodedSource,
    EncodedTrack,
)
from hearing_server.rtc.internals import on_keyframe_request
from hearing_server.rtc.opus_silence import silence_like
from hearing_server.rtc.relay import Forwarder

VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90_000, payloadType=97)
OPUS = RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48_000, payloadType=111, channels=2)
KEY, DELTA = b"\x10\x02\x00", b"\x11\x02\x00"  # VP8 frame tag: bit 0 clear = key frame
VOICE = b"\x78" + b"\x42" * 40  # TOC 0x78: SILK wideband 20 ms, one frame


def receiver(kind: str) -> RTCRtpReceiver:
    return RTCRtpReceiver(kind, cast(RTCDtlsTransport, SimpleNamespace(state="new")))


def transceiver_of(rx: RTCRtpReceiver) -> RTCRtpTransceiver:
    return cast(RTCRtpTransceiver, SimpleNamespace(receiver=rx))


def decoder_queue(rx: RTCRtpReceiver) -> Any:
    return rx._RTCRtpReceiver__decoder_queue  # type: ignore[attr-defined]


def arrive(rx: RTCRtpReceiver, codec: RTCRtpCodecParameters, data: bytes, timestamp: int) -> None:
    """What ``RTCRtpReceiver._handle_rtp_packet`` does with a re-assembled frame."""
    decoder_queue(rx).put((codec, JitterFrame(data, timestamp)))


def attached(kind: str, rx: RTCRtpReceiver, **options: Any) -> EncodedSource:
    source = EncodedSource("judge", kind, **options)
    source.attach(rx)
    return source


async def received(track: EncodedTrack) -> av.Packet[Any]:
    return await asyncio.wait_for(track.recv(), 1.0)


@pytest.fixture
def keyframe_requests(monkeypatch: pytest.MonkeyPatch) -> list[RTCRtpReceiver]:
    sent: list[RTCRtpReceiver] = []

    def request(rx: RTCRtpReceiver) -> list[asyncio.Task[None]]:
        sent.append(rx)
        return []

    monkeypatch.setattr(forwarding, "request_keyframe", request)
    return sent


async def test_new_video_subscriber_starts_at_a_keyframe(
    keyframe_requests: list[RTCRtpReceiver],
) -> None:
    rx = receiver("video")
    source = attached("video", rx, decode=False)
    arrive(rx, VP8, KEY, 0)  # nobody subscribed yet: dropped
    track = source.subscribe()
    assert keyframe_requests == [rx]  # asked for at once
    arrive(rx, VP8, DELTA, 3000)
    arrive(rx, VP8, KEY, 6000)
    arrive(rx, VP8, DELTA, 9000)
    first, second = await received(track), await received(track)
    assert (bytes(first), first.pts, first.time_base) == (KEY, 6000, Fraction(1, 90_000))
    assert (bytes(second), second.pts) == (DELTA, 9000)
    assert track.dropped == 1
    assert keyframe_requests == [rx]  # the second request came within the rate limit
    assert decoder_queue(rx)._inner.qsize() == 0  # video is not decoded
    assert source.mime_type == "video/vp8" and source.frames == 4


async def test_video_overflow_restarts_at_the_next_keyframe(
    keyframe_requests: list[RTCRtpReceiver],
) -> None:
    rx = receiver("video")
    source = attached("video", rx, decode=False)
    track = source.subscribe()
    arrive(rx, VP8, KEY, 0)
    for i in range(1, VIDEO_QUEUE_FRAMES + 2):  # nobody reads: the queue overflows
        arrive(rx, VP8, DELTA, 3000 * i)
    arrive(rx, VP8, DELTA, 999_000)  # still waiting for a keyframe: dropped
    arrive(rx, VP8, KEY, 1_002_000)
    packet = await received(track)
    assert (bytes(packet), packet.pts) == (KEY, 1_002_000)
    assert track.dropped == VIDEO_QUEUE_FRAMES + 3  # the full queue and three later deltas


async def test_audio_queue_is_bounded_and_drops_the_oldest() -> None:
    rx = receiver("audio")
    source = attached("audio", rx, decode=True)
    track = source.subscribe()
    for i in range(AUDIO_QUEUE_FRAMES + 5):
        arrive(rx, OPUS, VOICE, 960 * i)
    pts = [(await received(track)).pts for _ in range(AUDIO_QUEUE_FRAMES)]
    assert pts == [960 * i for i in range(5, AUDIO_QUEUE_FRAMES + 5)]
    assert track.dropped == 5
    assert decoder_queue(rx)._inner.qsize() == AUDIO_QUEUE_FRAMES + 5  # audio is decoded (ASR)


async def test_muted_audio_is_forwarded_as_silence_of_the_same_timing() -> None:
    muted = True
    rx = receiver("audio")
    source = attached("audio", rx, is_muted=lambda: muted, decode=True)
    track = source.subscribe()
    arrive(rx, OPUS, VOICE, 0)
    muted = False
    arrive(rx, OPUS, VOICE, 960)
    silent, voice = await received(track), await received(track)
    assert (bytes(silent), silent.pts) == (silence_like(VOICE), 0)
    assert (bytes(voice), voice.pts) == (VOICE, 960)


async def test_a_new_connection_continues_the_subscriptions_on_a_rebased_timeline(
    keyframe_requests: list[RTCRtpReceiver],
) -> None:
    old, new = receiver("video"), receiver("video")
    source = attached("video", old, decode=False)
    track = source.subscribe()
    arrive(old, VP8, KEY, 0)
    arrive(old, VP8, DELTA, 90_000)
    assert [(await received(track)).pts for _ in range(2)] == [0, 90_000]

    decoder_queue(old).put(None)  # the participant re-offered: the old connection stops
    source.attach(new)
    assert keyframe_requests[-1] is new  # the new encoder's first keyframe, at once
    arrive(old, VP8, KEY, 93_000)  # a straggler of the old connection: ignored
    arrive(new, VP8, DELTA, 0)  # not decodable without the new keyframe: dropped
    arrive(new, VP8, KEY, 3_000)
    arrive(new, VP8, DELTA, 6_000)
    first, second = await received(track), await received(track)
    assert bytes(first) == KEY and first.pts is not None and second.pts is not None
    assert first.pts > 90_000  # time never goes backwards
    assert second.pts - first.pts == 3_000  # and keeps the new connection's spacing


async def test_the_end_ends_subscribers_after_what_is_queued() -> None:
    rx = receiver("audio")
    source = attached("audio", rx, decode=True)
    track, other = source.subscribe(), source.subscribe()
    other.stop()  # a subscriber whose connection closed
    assert source.subscribers == 1
    arrive(rx, OPUS, VOICE, 0)
    decoder_queue(rx).put(None)  # what RTCRtpReceiver.stop() does: subscribers wait for more
    inner: queue.Queue[Any] = decoder_queue(rx)._inner
    assert inner.queue[-1] is None  # the decoder thread still learns that the stream ended
    source.end()  # the participant left
    assert bytes(await received(track)) == VOICE
    with pytest.raises(MediaStreamError):
        await received(track)
    assert source.subscribers == 0


async def test_a_re_offer_without_camera_ends_the_video_subscriptions() -> None:
    forwarder = Forwarder(is_muted=lambda participant_id: False)
    old_audio, old_video, new_audio = receiver("audio"), receiver("video"), receiver("audio")
    forwarder.add_source("judge", AudioStreamTrack(), transceiver_of(old_audio))
    forwarder.add_source("judge", VideoStreamTrack(), transceiver_of(old_video))
    video, audio = forwarder.source("judge", "video"), forwarder.source("judge", "audio")
    assert video is not None and audio is not None
    watching, listening = video.subscribe(), audio.subscribe()

    forwarder.detach("judge")  # the judge re-offers, microphone only
    forwarder.add_source("judge", AudioStreamTrack(), transceiver_of(new_audio))
    forwarder.settle("judge")
    with pytest.raises(MediaStreamError):
        await received(watching)
    arrive(new_audio, OPUS, VOICE, 0)
    assert bytes(await received(listening)) == VOICE  # the microphone continues
    assert forwarder.source("judge", "video") is None
    forwarder.close()


async def test_a_subscribers_keyframe_request_reaches_the_source(
    keyframe_requests: list[RTCRtpReceiver],
) -> None:
    rx = receiver("video")
    source = attached("video", rx, decode=False)
    sender = RTCRtpSender("video", cast(RTCDtlsTransport, SimpleNamespace(state="new")))
    on_keyframe_request(sender, source.request_keyframe)
    sender._send_keyframe()  # what the sender does on the subscriber's PLI or FIR
    assert keyframe_requests == [rx]
