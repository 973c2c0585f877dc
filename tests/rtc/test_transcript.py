"""Real speech through WebRTC into a live recognition stream (the server's whole audio path)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from aiortc.mediastreams import MediaStreamTrack

from asr.engine import Engine
from asr.scheduler import InferenceScheduler
from asr.session import StreamingSession
from asr.stream import StreamConfig
from asr.types import Commit
from hearing_server.rtc.ice import IceSettings
from hearing_server.rtc.peer import PeerManager
from hearing_server.rtc.tap import AudioTap
from tests.rtc.conftest import LOOPBACK, TIMEOUT_S, Client, make_client

pytestmark = [pytest.mark.model, pytest.mark.slow]


async def test_jfk_over_webrtc_is_transcribed(
    engine: Engine, speech_corpus: Path, clients: list[Client]
) -> None:
    async with InferenceScheduler(engine) as scheduler:
        session = StreamingSession(scheduler, StreamConfig(language="en"), stream_id="plaintiff")
        taps: list[AudioTap] = []

        def tap_factory(participant_id: str, track: MediaStreamTrack) -> AudioTap:
            taps.append(AudioTap(track, session.feed, participant_id=participant_id))
            return taps[-1]

        manager = PeerManager(IceSettings(host_addresses=LOOPBACK), tap_factory)
        try:
            client = make_client(speech_corpus / "en_jfk.wav")
            clients.append(client)
            assert client.player is not None and client.player.audio is not None
            ended = asyncio.Event()
            client.player.audio.on("ended", ended.set)
            started = time.monotonic()
            await client.join(manager, "plaintiff")
            await asyncio.wait_for(ended.wait(), TIMEOUT_S)
            await client.close()
            await asyncio.wait_for(taps[0].wait_ended(), TIMEOUT_S)
            await asyncio.wait_for(session.finish(), 60)
            elapsed_s = time.monotonic() - started
        finally:
            await manager.close_all()

    commits = [e for e in session.drain() if isinstance(e, Commit)]
    text = " ".join(c.text for c in commits).lower()
    assert "country" in text, text
    assert abs(taps[0].samples_fed / 16_000 - 11.0) <= 0.5
    print(f"\nJFK over WebRTC: {elapsed_s:.1f} s wall for 11.0 s of speech; text: {text!r}")
