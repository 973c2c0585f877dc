"""Public broadcast benchmark: how many observers one server process serves with the delay held.

    .venv/bin/python tests/bench/bench_broadcast.py [--observers 50 200 500] [--seconds 40]
                                                     [--delay 10]

Starts ``tingshen serve --demo`` in its own process; the clerk opens the demo hearing; the judge
joins its media with an in-process aiortc client sending a 440 Hz tone over loopback (real
WebRTC: the broadcast writer mixes and encodes it) and allows public viewing with ``--delay``
seconds. Then, for each observer count, that many HTTP observers (one client process, one
connection each) do what the watch page does: every 2 s poll ``/api/watch/{token}`` (state and the
delayed transcript, counted as a viewer), fetch the playlist, and fetch each new segment once.

Reported per count: requests per second, failed requests, request latency p50/p95, the **lag** of
each segment when an observer got it (fetch time minus the segment's wall-clock end; the delay
is held when the lag stays near ``--delay`` plus about one poll and one segment), segments each
observer missed (listed, then slid out of the window unfetched), the observer count the judge
sees, and server CPU (one core = 100 %). Figures, not pass/fail; docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import sys
import tempfile
import threading
import time
import wave
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaPlayer

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script: make ``tests`` importable
    sys.path.insert(0, str(ROOT))

from asr.eval.metrics import percentile  # noqa: E402
from hearing_server.rtc.ice import offer_host_addresses, rtc_configuration  # noqa: E402
from tests.bench.bench_room import cpu_ticks  # noqa: E402
from tests.serve_process import free_port, start_serve  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
POLL_S = 2.0


def tone(path: Path, seconds: float = 600.0, rate_hz: int = 48_000) -> Path:
    t = np.arange(int(seconds * rate_hz)) / rate_hz
    pcm = (0.3 * 32767 * np.sin(2 * np.pi * 440.0 * t)).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate_hz)
        out.writeframes(pcm.tobytes())
    return path


@dataclass
class Run:
    latency_ms: list[float] = field(default_factory=list)
    lag_s: list[float] = field(default_factory=list)
    requests: int = 0
    failed: int = 0
    missed: int = 0
    segments: int = 0


def _segments(playlist: str) -> list[tuple[str, datetime]]:
    """(uri, wall-clock end) of each segment of the observers' playlist."""
    out: list[tuple[str, datetime]] = []
    start: datetime | None = None
    duration = 0.0
    for line in playlist.splitlines():
        if line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
            start = datetime.fromisoformat(line.split(":", 1)[1])
        elif line.startswith("#EXTINF:"):
            duration = float(line.split(":", 1)[1].rstrip(","))
        elif line and not line.startswith("#") and start is not None:
            out.append((line, start + timedelta(seconds=duration)))
            start = None
    return out


async def _get(client: httpx.AsyncClient, url: str, run: Run) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await client.get(url)
    except httpx.HTTPError:
        run.requests += 1
        run.failed += 1
        return None
    run.requests += 1
    run.latency_ms.append((time.perf_counter() - started) * 1000)
    if response.status_code >= 500:
        run.failed += 1
    return response


async def observer(
    client: httpx.AsyncClient, token: str, index: int, run: Run, stop: asyncio.Event
) -> None:
    viewer = f"bench{index:08d}"
    fetched: set[str] = set()
    listed: set[str] = set()
    await asyncio.sleep(random.uniform(0, POLL_S))  # observers arrive spread over a poll
    while not stop.is_set():
        tick = time.monotonic()
        await _get(client, f"/api/watch/{token}?viewer={viewer}", run)
        response = await _get(client, f"/watch/{token}/live.m3u8", run)
        if response is not None and response.status_code == 200:
            current = _segments(response.text)
            uris = {uri for uri, _ in current}
            run.missed += len(listed - uris - fetched)
            listed = uris
            for uri, ends_at in current:
                if uri in fetched:
                    continue
                got = await _get(client, f"/watch/{token}/{uri}", run)
                if got is not None and got.status_code == 200:
                    fetched.add(uri)
                    run.segments += 1
                    run.lag_s.append((datetime.now(UTC) - ends_at).total_seconds())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.0, POLL_S - (time.monotonic() - tick)))


