"""Fixtures for the media-core tests: loopback-only aiortc client peers talking to a PeerManager.

- ``hearing``: a :class:`Hearing` holding a :class:`PeerManager` restricted to ``127.0.0.1`` with
  no STUN/TURN, whose taps feed one :class:`SampleCollector` per participant; closed on teardown.
- ``loopback_only`` (autouse): every datagram aioice sends (STUN checks, DTLS, RTP) must go to a
  loopback address; anything else fails the test (the ICE restriction is the first line, this the
  second).
- ``engine`` comes from ``tests/conftest.py`` (one model for the whole session).
- ``tone_wav``: a factory writing a 48 kHz mono 16-bit sine WAV into ``tmp_path``.
- Room-shaped clients (audio and video, like ``web/static/room.js``) are in ``room_clients.py``.

Synchronisation is by events (samples collected, frames read), each under an overall timeout;
nothing sleeps to wait for something to happen.
"""

from __future__ import annotations

import asyncio
import ipaddress
import wave
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aioice.ice
import av
import numpy as np
import numpy.typing as npt
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaPlayer
from aiortc.mediastreams import MediaStreamTrack

from hearing_server.rtc.ice import IceSettings, offer_host_addresses, rtc_configuration
from hearing_server.rtc.peer import Answer, PeerManager
from hearing_server.rtc.relay import ForwardingMode
from hearing_server.rtc.tap import ASR_SAMPLE_RATE_HZ, AudioSink, AudioTap

LOOPBACK = ("127.0.0.1",)
TIMEOUT_S = 20.0


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record aioice's datagram destinations; fail on any non-loopback one."""
    destinations: list[str] = []
    send_stun = aioice.ice.StunProtocol.send_stun
    send_data = aioice.ice.StunProtocol.send_data

    def check(addr: tuple[str, int]) -> None:
        destinations.append(addr[0])
        assert ipaddress.ip_address(addr[0]).is_loopback, f"datagram to {addr[0]}"

    def guarded_stun(self: aioice.ice.StunProtocol, message: Any, addr: tuple[str, int]) -> None:
        check(addr)
        send_stun(self, message, addr)

    async def guarded_data(
        self: aioice.ice.StunProtocol, data: bytes, addr: tuple[str, int]
    ) -> None:
        check(addr)
        await send_data(self, data, addr)

    monkeypatch.setattr(aioice.ice.StunProtocol, "send_stun", guarded_stun)
    monkeypatch.setattr(aioice.ice.StunProtocol, "send_data", guarded_data)
    yield destinations
    assert all(ipaddress.ip_address(a).is_loopback for a in destinations)


class SampleCollector:
    """An ``AudioSink`` that keeps everything and lets a test await a sample count."""

    def __init__(self) -> None:
        self.chunks: list[npt.NDArray[np.float32]] = []
        self.count = 0
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    def __call__(self, samples: npt.NDArray[np.float32]) -> None:
        assert samples.dtype == np.float32 and samples.ndim == 1
        self.chunks.append(samples)
        self.count += samples.size
        for target, future in list(self._waiters):
            if self.count >= target and not future.done():
                future.set_result(None)

    @property
    def samples(self) -> npt.NDArray[np.float32]:
        return np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.float32)

    async def wait_for(self, count: int, timeout_s: float = TIMEOUT_S) -> None:
        if self.count >= count:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((count, future))
        await asyncio.wait_for(future, timeout_s)


class CountingTrack(MediaStreamTrack):
    """Wraps a track and lets a test await "n more frames were read"."""

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.kind = source.kind
        self._source = source
        self.frames = 0
        self._changed = asyncio.Condition()

    async def recv(self) -> av.AudioFrame:
        frame = await self._source.recv()
        assert isinstance(frame, av.AudioFrame)
        self.frames += 1
        async with self._changed:
            self._changed.notify_all()
        return frame

    async def wait_frames(self, count: int, timeout_s: float = TIMEOUT_S) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: self.frames >= count), timeout_s)


