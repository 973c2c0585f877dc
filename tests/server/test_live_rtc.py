"""The real media path: an in-process aiortc client offers through the HTTP API (httpx + ASGI) and
the server's tap feeds the speaker's ASR stream (a fake factory records the samples).

Loopback-only ICE on both sides (settings default ``ice_host_addresses=["127.0.0.1"]``, no
STUN/TURN); synchronisation by awaited events under timeouts, never by sleeping.
"""

from __future__ import annotations

import wave
from pathlib import Path

import httpx
import numpy as np
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaPlayer
from sqlalchemy import select

from hearing_server.live.registry import LiveRegistry
from hearing_server.models import AuditEvent, Hearing, HearingStatus
from hearing_server.rtc.ice import offer_host_addresses, rtc_configuration
from hearing_server.rtc.tap import ASR_SAMPLE_RATE_HZ
from tests.server.conftest import PASSWORD

LOOPBACK = ("127.0.0.1",)
TIMEOUT_S = 15.0

pytestmark = pytest.mark.timeout(40)


def tone(path: Path, seconds: float = 3.0, rate_hz: int = 48_000) -> Path:
    t = np.arange(int(seconds * rate_hz)) / rate_hz
    pcm = (0.5 * 32767 * np.sin(2 * np.pi * 440.0 * t)).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate_hz)
        out.writeframes(pcm.tobytes())
    return path


async def test_offer_through_the_api_taps_audio_into_the_speakers_stream(
    app, ctx, world, streams, tmp_path
) -> None:
    with ctx.session_factory() as session:
        hearing = session.get(Hearing, world.hearing_a)
        assert hearing is not None
        hearing.status = HearingStatus.OPEN
        session.commit()
    registry = app.state.services.live
    assert isinstance(registry, LiveRegistry)
    player = MediaPlayer(str(tone(tmp_path / "tone.wav")))
    assert player.audio is not None
    peer = RTCPeerConnection(rtc_configuration())
    peer.addTrack(player.audio)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            login = {"username": "judge_a", "password": PASSWORD}
            assert (await http.post("/api/auth/login", json=login)).status_code == 200
            with offer_host_addresses(LOOPBACK):
                await peer.setLocalDescription(await peer.createOffer())
            offer = {"sdp": peer.localDescription.sdp, "type": "offer"}
            response = await http.post(f"/api/hearings/{world.hearing_a}/rtc/offer", json=offer)
            assert response.status_code == 200, response.text
            answer = response.json()
            assert answer["type"] == "answer" and "a=candidate" in answer["sdp"]
            await peer.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
            stream = await streams.wait_stream("staff-1", TIMEOUT_S)
            await stream.wait_samples(ASR_SAMPLE_RATE_HZ // 2, TIMEOUT_S)  # half a second
            assert "民间借贷纠纷" in stream.config.hotwords
            live = registry.get(world.hearing_a)
            assert live is not None and live.peers.tap("staff-1") is not None
            assert live.presence.state("staff-1") == "present"
            # The judge leaves: the server closes the peer; the stream stays for a rejoin.
            left = await http.post(f"/api/hearings/{world.hearing_a}/leave")
            assert left.status_code == 204, left.text
            assert "staff-1" not in live.peers.participants
            assert live.presence.state("staff-1") == "left" and not stream.finished
    finally:
        await registry.close_all()  # server side first: the client then just stops
        await peer.close()
        player.audio.stop()
    assert stream.finished  # closing the hearing finishes its streams
    with ctx.session_factory() as session:
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "hearing", AuditEvent.entity_id == world.hearing_a)
            .order_by(AuditEvent.id)
        ).all()
    assert list(actions) == ["hearing.join", "hearing.leave"]
