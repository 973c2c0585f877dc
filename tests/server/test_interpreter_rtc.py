"""Issue 13, interpreters: two speakers of one hearing, each recognised in their own language.

A defendant set to English speaks real English (``en_jfk.wav``) and an interpreter (Mandarin, the
hearing's language) interpreting for the defendant speaks real Mandarin (AISHELL-1), both over
real WebRTC (in-process aiortc clients offering through the HTTP API, loopback only) into the
server's real ASR streams on the one Whisper model the test session shares. Synchronisation is by
awaited events (a stream's first committed words, the clip's end) under timeouts.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaPlayer
from sqlalchemy import select

from asr.engine import Engine, FloatArray
from asr.scheduler import InferenceScheduler
from asr.session import StreamingSession
from asr.stream import StreamConfig
from asr.types import Commit, Event
from hearing_server.live.registry import LiveRegistry
from hearing_server.models import AuditEvent, CourtRole, Participant
from hearing_server.notify import RecordingCodeSender
from hearing_server.rtc.ice import offer_host_addresses, rtc_configuration
from tests.server.conftest import PASSWORD, World
from tests.server.live_client import open_hearing

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.corpus, pytest.mark.timeout(300)]

LOOPBACK = ("127.0.0.1",)
TIMEOUT_S = 180.0


class WatchedSession:
    """A real :class:`StreamingSession` whose committed text the test can await."""

    def __init__(self, session: StreamingSession, config: StreamConfig) -> None:
        self.config = config
        self.text = ""
        self.committed = asyncio.Event()
        self._session = session

    def feed(self, samples: FloatArray) -> None:
        self._session.feed(samples)

    def set_hotwords(self, hotwords: tuple[str, ...]) -> None:
        self._session.set_hotwords(hotwords)

    async def events(self) -> AsyncIterator[Event]:
        async for event in self._session.events():
            if isinstance(event, Commit):
                self.text += " " + " ".join(w.text for w in event.words)
                self.committed.set()
            yield event

    async def finish(self) -> None:
        await self._session.finish()


class SharedModelStreams:
    """The server's stream factory on the session-wide test model (one scheduler per app)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._scheduler: InferenceScheduler | None = None
        self.streams: dict[str, WatchedSession] = {}
        self.opened = asyncio.Event()

    async def ready(self) -> None:
        if self._scheduler is None:
            self._scheduler = InferenceScheduler(self._engine)
            self._scheduler.start()

    def open(self, stream_id: str, config: StreamConfig) -> WatchedSession:
        assert self._scheduler is not None
        session = StreamingSession(self._scheduler, config, stream_id=stream_id)
        self.streams[stream_id] = WatchedSession(session, config)
        self.opened.set()
        return self.streams[stream_id]

    async def wait_streams(self, count: int) -> None:
        while len(self.streams) < count:
            self.opened.clear()
            await self.opened.wait()

    async def aclose(self) -> None:
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            await scheduler.stop()


@pytest.fixture
def streams(engine: Engine) -> SharedModelStreams:  # overrides tests/server/conftest.py's fake
    return SharedModelStreams(engine)


async def _join(http: httpx.AsyncClient, judge: httpx.AsyncClient, pid: int, sender) -> None:
    invited = await judge.post(f"/api/participants/{pid}/invitation")
    assert invited.status_code == 201, invited.text
    token = invited.json()["url"].rsplit("/join/", 1)[1]
    assert (await http.post(f"/api/join/{token}/code")).status_code == 202
    code = sender.last_code_for(pid)
    verified = await http.post(f"/api/join/{token}/verify", json={"code": code})
    assert verified.status_code == 200, verified.text


