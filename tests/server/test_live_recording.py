"""The hearing is recorded: a real aiortc client's audio → the tap → fsync'd chunks → at closing,
one file per participant and a mix with SHA-256 digests; a leave is a gap of the record."""

from __future__ import annotations

import hashlib

import httpx
import numpy as np
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaPlayer

from hearing_server.models import Hearing, HearingStatus
from hearing_server.rtc.ice import offer_host_addresses, rtc_configuration
from hearing_server.rtc.tap import ASR_SAMPLE_RATE_HZ
from recordings import LocalDirStore, decode_flac, read_manifest, read_track_index
from tests.server.conftest import PASSWORD
from tests.server.test_live_rtc import LOOPBACK, TIMEOUT_S, tone

pytestmark = pytest.mark.timeout(60)
RATE = ASR_SAMPLE_RATE_HZ


async def test_a_closed_hearing_has_its_recording_with_digests_and_gaps(
    app, ctx, world, streams, settings, tmp_path
) -> None:
    with ctx.session_factory() as session:
        hearing = session.get(Hearing, world.hearing_a)
        assert hearing is not None
        hearing.status = HearingStatus.OPEN
        session.commit()
    player = MediaPlayer(str(tone(tmp_path / "tone.wav", seconds=6.0)))
    assert player.audio is not None
    peer = RTCPeerConnection(rtc_configuration())
    peer.addTrack(player.audio)
    transport = httpx.ASGITransport(app=app)
    base = f"/api/hearings/{world.hearing_a}"
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as judge:
            login = {"username": "judge_a", "password": PASSWORD}
            assert (await judge.post("/api/auth/login", json=login)).status_code == 200
            with offer_host_addresses(LOOPBACK):
                await peer.setLocalDescription(await peer.createOffer())
            offer = {"sdp": peer.localDescription.sdp, "type": "offer"}
            answer = (await judge.post(f"{base}/rtc/offer", json=offer)).json()
            await peer.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
            stream = await streams.wait_stream("staff-1", TIMEOUT_S)
            await stream.wait_samples(3 * RATE, TIMEOUT_S)  # three seconds reached the tap
            assert (await judge.post(f"{base}/leave")).status_code == 204
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as clerk:
            login = {"username": "clerk_a", "password": PASSWORD}
            assert (await clerk.post("/api/auth/login", json=login)).status_code == 200
            assert (await clerk.get(f"{base}/recordings")).status_code == 404  # not yet closed
            closed = await clerk.post(f"{base}/close")
            assert closed.status_code == 200, closed.text  # finalised after the response
            manifest = (await clerk.get(f"{base}/recordings")).json()
            (entry,) = manifest["tracks"]
            whole = await clerk.get(f"{base}/recordings/staff-1.flac")
            assert whole.status_code == 200 and whole.headers["content-type"] == "audio/flac"
            assert hashlib.sha256(whole.content).hexdigest() == entry["sha256"]
            assert whole.headers["accept-ranges"] == "bytes"
            part = await clerk.get(
                f"{base}/recordings/staff-1.flac", headers={"Range": "bytes=100-1099"}
            )
            assert part.status_code == 206 and part.content == whole.content[100:1100]
            assert (await clerk.get(f"{base}/recordings/nobody.flac")).status_code == 404
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as outsider:
            login = {"username": "clerk_b", "password": PASSWORD}
            assert (await outsider.post("/api/auth/login", json=login)).status_code == 200
            assert (await outsider.get(f"{base}/recordings/mix.flac")).status_code == 404
    finally:
        await peer.close()
        player.audio.stop()

    store = LocalDirStore(settings.data_dir / "recordings")
    final = read_manifest(store, world.hearing_a)
    assert final is not None, "the closed hearing was not finalised"
    (track,) = final.tracks
    assert track.name == "staff-1"
    data = store.get(track.key)
    assert hashlib.sha256(data).hexdigest() == track.sha256
    assert hashlib.sha256(store.get(final.mix.key)).hexdigest() == final.mix.sha256
    audio = decode_flac(data)
    voiced = np.abs(audio) > 0.05
    assert voiced.sum() >= int(
        2.5 * RATE
    )  # at least what reached the tap before leaving, less a chunk
    start = int(np.argmax(voiced)) + RATE // 4  # a contiguous second inside the tone
    spectrum = np.abs(np.fft.rfft(audio[start : start + RATE]))
    assert abs(float(np.argmax(spectrum)) - 440) < 5  # the 440 Hz tone (1 Hz bins)
    index = read_track_index(store, world.hearing_a, "staff-1")
    assert index.closed and not index.problems
    assert [g.reason for g in index.gaps] == ["left"]
