"""Hearing-room media: server CPU per participant, re-encoding relay vs encoded forwarding.

    .venv/bin/python tests/bench/bench_room.py                # N = 2, 4, 6, 8; audio, audio+video
    .venv/bin/python tests/bench/bench_room.py --asr          # also: 6 people, audio, with ASR
    .venv/bin/python tests/bench/bench_room.py --sizes 2 6 --seconds 10 --no-video

Figures, not pass/fail. For each (media, N, mode) a hearing server (``PeerManager`` with AudioTaps,
``forwarding="reencode"`` = the old MediaRelay path or ``"encoded"``) runs in its own process; N
aiortc clients run in this process, so their CPU is not counted. They join like room.js (sendonly
microphone and camera, one recvonly pair per other participant), then each re-offers once, so
everyone receives everyone: N·(N-1) forwarded streams per kind. One client plays speech
(asr-dev ``en_long_concat_dev.wav`` at 48 kHz), the others silence (Opus frames, as a browser
sends). Client media is pre-encoded (ffmpeg: Opus 32 kb/s 20 ms; VP8 640×360 30 fps 500 kb/s,
keyframe every 2 s) and sent as packets, and the clients do not decode what they receive (they
count frames), so the client process stays light. The server process's CPU (utime + stime from
``/proc/<pid>/stat``, all threads) is sampled every ``--window`` seconds after a warm-up; the
median window is reported as % of one core. ``delivered`` is frames received by all clients over
frames expected in real time (N·(N-1) streams × 50 audio / 30 video frames per second); below
100 % the hearing is not real time (server or client process saturated: ``clients`` is the client
process's CPU). With ``--asr`` the taps feed real recognition streams (``ModelStreamFactory``, one
stream per speaker as in ``LiveHearing``) and ``words`` counts the committed words.

Everything is on loopback: the script re-executes itself in a private network namespace
(``unshare -n``, loopback up) and ICE host candidates are restricted to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from aiortc import RTCPeerConnection, RTCSessionDescription  # noqa: E402
from aiortc.contrib.media import MediaPlayer  # noqa: E402
from aiortc.exceptions import InvalidStateError  # noqa: E402

from hearing_server.rtc.ice import IceSettings, offer_host_addresses, rtc_configuration  # noqa: E402
from hearing_server.rtc.internals import tee_encoded_frames  # noqa: E402

LOOPBACK = ("127.0.0.1",)
MEDIA_DIR = Path("/tmp/tingshen-bench-media")
SPEECH_WAV = ROOT.parent / "shared" / "asr-dev" / "en_long_concat_dev.wav"
FPS = {"audio": 50, "video": 30}


def prepare_media() -> dict[str, Path]:
    MEDIA_DIR.mkdir(exist_ok=True)
    vp8 = ["-c:v", "libvpx", "-b:v", "500k", "-deadline", "realtime", "-cpu-used", "8"]
    vp8 += ["-g", "60", "-keyint_min", "60", "-auto-alt-ref", "0"]
    opus = ["-c:a", "libopus", "-b:a", "32k", "-frame_duration", "20", "-application", "voip"]
    recipes = {
        "speech": ["-i", str(SPEECH_WAV), "-ar", "48000", "-ac", "1", *opus],
        "silence": ["-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "120", *opus],
        "video": ["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-t", "120", *vp8],
    }
    paths = {}
    for name, recipe in recipes.items():
        path = paths[name] = MEDIA_DIR / f"{name}.webm"
        if not path.exists():
            command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *recipe, str(path)]
            subprocess.run(command, check=True)
    return paths


# ---- server process -------------------------------------------------------------------------


def serve(conn: Connection, mode: str, asr_model: str | None) -> None:
    asyncio.run(_serve(conn, mode, asr_model))


async def _serve(conn: Connection, mode: str, asr_model: str | None) -> None:
    from aiortc.mediastreams import MediaStreamTrack

    from asr.stream import StreamConfig
    from asr.types import Commit
    from hearing_server.live.streams import LiveStream, ModelStreamFactory
    from hearing_server.rtc.peer import PeerManager
    from hearing_server.rtc.relay import ForwardingMode
    from hearing_server.rtc.tap import AudioTap

    factory = ModelStreamFactory(asr_model) if asr_model else None
    if factory is not None:
        await factory.ready()
    streams: dict[str, LiveStream] = {}  # one per speaker, kept across re-offers (as room.py)
    pumps: list[asyncio.Task[None]] = []
    words = [0]

    async def pump(stream: LiveStream) -> None:
        async for event in stream.events():
            if isinstance(event, Commit):
                words[0] += len(event.text.split())

    def tap_factory(participant_id: str, track: MediaStreamTrack) -> AudioTap:
        if factory is None:
            return AudioTap(track, lambda samples: None, participant_id=participant_id)
        stream = streams.get(participant_id)
        if stream is None:
            stream = streams[participant_id] = factory.open(participant_id, StreamConfig("en"))
            pumps.append(asyncio.get_running_loop().create_task(pump(stream)))
        return AudioTap(track, stream.feed, participant_id=participant_id)

    forwarding = cast(ForwardingMode, mode)
    manager = PeerManager(IceSettings(host_addresses=LOOPBACK), tap_factory, forwarding=forwarding)
    loop = asyncio.get_running_loop()
    conn.send(("ready", os.getpid()))
    while True:
        message = await loop.run_in_executor(None, conn.recv)
        if message[0] == "offer":
            answer = await manager.answer(message[1], message[2])
            conn.send(("answer", answer.sdp))
        else:
            break
    fallbacks = manager.forwarder.fallbacks
    await manager.close_all()
    await asyncio.gather(*(s.finish() for s in streams.values()))
    await asyncio.gather(*pumps)
    if factory is not None:
        await factory.aclose()
    conn.send(("stopped", {"words": words[0], "fallbacks": fallbacks}))


# ---- clients (this process) -----------------------------------------------------------------


class Clients:
    def __init__(self, conn: Connection, media: dict[str, Path], video: bool) -> None:
        self.conn = conn
        self.media = media
        self.video = video
        self.received = {"audio": 0, "video": 0}
        self.peers: dict[int, RTCPeerConnection] = {}
        self.players: list[MediaPlayer] = []

    def _count(self, kind: str) -> Any:
        def count(*_frame: object) -> None:
            self.received[kind] += 1

        return count

    async def join(self, index: int, others: int) -> None:
        """Like room.js: a new connection per offer; the previous one closes after the answer."""
        pc = RTCPeerConnection(rtc_configuration())
        audio = MediaPlayer(str(self.media["speech" if index == 0 else "silence"]), decode=False)
        self.players.append(audio)
        assert audio.audio is not None
        pc.addTransceiver(audio.audio, direction="sendonly")
        kinds = ["audio"]
        if self.video:
            camera = MediaPlayer(str(self.media["video"]), decode=False)
            self.players.append(camera)
            assert camera.video is not None
            pc.addTransceiver(camera.video, direction="sendonly")
            kinds.append("video")
        for _ in range(others):
            for kind in kinds:
                receiver = pc.addTransceiver(kind, direction="recvonly").receiver
                never = lambda: False  # noqa: E731
                tee_encoded_frames(receiver, self._count(kind), on_end=lambda: None, decode=never)
        with offer_host_addresses(LOOPBACK):
            await pc.setLocalDescription(await pc.createOffer())
        self.conn.send(("offer", f"p{index}", pc.localDescription.sdp))
        reply = await asyncio.get_running_loop().run_in_executor(None, self.conn.recv)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=reply[1], type="answer"))
        previous = self.peers.get(index)
        self.peers[index] = pc
        if previous is not None:
            await previous.close()

    async def close(self) -> None:
        await asyncio.gather(*(pc.close() for pc in self.peers.values()))
        for player in self.players:
            for track in (player.audio, player.video):
                if track is not None:
                    track.stop()


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


async def run(
    media: dict[str, Path], n: int, mode: str, video: bool, args: argparse.Namespace, asr: bool
) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=serve, args=(theirs, mode, args.model if asr else None))
    server.start()
    loop = asyncio.get_running_loop()
    _, pid = await loop.run_in_executor(None, ours.recv)
    clients = Clients(ours, media, video)
    for index in range(n):  # join in turn: each receives those before it
        await clients.join(index, n - 1)
    for index in range(n - 1):  # re-offer once: now everyone receives everyone
        await clients.join(index, n - 1)
    await asyncio.sleep(args.warmup)
    tick = os.sysconf("SC_CLK_TCK")
    windows: list[float] = []
    before = dict(clients.received)
    started, client_ticks = time.monotonic(), cpu_ticks(os.getpid())
    for _ in range(max(1, round(args.seconds / args.window))):
        ticks, t0 = cpu_ticks(pid), time.monotonic()
        await asyncio.sleep(args.window)
        windows.append(100 * (cpu_ticks(pid) - ticks) / tick / (time.monotonic() - t0))
    elapsed = time.monotonic() - started
    client_cpu = 100 * (cpu_ticks(os.getpid()) - client_ticks) / tick / elapsed
    kinds = ["audio", "video"] if video else ["audio"]
    expected = sum(n * (n - 1) * FPS[k] * elapsed for k in kinds)
    delivered = sum(clients.received[k] - before[k] for k in kinds) / expected
    ours.send(("stop",))
    _, info = await loop.run_in_executor(None, ours.recv)
    await clients.close()
    server.join(30)
    total = statistics.median(windows)
    return {"media": "audio+video" if video else "audio", "n": n, "mode": mode, "asr": asr,
            "cpu_total": total, "cpu_per_participant": total / n, "cpu_min": min(windows),
            "cpu_max": max(windows), "delivered": delivered, "client_cpu": client_cpu,
            **info}  # fmt: skip


def show(row: dict[str, Any]) -> None:
    print(
        f"{row['media']:<12} N={row['n']}  {row['mode']:<8} asr={'yes' if row['asr'] else 'no ':<3}"
        f"  total {row['cpu_total']:6.1f} %  per participant {row['cpu_per_participant']:5.1f} %"
        f"  (windows {row['cpu_min']:.0f}–{row['cpu_max']:.0f} %)"
        f"  delivered {100 * row['delivered']:5.1f} %  fallbacks {row['fallbacks']}"
        f"  clients {row['client_cpu']:.0f} %" + (f"  words {row['words']}" if row["asr"] else ""),
        flush=True,
    )


def quiet_closed_transports(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A client connection closed by its re-offer before it connected: aiortc's connect task
    fails with "RTCIceTransport is closed"; expected here, not worth a traceback."""
    if not isinstance(context.get("exception"), InvalidStateError):
        loop.default_exception_handler(context)


