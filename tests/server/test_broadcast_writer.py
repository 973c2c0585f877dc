"""Issue 13, public broadcast: the writer's HLS carries the hearing's real audio.

A judge's in-process aiortc client sends a 440 Hz tone over real WebRTC (loopback only) through
the HTTP API; the judge allows public viewing; the broadcast writer taps the forwarded Opus,
mixes and encodes it. The segments it wrote are decoded with PyAV: they hold the tone (not
silence), at 48 kHz, and the observers' playlist lists them only once they are old enough.
Switching public viewing off stops serving them and deletes them.
Waiting is on conditions (the writer's output) under a timeout, never a fixed sleep.
"""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

import av
import httpx
import numpy as np
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaPlayer

from hearing_server.broadcast.service import BroadcastService
from hearing_server.rtc.ice import offer_host_addresses, rtc_configuration
from tests.server.conftest import PASSWORD, World
from tests.server.live_client import open_hearing

pytestmark = pytest.mark.timeout(90)

TIMEOUT_S = 45.0


def _tone(path: Path, seconds: float = 30.0, rate_hz: int = 48_000) -> Path:
    t = np.arange(int(seconds * rate_hz)) / rate_hz
    pcm = (0.4 * 32767 * np.sin(2 * np.pi * 440.0 * t)).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate_hz)
        out.writeframes(pcm.tobytes())
    return path


def _video_of(segment: Path) -> tuple[str, int, int, int]:
    with av.open(str(segment)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        return stream.codec_context.name, stream.width, stream.height, frames


def _decoded(segment: Path) -> np.ndarray:
    with av.open(str(segment)) as container:
        chunks = [
            frame.to_ndarray().reshape(-1) for frame in container.decode(container.streams.audio[0])
        ]
    return np.concatenate(chunks).astype(np.float64)


async def test_the_broadcast_carries_the_judges_voice(app, ctx, world: World, tmp_path) -> None:
    open_hearing(ctx, world.hearing_a)
    service = app.state.services.broadcast
    assert isinstance(service, BroadcastService)
    registry = app.state.services.live
    player = MediaPlayer(str(_tone(tmp_path / "tone.wav")))
    assert player.audio is not None
    peer = RTCPeerConnection(rtc_configuration())
    peer.addTrack(player.audio)
    transport = httpx.ASGITransport(app=app)
    run_dir = service.root / str(world.hearing_a) / "run1"
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as judge:
            login = {"username": "judge_a", "password": PASSWORD}
            assert (await judge.post("/api/auth/login", json=login)).status_code == 200
            with offer_host_addresses(("127.0.0.1",)):
                await peer.setLocalDescription(await peer.createOffer())
            offer = {"sdp": peer.localDescription.sdp, "type": "offer"}
            answer = await judge.post(f"/api/hearings/{world.hearing_a}/rtc/offer", json=offer)
            assert answer.status_code == 200, answer.text
            await peer.setRemoteDescription(RTCSessionDescription(answer.json()["sdp"], "answer"))
            url = f"/api/hearings/{world.hearing_a}/broadcast"
            on = await judge.put(url, json={"public_viewing": True, "delay_s": 2})
            assert on.status_code == 200, on.text
            token = on.json()["watch_url"].rsplit("/watch/", 1)[1]
            async with asyncio.timeout(TIMEOUT_S):  # three whole segments written
                while not (run_dir / "seg00002.ts").is_file():
                    await asyncio.sleep(0.1)
                while (await judge.get(f"/watch/{token}/live.m3u8")).status_code != 200:
                    await asyncio.sleep(0.2)  # listed once a segment is 2 s old
            playlist = await judge.get(f"/watch/{token}/live.m3u8")
            assert playlist.headers["cache-control"] == "public, max-age=1"
            first = next(
                line for line in playlist.text.splitlines() if line and not line.startswith("#")
            )
            segment = await judge.get(f"/watch/{token}/{first}")
            assert segment.status_code == 200
            assert segment.headers["cache-control"] == "public, max-age=86400, immutable"
            assert (await judge.get(f"/api/hearings/{world.hearing_a}/broadcast")).json()["on_air"]
            samples = _decoded(run_dir / "seg00001.ts")  # a whole segment, the tone flowing
            video = _video_of(run_dir / "seg00001.ts")
            # Switched off: nothing more is served and the public copy is deleted.
            off = await judge.put(url, json={"public_viewing": False})
            assert off.status_code == 200 and not off.json()["on_air"]
            assert (await judge.get(f"/watch/{token}/{first}")).status_code == 404
            async with asyncio.timeout(TIMEOUT_S):
                while run_dir.parent.exists():
                    await asyncio.sleep(0.1)
    finally:
        await service.aclose()
        await registry.close_all()
        await peer.close()
        player.audio.stop()
    assert samples.size >= 48_000
    rms = float(np.sqrt(np.mean(samples**2)))
    spectrum = np.abs(np.fft.rfft(samples))
    peak_hz = float(np.argmax(spectrum) * 48_000 / samples.size)
    assert rms > 0.1, f"the broadcast is silent (rms {rms:.4f})"
    assert abs(peak_hz - 440.0) < 5.0, peak_hz
    # No camera in this hearing: the video track is there (players expect it), black, at 5 fps.
    codec, width, height, frames = video
    assert (codec, width, height) == ("h264", 320, 180) and frames >= 8, (codec, frames)