async def _offer(
    http: httpx.AsyncClient, hearing_id: int, wav: Path, played: asyncio.Event
) -> RTCPeerConnection:
    """Offer ``wav`` as the speaker's microphone; ``played`` is set when the clip has been sent."""
    player = MediaPlayer(str(wav))
    assert player.audio is not None
    player.audio.on("ended", played.set)
    peer = RTCPeerConnection(rtc_configuration())
    peer.addTrack(player.audio)
    with offer_host_addresses(LOOPBACK):
        await peer.setLocalDescription(await peer.createOffer())
    offer = {"sdp": peer.localDescription.sdp, "type": "offer"}
    response = await http.post(f"/api/hearings/{hearing_id}/rtc/offer", json=offer)
    assert response.status_code == 200, response.text
    await peer.setRemoteDescription(RTCSessionDescription(response.json()["sdp"], "answer"))
    return peer


async def test_english_speaker_and_mandarin_interpreter_are_each_recognised_in_their_language(
    app,
    ctx,
    world: World,
    streams: SharedModelStreams,
    code_sender: RecordingCodeSender,
    speech_corpus: Path,
) -> None:
    hearing, defendant = world.hearing_a, world.defendant_a
    transport = httpx.ASGITransport(app=app)
    peers: list[RTCPeerConnection] = []
    registry = app.state.services.live
    assert isinstance(registry, LiveRegistry)

    def client() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=transport, base_url="http://test")

    try:
        async with client() as judge, client() as party, client() as interp:
            login = {"username": "clerk_a", "password": PASSWORD}
            assert (await judge.post("/api/auth/login", json=login)).status_code == 200
            # The clerk schedules an interpreter for the defendant and sets the defendant's
            # language to English (the hearing itself is in Mandarin).
            added = await judge.post(
                f"/api/hearings/{hearing}/participants",
                json={
                    "display_name": "陈译",
                    "court_role": "interpreter",
                    "phone": "13800000009",
                    "language": "zh",
                    "interprets_participant_id": defendant,
                },
            )
            assert added.status_code == 201, added.text
            interpreter = added.json()["id"]
            assert added.json()["interprets_participant_id"] == defendant
            english = await judge.put(
                f"/api/participants/{defendant}/language", json={"language": "en"}
            )
            assert english.status_code == 200, english.text
            assert english.json()["language"] == "en"
            open_hearing(ctx, hearing)
            await _join(party, judge, defendant, code_sender)
            await _join(interp, judge, interpreter, code_sender)

            played = [asyncio.Event(), asyncio.Event()]
            peers.append(await _offer(party, hearing, speech_corpus / "en_jfk.wav", played[0]))
            peers.append(
                await _offer(
                    interp, hearing, speech_corpus / "zh_aishell1_BAC009S0764W0121.wav", played[1]
                )
            )
            async with asyncio.timeout(TIMEOUT_S):
                await streams.wait_streams(2)  # each opens on the speaker's first audio
            live = registry.get(hearing)
            assert live is not None
            en = streams.streams[f"participant-{defendant}"]
            zh = streams.streams[f"participant-{interpreter}"]
            assert en.config.language == "en" and zh.config.language == "zh"
            async with asyncio.timeout(TIMEOUT_S):
                # Each speaker's words are committed while the hearing is live ...
                await asyncio.gather(en.committed.wait(), zh.committed.wait())
                # ... and both clips are played to their end (real time, about 11 s).
                await asyncio.gather(*(event.wait() for event in played))
    finally:
        # Closing the hearing finishes both streams: their last words are committed before
        # close_all returns (the whole of each clip is then in the text, however slow the CPU).
        await registry.close_all()
        for peer in peers:
            await peer.close()

    print(f"\nEnglish: {en.text!r}\nMandarin: {zh.text!r}")
    assert "country" in en.text.lower() and not re.search(r"[\u4e00-\u9fff]", en.text)
    assert len(re.findall(r"[\u4e00-\u9fff]", zh.text)) >= 4, zh.text
    with ctx.session_factory() as session:
        row = session.get(Participant, interpreter)
        assert row is not None and row.court_role is CourtRole.INTERPRETER
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity_type == "participant",
                AuditEvent.entity_id.in_([defendant, interpreter]),
            )
        ).all()
    assert "participant.language" in actions and "participant.add" in actions