async def main(args: argparse.Namespace) -> None:
    asyncio.get_running_loop().set_exception_handler(quiet_closed_transports)
    media = prepare_media()
    print(f"cores: {os.cpu_count()}; window {args.window} s, {args.seconds} s per run", flush=True)
    for video in [] if args.asr_only else [False] if args.no_video else [False, True]:
        for n in args.sizes:
            for mode in args.modes:
                show(await run(media, n, mode, video, args, asr=False))
    if args.asr or args.asr_only:
        for mode in args.modes:
            show(await run(media, 6, mode, False, args, asr=True))


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 4, 6, 8])
    parser.add_argument("--modes", nargs="+", default=["reencode", "encoded"])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--window", type=float, default=2.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--no-video", action="store_true")
    parser.add_argument("--asr", action="store_true", help="also 6 people, audio, with the model")
    parser.add_argument("--asr-only", action="store_true", help="only the runs with ASR")
    parser.add_argument("--model", default="base")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse()
    if not arguments.inside:  # re-execute in a private network namespace with only loopback
        script = 'ip link set lo up && exec "$0" "$@"'
        argv = [sys.executable, str(Path(__file__).resolve()), "--inside", *sys.argv[1:]]
        os.execvp("unshare", ["unshare", "-n", "sh", "-c", script, *argv])
    asyncio.run(main(arguments))