@dataclass
class Hearing:
    """A PeerManager on loopback whose taps feed one ``SampleCollector`` per participant."""

    forwarding: ForwardingMode = "encoded"
    manager: PeerManager = field(init=False)
    collectors: dict[str, SampleCollector] = field(default_factory=dict)
    tracks: dict[str, CountingTrack] = field(default_factory=dict)
    taps: dict[str, AudioTap] = field(default_factory=dict)
    tapped: dict[str, asyncio.Event] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)
    """Participants whose connection dropped on its own (``PeerManager(on_lost=...)``)."""

    def __post_init__(self) -> None:
        self.manager = PeerManager(
            IceSettings(host_addresses=LOOPBACK),
            self.tap_factory,
            forwarding=self.forwarding,
            on_lost=self.lost.append,
        )

    def tap_factory(self, participant_id: str, track: MediaStreamTrack) -> AudioTap:
        counting = CountingTrack(track)
        collector = self.collectors.setdefault(participant_id, SampleCollector())
        tap = AudioTap(counting, collector, participant_id=participant_id)
        self.tracks[participant_id] = counting
        self.taps[participant_id] = tap
        self.tapped.setdefault(participant_id, asyncio.Event()).set()
        return tap

    def collector(self, participant_id: str) -> SampleCollector:
        return self.collectors.setdefault(participant_id, SampleCollector())


@pytest.fixture(params=["encoded"])
async def hearing(request: pytest.FixtureRequest) -> AsyncIterator[Hearing]:
    """Encoded forwarding; a test parametrizes ``hearing`` indirectly for ``"reencode"``."""
    made = Hearing(forwarding=request.param)
    yield made
    await made.manager.close_all()


@dataclass
class Client:
    """A participant's browser, played by an in-process aiortc peer on loopback."""

    connection: RTCPeerConnection
    player: MediaPlayer | None = None
    answer: Answer | None = None
    received: list[MediaStreamTrack] = field(default_factory=list)

    async def join(self, manager: PeerManager, participant_id: str) -> Answer:
        self.connection.on("track", self.received.append)
        with offer_host_addresses(LOOPBACK):
            await self.connection.setLocalDescription(await self.connection.createOffer())
        self.answer = await manager.answer(participant_id, self.connection.localDescription.sdp)
        await self.connection.setRemoteDescription(
            RTCSessionDescription(sdp=self.answer.sdp, type="answer")
        )
        return self.answer

    async def close(self) -> None:
        await self.connection.close()
        if self.player is not None and self.player.audio is not None:
            self.player.audio.stop()

    def received_track(self, mid: str) -> MediaStreamTrack:
        (transceiver,) = [t for t in self.connection.getTransceivers() if t.mid == mid]
        return transceiver.receiver.track

    def forwarded_from(self, participant_id: str, kind: str) -> MediaStreamTrack:
        """The received track carrying ``participant_id``'s ``kind`` (from the last answer)."""
        assert self.answer is not None
        (mid,) = [
            mid
            for mid, pid in self.answer.forwarded.items()
            if pid == participant_id and self.received_track(mid).kind == kind
        ]
        return self.received_track(mid)


def make_client(wav: Path | None, *, receive_audio: int = 0) -> Client:
    connection = RTCPeerConnection(rtc_configuration())
    player = None
    if wav is not None:
        player = MediaPlayer(str(wav))
        assert player.audio is not None
        connection.addTrack(player.audio)
    for _ in range(receive_audio):
        connection.addTransceiver("audio", direction="recvonly")
    return Client(connection, player)


@pytest.fixture
async def clients(hearing: Hearing) -> AsyncIterator[list[Client]]:
    made: list[Client] = []
    yield made
    # Server side first: closing aiortc clients while the server still holds the other end left
    # "Task exception was never retrieved" (InvalidStateError in RTCPeerConnection.close) behind.
    await hearing.manager.close_all()
    for client in made:
        await client.close()


ToneWav = Callable[..., Path]


@pytest.fixture
def tone_wav(tmp_path: Path) -> ToneWav:
    def make(
        frequency_hz: float = 440.0, seconds: float = 3.0, sample_rate_hz: int = 48_000
    ) -> Path:
        t = np.arange(int(seconds * sample_rate_hz)) / sample_rate_hz
        pcm = (0.5 * 32767 * np.sin(2 * np.pi * frequency_hz * t)).astype("<i2")
        path = tmp_path / f"tone_{frequency_hz:g}_{seconds:g}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(sample_rate_hz)
            out.writeframes(pcm.tobytes())
        return path

    return make


def peak_frequency_hz(samples: npt.NDArray[np.float32], rate_hz: int = ASR_SAMPLE_RATE_HZ) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.argmax(spectrum) * rate_hz / samples.size)


__all__ = [
    "AudioSink",
    "Client",
    "Hearing",
    "SampleCollector",
    "make_client",
    "peak_frequency_hz",
]
