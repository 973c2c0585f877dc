"""A hearing with N participants on a server whose CPU is short: what the recording and the live
transcript lose. Shared by ``tests/e2e/test_recording_under_load.py`` (a pass/fail bound) and
``tests/bench/bench_loaded_hearing.py`` (figures).

    result = await run_loaded_hearing(tmp, participants=4, seconds=60, stress=2)
    result.tracks["staff-1"].lost_s, result.lag_p50_s, result.commits

- The server is ``tingshen serve --demo`` (real app, real Whisper model) in its own process; the
  caller has already entered a private network namespace (ICE on 127.0.0.1 only).
- Participants: the judge, the clerk, the demo's plaintiff and defendant, then a third party and a
  witness added through the staff API (6). Parties join as a person does: the clerk makes an
  invitation, the party asks for the one-time code (the local SMS provider's file) and enters it.
- Each participant is an aiortc peer (in this process) sending a microphone (a WAV played in real
  time) and a 30 fps camera. They take turns: slot ``k`` of ``slot_s`` seconds is participant
  ``k mod N``'s, who speaks the next stretch of the Mandarin long file; the others are silent.
- ``stress`` busy-loop processes (nice 0, like any other program on the machine) run while the
  participants speak, so that the two cores are short.
- The judge's transcript socket stamps every recognised segment's arrival: its lag is the arrival
  minus the wall time its audio ended (the live session's ``started_at`` + ``end_ms``).
- When the speaking ends the stress stops, and the clerk waits until the transcript reaches the
  last speaking slot (``catch_up_s``: how far recognition had fallen behind), then closes.
- After the clerk closes the hearing, each track's durable index is placed as the finaliser
  places it (``recorded_runs``): ``lost_s`` is the audio the peer sent that is not in the
  recording (the audio the peer's sender read from its microphone minus the recorded runs), ``holes`` the breaks between runs
  plus the runs whose head overlapped the audio before and was dropped.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import websockets
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaPlayer
from aiortc.mediastreams import MediaStreamTrack
from av.frame import Frame

from asr.audio import decode_file
from hearing_server.rtc.ice import offer_host_addresses, rtc_configuration
from recordings import LocalDirStore, read_manifest, read_track_index
from tests.e2e.crash_audio import recorded_runs
from tests.e2e.harness import write_browser_wav
from tests.rtc.room_clients import GreyCamera
from tests.serve_process import ServeProcess, free_port, start_serve

__all__ = ["LoadResult", "TrackLoss", "run_loaded_hearing"]

SPEECH = (
    Path(__file__).resolve().parents[2].parent / "shared" / "asr-dev" / "zh_long_concat_dev.wav"
)
EXTRA = (("赵敏", "third_party", "13800000003"), ("孙磊", "witness", "13800000004"))
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
RATE = 16_000


@dataclass(frozen=True)
class TrackLoss:
    track: str
    sent_s: float
    recorded_s: float
    holes: int
    gaps: tuple[str, ...]
    """Reasons of the gaps the recorder logged (a mute, a disconnect, an overload...)."""

    @property
    def lost_s(self) -> float:
        return max(0.0, self.sent_s - self.recorded_s)


@dataclass
class LoadResult:
    participants: int
    stress: int
    seconds: float
    tracks: dict[str, TrackLoss] = field(default_factory=dict)
    lags_s: list[float] = field(default_factory=list)
    commits: int = 0
    heard_until: datetime | None = None
    """Wall time the latest recognised audio ended (``started_at`` + the largest ``end_ms``)."""
    catch_up_s: float | None = None
    """From the end of the speaking until the transcript reached its last slot (None: it did not
    within the wait)."""

    @property
    def lost_s(self) -> list[float]:
        return [t.lost_s for t in self.tracks.values()]

    def lag(self, q: float) -> float | None:
        if not self.lags_s:
            return None
        ordered = sorted(self.lags_s)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def lag_p50_s(self) -> float | None:
        return statistics.median(self.lags_s) if self.lags_s else None


class _CountedTrack(MediaStreamTrack):
    """The microphone as the sender reads it: counts the audio actually handed to the encoder
    (a starved client sends late, not less; what it never sent is not the server's loss)."""

    kind = "audio"

    def __init__(self, inner: MediaStreamTrack) -> None:
        super().__init__()
        self._inner = inner
        self.sent_s = 0.0

    async def recv(self) -> Frame | av.Packet[Any]:
        frame = await self._inner.recv()
        if isinstance(frame, av.AudioFrame):
            self.sent_s += frame.samples / frame.sample_rate
        return frame


@dataclass
class _Peer:
    key: str
    http: httpx.AsyncClient
    connection: RTCPeerConnection | None = None
    microphone: _CountedTrack | None = None


def _spin() -> None:  # a busy loop in its own process: the CPU other programs take
    while True:
        pass


def turn_audio(
    tmp: Path, n: int, seconds: float, slot_s: float, *, overlap: bool = False
) -> list[Path]:
    """One 48 kHz WAV per participant: in slot k, participant k mod n speaks, the others don't
    (``overlap``: everybody speaks all the time, each from another place of the file)."""
    speech = decode_file(SPEECH)
    total = round(seconds * RATE)
    if overlap:
        looped = np.tile(speech, 2 + total // speech.size)
        shift = speech.size // n
        tracks = [looped[i * shift : i * shift + total] for i in range(n)]
        return [write_browser_wav(tmp / f"voice-{i}.wav", t) for i, t in enumerate(tracks)]
    slot = round(slot_s * RATE)
    tracks = [np.zeros(total, dtype=np.float32) for _ in range(n)]
    cursor = 0
    for k, start in enumerate(range(0, total, slot)):
        end = min(total, start + slot)
        piece = speech[cursor : cursor + end - start]
        if piece.size < end - start:
            cursor, piece = 0, speech[: end - start]
        tracks[k % n][start : start + piece.size] = piece
        cursor += piece.size
    return [write_browser_wav(tmp / f"voice-{i}.wav", t) for i, t in enumerate(tracks)]


async def _login(base: str, who: str, password: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=60)
    response = await client.post("/api/auth/login", json={"username": who, "password": password})
    assert response.status_code == 200, response.text
    return client


async def _party(base: str, clerk: httpx.AsyncClient, pid: int, phone: str, sms: Path) -> Any:
    invitation = await clerk.post(f"/api/participants/{pid}/invitation")
    assert invitation.status_code == 201, invitation.text
    token = invitation.json()["url"].rstrip("/").rsplit("/", 1)[-1]
    client = httpx.AsyncClient(base_url=base, timeout=60)
    assert (await client.post(f"/api/join/{token}/code")).status_code == 202
    lines = [json.loads(line) for line in sms.read_text().splitlines() if line.strip()]
    text = [m for m in lines if m.get("to") == phone][-1]["text"]
    found = CODE.search(text)
    assert found is not None, text
    verified = await client.post(f"/api/join/{token}/verify", json={"code": found.group(1)})
    assert verified.status_code == 200, verified.text
    return client


async def _participants(server: ServeProcess, data: Path, n: int) -> tuple[int, list[_Peer]]:
    base = server.base_url
    judge = await _login(base, "judge", server.passwords["judge"])
    clerk = await _login(base, "clerk", server.passwords["clerk"])
    hearing = (await clerk.get("/api/hearings")).json()[0]["id"]
    for name, role, phone in EXTRA:
        body = {"display_name": name, "court_role": role, "phone": phone}
        added = await clerk.post(f"/api/hearings/{hearing}/participants", json=body)
        assert added.status_code == 201, added.text
    rows = (await clerk.get(f"/api/hearings/{hearing}/participants")).json()
    parties = [r for r in rows if r.get("phone")]
    sms = data / "sms" / "messages.jsonl"
    # In this order: judge, clerk, plaintiff, defendant, third party, witness.
    order: list[Any] = ["judge", "clerk", *parties]
    peers: list[_Peer] = []
    for who in order[:n]:
        if who == "judge":
            peers.append(_Peer("judge", judge))
        elif who == "clerk":
            peers.append(_Peer("clerk", clerk))
        else:
            client = await _party(base, clerk, who["id"], who["phone"], sms)
            peers.append(_Peer(f"participant-{who['id']}", client))
    assert len(peers) == n, f"{len(peers)} participants, wanted {n}"
    assert (await clerk.post(f"/api/hearings/{hearing}/open")).status_code == 200
    return hearing, peers


async def _connect(peer: _Peer, hearing: int, wav: Path, luma: int) -> None:
    player = MediaPlayer(str(wav))
    assert player.audio is not None
    peer.microphone = _CountedTrack(player.audio)
    connection = RTCPeerConnection(rtc_configuration())
    connection.addTransceiver(peer.microphone, direction="sendonly")
    connection.addTransceiver(GreyCamera(luma), direction="sendonly")
    with offer_host_addresses(("127.0.0.1",)):
        await connection.setLocalDescription(await connection.createOffer())
    offer = {"sdp": connection.localDescription.sdp, "type": "offer"}
    answer = await peer.http.post(f"/api/hearings/{hearing}/rtc/offer", json=offer, timeout=120)
    assert answer.status_code == 200, answer.text
    await connection.setRemoteDescription(RTCSessionDescription(answer.json()["sdp"], "answer"))
    peer.connection = connection


async def _watch(base: str, cookie: str, hearing: int, result: LoadResult) -> None:
    url = base.replace("http", "ws", 1) + f"/ws/hearings/{hearing}/transcript"
    started: datetime | None = None
    texts: dict[str, str] = {}
    async with websockets.connect(url, additional_headers={"Cookie": cookie}) as ws:
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "snapshot":
                started = datetime.fromisoformat(message["started_at"])
                continue
            if message["type"] != "segment" or started is None:
                continue
            segment = message["segment"]
            if segment["text"] and segment["text"] != texts.get(segment["id"]):
                texts[segment["id"]] = segment["text"]
                ended = started + timedelta(milliseconds=segment["end_ms"])
                result.lags_s.append((datetime.now(UTC) - ended).total_seconds())
                result.commits += 1
                if result.heard_until is None or ended > result.heard_until:
                    result.heard_until = ended


def _track_loss(store: LocalDirStore, hearing: int, peer: _Peer, key: str) -> TrackLoss:
    index = read_track_index(store, hearing, key)
    assert index.chunks, f"{key}: nothing recorded"
    origin = min(c.start_utc for c in index.chunks)
    runs = recorded_runs(index, origin)
    recorded = sum(r.end - r.start for r in runs) / index.sample_rate_hz
    holes = len(runs) - 1 + sum(1 for r in runs if r.dropped)
    assert peer.microphone is not None
    sent = peer.microphone.sent_s
    return TrackLoss(key, sent, recorded, holes, tuple(g.reason for g in index.gaps))


async def run_loaded_hearing(
    tmp: Path,
    *,
    participants: int,
    seconds: float,
    stress: int,
    slot_s: float = 8.0,
    env: dict[str, str] | None = None,
    catch_up_s: float = 120.0,
    overlap: bool = False,
) -> LoadResult:
    if not 2 <= participants <= 6:
        raise ValueError("2 to 6 participants")
    data, port = tmp / "data", free_port()
    wavs = turn_audio(tmp, participants, seconds, slot_s, overlap=overlap)
    server = start_serve(
        data, port, env={"TINGSHEN_NOTICE_DISPATCH_ENABLED": "false", **(env or {})}
    )
    result = LoadResult(participants, stress, seconds)
    spinners: list[multiprocessing.Process] = []
    try:
        hearing, peers = await _participants(server, data, participants)
        judge_cookie = "; ".join(f"{k}={v}" for k, v in peers[0].http.cookies.items())
        watcher = asyncio.create_task(_watch(server.base_url, judge_cookie, hearing, result))
        for i, (peer, wav) in enumerate(zip(peers, wavs, strict=True)):
            await _connect(peer, hearing, wav, 40 + 30 * i)
        spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(stress)]
        for spinner in spinners:
            spinner.start()
        # The participants speak for ``seconds``: this wait is the hearing's length, not a
        # stand-in for a condition (the audio is played in real time by the peers).
        await asyncio.sleep(seconds)
        for spinner in spinners:
            spinner.terminate()
        await _catch_up(result, datetime.now(UTC) - timedelta(seconds=slot_s), catch_up_s)
        for peer in peers:
            assert peer.connection is not None
            await peer.connection.close()
        clerk = peers[1].http
        closed = await clerk.post(f"/api/hearings/{hearing}/close", timeout=300)
        assert closed.status_code == 200, closed.text
        watcher.cancel()
        keys = await _track_keys(peers)
        store = LocalDirStore(data / "recordings")
        await _finalised(store, hearing)
        for peer in peers:
            result.tracks[keys[peer.key]] = _track_loss(store, hearing, peer, keys[peer.key])
        for peer in peers:
            await peer.http.aclose()
    finally:
        for spinner in spinners:
            spinner.kill()
        server.proc.terminate()
        server.proc.wait(timeout=60)
        assert server.proc.stdout is not None
        server.proc.stdout.close()
    return result


async def _catch_up(result: LoadResult, target: datetime, limit_s: float) -> None:
    """Wait (at most ``limit_s``) until recognition has reached the last speaking slot."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    while result.heard_until is None or result.heard_until < target:
        if loop.time() - began > limit_s:
            return
        await asyncio.sleep(0.1)  # polls a condition the watcher task updates
    result.catch_up_s = loop.time() - began


async def _finalised(store: LocalDirStore, hearing: int, deadline_s: float = 300.0) -> None:
    """Wait until the recording is finalised (its manifest written): every track closed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_s
    while read_manifest(store, hearing) is None:  # a condition polled, not a sleep standing in
        assert loop.time() < deadline, "the recording was not finalised"
        await asyncio.sleep(0.2)


async def _track_keys(peers: Sequence[_Peer]) -> dict[str, str]:
    """Peer name → recording track key (``staff-N`` for staff, ``participant-N`` for parties)."""
    keys: dict[str, str] = {}
    for peer in peers:
        if peer.key.startswith("participant-"):
            keys[peer.key] = peer.key
            continue
        me = (await peer.http.get("/api/auth/me")).json()
        keys[peer.key] = f"staff-{me['id']}"
    return keys
