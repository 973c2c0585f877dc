"""A shared screen: a participant's second video track is its own source, forwarded to the others
as a separate track (``Answer.screens``), beside the camera; a judge's stop ends it.

Each picture is flat grey of its own luma, so a decoded frame tells camera from screen.
"""

from __future__ import annotations

import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription

from hearing_server.rtc.errors import BadOfferError
from hearing_server.rtc.ice import offer_host_addresses
from hearing_server.rtc.peer import Answer, PeerManager
from hearing_server.rtc.relay import SCREEN
from tests.rtc.conftest import LOOPBACK, Client, Hearing, ToneWav
from tests.rtc.room_clients import FrameCounter, GreyCamera, make_room_client

CAMERA_LUMA, SCREEN_LUMA, JUDGE_LUMA = 60, 230, 140


async def join(
    client: Client, manager: PeerManager, participant_id: str, screen_mid: str | None
) -> Answer:
    client.connection.on("track", client.received.append)
    with offer_host_addresses(LOOPBACK):
        await client.connection.setLocalDescription(await client.connection.createOffer())
    client.answer = await manager.answer(
        participant_id, client.connection.localDescription.sdp, screen_mid=screen_mid
    )
    await client.connection.setRemoteDescription(
        RTCSessionDescription(sdp=client.answer.sdp, type="answer")
    )
    return client.answer


def add_screen(client: Client) -> None:
    client.connection.addTransceiver(GreyCamera(SCREEN_LUMA), direction="sendonly")


def screen_mid(connection: RTCPeerConnection) -> str:
    mid = connection.getTransceivers()[-1].mid
    assert mid is not None
    return mid


async def test_a_second_video_track_is_forwarded_as_its_own_screen_track(
    hearing: Hearing, clients: list[Client], tone_wav: ToneWav
) -> None:
    plaintiff = make_room_client(tone_wav(660.0, seconds=30.0), CAMERA_LUMA, others=1)
    add_screen(plaintiff)
    clients.append(plaintiff)
    # The mid is known once the offer is made: make it, then answer with it (as room-media.js).
    with offer_host_addresses(LOOPBACK):
        await plaintiff.connection.setLocalDescription(await plaintiff.connection.createOffer())
    mid = screen_mid(plaintiff.connection)
    plaintiff.connection.on("track", plaintiff.received.append)
    answer = await hearing.manager.answer(
        "plaintiff", plaintiff.connection.localDescription.sdp, screen_mid=mid
    )
    await plaintiff.connection.setRemoteDescription(
        RTCSessionDescription(sdp=answer.sdp, type="answer")
    )
    assert dict(answer.screens) == {}

    # The judge joins with one more receiving video slot than participants: the screen's.
    judge = make_room_client(tone_wav(440.0, seconds=30.0), JUDGE_LUMA, others=1)
    judge.connection.addTransceiver("video", direction="recvonly")
    clients.append(judge)
    answer = await join(judge, hearing.manager, "judge", None)
    assert sorted(answer.forwarded.values()) == ["plaintiff", "plaintiff"]
    assert list(answer.screens.values()) == ["plaintiff"]
    (shared_mid,) = answer.screens
    assert shared_mid not in answer.forwarded

    camera = FrameCounter(judge.forwarded_from("plaintiff", "video"))
    screen = FrameCounter(judge.received_track(shared_mid))
    try:
        await camera.wait_frames(10)
        await screen.wait_frames(10)
        assert abs(camera.mean_luma() - CAMERA_LUMA) < 8, camera.mean_luma()
        assert abs(screen.mean_luma() - SCREEN_LUMA) < 8, screen.mean_luma()
        source = hearing.manager.forwarder.source("plaintiff", SCREEN)
        assert source is not None and source.mime_type == "video/vp8" and not source.decode

        # A judge stops the share: the screen source ends; the camera goes on.
        hearing.manager.forwarder.end_screen("plaintiff")
        assert hearing.manager.forwarder.source("plaintiff", SCREEN) is None
        seen = camera.frames
        await camera.wait_frames(seen + 10)
    finally:
        await camera.stop()
        await screen.stop()
    assert hearing.manager.forwarder.fallbacks == 0


async def test_without_a_screen_mid_a_second_video_track_is_not_forwarded(
    hearing: Hearing, clients: list[Client], tone_wav: ToneWav
) -> None:
    plaintiff = make_room_client(tone_wav(660.0, seconds=30.0), CAMERA_LUMA, others=1)
    add_screen(plaintiff)
    clients.append(plaintiff)
    await join(plaintiff, hearing.manager, "plaintiff", None)
    judge = make_room_client(tone_wav(440.0, seconds=30.0), JUDGE_LUMA, others=1)
    judge.connection.addTransceiver("video", direction="recvonly")
    clients.append(judge)
    answer = await join(judge, hearing.manager, "judge", None)
    assert dict(answer.screens) == {}
    assert hearing.manager.forwarder.source("plaintiff", SCREEN) is None


async def test_a_screen_mid_that_sends_no_video_is_refused(
    hearing: Hearing, clients: list[Client], tone_wav: ToneWav
) -> None:
    plaintiff = make_room_client(tone_wav(660.0, seconds=30.0), CAMERA_LUMA, others=1)
    clients.append(plaintiff)
    recv_video_mid = "3"  # the recvonly video slot of make_room_client's offer
    with pytest.raises(BadOfferError):
        await join(plaintiff, hearing.manager, "plaintiff", recv_video_mid)