async def scenario(
    base: str, token: str, judge_cookie: str, count: int, seconds: float, pid: int
) -> dict[str, Any]:
    run, stop = Run(), asyncio.Event()
    limits = httpx.Limits(max_connections=count + 4, max_keepalive_connections=count + 4)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        tasks = [asyncio.create_task(observer(client, token, i, run, stop)) for i in range(count)]
        await asyncio.sleep(POLL_S * 2)  # everyone arrived and fetched the window once
        run.latency_ms.clear()
        run.lag_s.clear()
        run.requests = run.failed = run.missed = run.segments = 0
        cpu0, own0, wall0 = cpu_ticks(pid), time.process_time(), time.monotonic()
        await asyncio.sleep(seconds)
        cpu1, own1, wall1 = cpu_ticks(pid), time.process_time(), time.monotonic()
        async with httpx.AsyncClient(base_url=base, timeout=30) as judge:
            state = (
                await judge.get("/api/hearings/1/broadcast", headers={"Cookie": judge_cookie})
            ).json()
        stop.set()
        await asyncio.gather(*tasks)
    wall = wall1 - wall0
    return {
        "observers": count,
        "judge_sees": state["observers"],
        "req_per_s": round(run.requests / wall, 1),
        "failed": run.failed,
        "req_p50_ms": round(percentile(run.latency_ms, 50) or 0, 1),
        "req_p95_ms": round(percentile(run.latency_ms, 95) or 0, 1),
        "segments": run.segments,
        "missed": run.missed,
        "lag_p50_s": round(percentile(run.lag_s, 50) or math.nan, 2),
        "lag_p95_s": round(percentile(run.lag_s, 95) or math.nan, 2),
        "server_cpu_pct": round(100 * (cpu1 - cpu0) / CLK_TCK / wall, 1),
        "client_cpu_pct": round(100 * (own1 - own0) / wall, 1),
    }


async def judge_on_air(base: str, password: str, delay_s: int, wav: Path) -> tuple[Any, str, str]:
    client = httpx.AsyncClient(base_url=base, timeout=60)
    await client.post("/api/auth/login", json={"username": "judge", "password": password})
    player = MediaPlayer(str(wav))
    assert player.audio is not None
    peer = RTCPeerConnection(rtc_configuration())
    peer.addTrack(player.audio)
    with offer_host_addresses(("127.0.0.1",)):
        await peer.setLocalDescription(await peer.createOffer())
    offer = {"sdp": peer.localDescription.sdp, "type": "offer"}
    answer = await client.post("/api/hearings/1/rtc/offer", json=offer)
    assert answer.status_code == 200, answer.text
    await peer.setRemoteDescription(RTCSessionDescription(answer.json()["sdp"], "answer"))
    on = await client.put(
        "/api/hearings/1/broadcast", json={"public_viewing": True, "delay_s": delay_s}
    )
    token = on.json()["watch_url"].rsplit("/watch/", 1)[1]
    cookie = f"tingshen_staff={client.cookies['tingshen_staff']}"
    # Wait (by polling, as a player would) until the first segment is old enough to be listed.
    while (await client.get(f"/watch/{token}/live.m3u8")).status_code != 200:
        await asyncio.sleep(0.5)
    return (peer, player, client), token, cookie


async def bench(
    base: str, passwords: dict[str, str], args: argparse.Namespace, pid: int
) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as clerk:
        await clerk.post(
            "/api/auth/login", json={"username": "clerk", "password": passwords["clerk"]}
        )
        await clerk.post("/api/hearings/1/open")
    with tempfile.TemporaryDirectory() as tmp:
        held, token, cookie = await judge_on_air(
            base, passwords["judge"], args.delay, tone(Path(tmp) / "tone.wav")
        )
        peer, player, client = held
        try:
            return [
                await scenario(base, token, cookie, n, args.seconds, pid) for n in args.observers
            ]
        finally:
            await peer.close()
            player.audio.stop()
            await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--observers", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--delay", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        server = start_serve(Path(tmp), port, env={"TINGSHEN_NOTICE_DISPATCH_ENABLED": "false"})
        # Keep reading the server's output (access log lines): a full pipe would block it.
        stdout = server.proc.stdout
        assert stdout is not None
        threading.Thread(target=lambda: [None for _ in stdout], daemon=True).start()
        try:
            results = asyncio.run(
                bench(f"http://127.0.0.1:{port}", server.passwords, args, server.proc.pid)
            )
        finally:
            server.proc.terminate()
            server.proc.wait()
    columns = list(results[0])
    print(f"delay {args.delay} s, {args.seconds:.0f} s per row")
    print(" ".join(columns))
    for r in results:
        print(" ".join(str(r[c]) for c in columns))
    out = ROOT / "out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "broadcast.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
