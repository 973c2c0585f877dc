"""Transcript editing benchmark: edit-to-visible latency on other clients, and lost messages.

    .venv/bin/python tests/bench/bench_editing.py [--seconds 20] [--edits-per-second 5]

Starts ``tingshen serve --demo`` in its own process (SQLite, synchronous=FULL: every edit is
committed to disk before it is acknowledged and broadcast), opens hearings as the clerk, and runs
two scenarios from one client process on loopback:

1. one hearing: 1 editor + 50 viewers (51 sockets);
2. ten hearings, each with 1 editor + 19 viewers (200 sockets).

Each editor types one character per edit at ``--edits-per-second`` into a note of its hearing, as a
person typing would; every edit is a Yjs update built with pycrdt, as the browser builds it.
Latency = time a viewer receives the update minus the time the editor sent it (one clock: one process).
Lost = acknowledged updates some viewer never received. Server CPU is read from /proc. Figures,
not pass/fail; docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import websockets
from pycrdt import Array, Doc, Text

from asr.eval.metrics import percentile
from hearing_server.transcript.model import SegmentKind, SpeakerRef
from hearing_server.transcript.ydoc import NewSegment, segment_map

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script: make ``tests`` importable
    sys.path.insert(0, str(ROOT))

from tests.bench.bench_room import cpu_ticks  # noqa: E402
from tests.serve_process import free_port, start_serve  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    return cpu_ticks(pid) / CLK_TCK


@dataclass
class Run:
    sent_at: dict[tuple[int, str], float] = field(default_factory=dict)
    ack_ms: list[float] = field(default_factory=list)
    acked_seq: dict[tuple[int, int], float] = field(default_factory=dict)
    """(hearing, seq) → send time of the edit that became ``seq``."""
    received: list[tuple[int, int, int, float]] = field(default_factory=list)
    """(hearing, viewer, seq, time)."""


def open_hearings(base: str, password: str, count: int) -> tuple[str, list[int]]:
    with httpx.Client(base_url=base, timeout=30) as client:
        client.post("/api/auth/login", json={"username": "clerk", "password": password})
        case_id = client.get("/api/cases").json()[0]["id"]
        hearings = [h["id"] for h in client.get("/api/hearings").json()]
        while len(hearings) < count:
            when = datetime.now(UTC) + timedelta(days=len(hearings))
            body = {"scheduled_at": when.isoformat(), "duration_minutes": 60, "place": "在线"}
            hearings.append(client.post(f"/api/cases/{case_id}/hearings", json=body).json()["id"])
        for hearing_id in hearings[:count]:
            client.post(f"/api/hearings/{hearing_id}/open")
        return f"tingshen_staff={client.cookies['tingshen_staff']}", hearings[:count]


async def viewer(
    url: str, cookie: str, hearing: int, index: int, run: Run, stop: asyncio.Event
) -> None:
    async with websockets.connect(url, additional_headers={"Cookie": cookie}, max_queue=None) as ws:
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
            except TimeoutError:
                continue
            now = time.perf_counter()
            message = json.loads(raw)
            if message["type"] == "update":
                run.received.append((hearing, index, message["seq"], now))


async def editor(
    url: str, cookie: str, hearing: int, rate: float, seconds: float, run: Run, ready: asyncio.Event
) -> int:
    doc: Doc[Any] = Doc()
    async with websockets.connect(url, additional_headers={"Cookie": cookie}, max_queue=None) as ws:
        first = json.loads(await ws.recv())
        doc.apply_update(base64.b64decode(first["state"]))
        segments: Array[Any] = doc.get("segments", type=Array)
        pending: dict[str, float] = {}

        async def reader() -> None:
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "ack" and message["id"] in pending:
                    sent = pending.pop(message["id"])
                    run.acked_seq[(hearing, message["seq"])] = sent
                    run.ack_ms.append((time.perf_counter() - sent) * 1000)

        task = asyncio.create_task(reader())
        await ready.wait()
        state = doc.get_state()
        nobody = SpeakerRef("", "", "")
        note = NewSegment(f"bench-{hearing}", nobody, 0, 0, "", kind=SegmentKind.NOTE)
        segments.append(segment_map(note))
        await ws.send(
            json.dumps(
                {
                    "type": "edit",
                    "id": "note",
                    "update": base64.b64encode(doc.get_update(state)).decode(),
                }
            )
        )
        text: Text = segments[len(segments) - 1]["text"]
        count = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            count += 1
            state = doc.get_state()
            text.insert(len(str(text).encode()), "字")
            message_id = f"e{count}"
            pending[message_id] = time.perf_counter()
            update = base64.b64encode(doc.get_update(state)).decode()
            await ws.send(json.dumps({"type": "edit", "id": message_id, "update": update}))
            await asyncio.sleep(max(0.0, start + count / rate - time.perf_counter()))
        for _ in range(100):  # let the last acknowledgements arrive
            if not pending:
                break
            await asyncio.sleep(0.05)
        task.cancel()
        return count


async def scenario(
    port: int,
    cookie: str,
    hearings: list[int],
    viewers: int,
    rate: float,
    seconds: float,
    pid: int,
    *,
    more_pids: tuple[int, ...] = (),
) -> dict[str, Any]:
    """``port``: the server's (or the proxy's); the server CPU sums ``pid`` and ``more_pids``."""
    run = Run()
    stop, ready = asyncio.Event(), asyncio.Event()
    pids = (pid, *more_pids)
    urls = {h: f"ws://127.0.0.1:{port}/ws/hearings/{h}/document" for h in hearings}
    watching = [
        asyncio.create_task(viewer(urls[h], cookie, h, i, run, stop))
        for h in hearings
        for i in range(viewers)
    ]
    editing = [
        asyncio.create_task(editor(urls[h], cookie, h, rate, seconds, run, ready)) for h in hearings
    ]
    await asyncio.sleep(2.0)  # connections settle (not a measurement)
    cpu0, wall0, own0 = sum(map(cpu_seconds, pids)), time.perf_counter(), time.process_time()
    ready.set()
    edits = sum(await asyncio.gather(*editing))
    await asyncio.sleep(1.0)
    cpu1, wall1, own1 = sum(map(cpu_seconds, pids)), time.perf_counter(), time.process_time()
    stop.set()
    await asyncio.gather(*watching, return_exceptions=True)
    latencies = [
        (at - run.acked_seq[(h, seq)]) * 1000
        for h, _, seq, at in run.received
        if (h, seq) in run.acked_seq
    ]
    got = {(h, i, seq) for h, i, seq, _ in run.received}
    lost = sum(1 for (h, seq) in run.acked_seq for i in range(viewers) if (h, i, seq) not in got)
    return {
        "sockets": len(hearings) * (viewers + 1),
        "hearings": len(hearings),
        "edits": edits,
        "deliveries": len(latencies),
        "p50_ms": round(percentile(latencies, 50) or 0, 1),
        "p95_ms": round(percentile(latencies, 95) or 0, 1),
        "max_ms": round(max(latencies, default=0), 1),
        "lost": lost,
        "ack_p50_ms": round(percentile(run.ack_ms, 50) or 0, 1),
        "ack_p95_ms": round(percentile(run.ack_ms, 95) or 0, 1),
        "server_cpu_pct": round(100 * (cpu1 - cpu0) / (wall1 - wall0), 1),
        "client_cpu_pct": round(100 * (own1 - own0) / (wall1 - wall0), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--edits-per-second", type=float, default=5.0, help="per editor")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        server = start_serve(Path(tmp), port, env={"TINGSHEN_NOTICE_DISPATCH_ENABLED": "false"})
        proc, passwords = server.proc, server.passwords
        try:
            cookie, hearings = open_hearings(f"http://127.0.0.1:{port}", passwords["clerk"], 10)
            results = [
                asyncio.run(
                    scenario(
                        port,
                        cookie,
                        hearings[:1],
                        50,
                        args.edits_per_second,
                        args.seconds,
                        proc.pid,
                    )
                ),
                asyncio.run(
                    scenario(
                        port, cookie, hearings, 19, args.edits_per_second, args.seconds, proc.pid
                    )
                ),
            ]
        finally:
            proc.terminate()
            proc.wait()
    columns = list(results[0])
    print(" ".join(columns))
    for r in results:
        print(" ".join(str(r[c]) for c in columns))
    out = Path(__file__).resolve().parents[2] / "out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "editing.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
