"""Server memory and other users' latency while one party pulls a long history or big bodies arrive.

    .venv/bin/python tests/bench/bench_memory_bounds.py                    # make bench-memory
    .venv/bin/python tests/bench/bench_memory_bounds.py --edits 10000 --seconds 10

Figures, not pass/fail (issue 14: one party's unpaged 10,000-edit history took the server from
224 MB to 4.1 GB and made others wait 6.8 s; ten 50 MB bodies to the login took it from 592 to
1,164 MB). ``tingshen serve --demo`` runs in its own process on SQLite; this script writes
``--edits`` revisions of one 700-character note into the demo hearing's history (through the
server's own store: as changes), then measures, in each phase of ``--seconds``:

- the server's resident memory (``VmRSS``, sampled every 50 ms: median and peak);
- the latency of ``--readers`` other users doing ordinary reads in a loop (the hearing, its
  participants, the cases): median and p95;

in three phases: (a) at rest; (b) while one more client pulls the whole history page by page
(``GET /transcript/revisions``, 200 a page, over and over); (c) while ten clients each send a
50 MB body to ``POST /api/auth/login``, five declaring their length, five chunked, over and over.
With ``--control``, a fourth phase (d) sends the same bodies to a *sink* instead: a process of its
own that refuses them as the server does (reads the head, a chunked body up to the limit, holds
the refusal a second, answers 413 and closes) without being the server. What (d) costs the
readers is what the senders cost the machine (two cores shared with them), not the server: the
server's share of (c) is what (c) costs beyond (d).
Printed: the figures of each phase and their ratio to the phase at rest.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from hearing_server.body_limit import SIGN_IN_BYTES  # noqa: E402
from hearing_server.models import Hearing  # noqa: E402
from hearing_server.services import build_context  # noqa: E402
from hearing_server.settings import Settings  # noqa: E402
from hearing_server.transcript.model import Field, Revision  # noqa: E402
from hearing_server.transcript.store import SqlUpdateStore  # noqa: E402
from tests.serve_process import free_port, start_serve  # noqa: E402

BIG_BODY_BYTES = 50 * 1024 * 1024
CHUNK = 256 * 1024


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_s(pid: int) -> float:
    """The process's CPU time so far (user + system), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Sampler:
    """The server's resident memory every 50 ms, and its CPU share over the phase (the share of
    one core: a figure that the machine's other work disturbs far less than latency)."""

    pid: int
    samples: list[float] = field(default_factory=list)
    cpu: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> Sampler:
        self._cpu0, self._t0 = cpu_s(self.pid), time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.samples.append(rss_mb(self.pid))

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.cpu = (cpu_s(self.pid) - self._cpu0) / (time.monotonic() - self._t0)


def seed_history(data_dir: Path, edits: int) -> int:
    """``edits`` revisions of one note growing to 700 characters and cut back, in batches."""
    ctx = build_context(Settings(data_dir=data_dir))
    with ctx.session_factory() as session:
        hearing_id = session.query(Hearing.id).order_by(Hearing.id).limit(1).scalar()
    assert hearing_id is not None
    store = SqlUpdateStore(ctx.session_factory)
    note, batch, now = "", [], datetime.now(UTC)
    for n in range(edits):
        after = note + "证" if len(note) < 700 else note[:100]
        batch.append(
            Revision(
                hearing_id, "seg-note", Field.TEXT, note, after, "user-2", "书记员", now, n + 1
            )
        )
        note = after
        if len(batch) == 500:
            store.append(hearing_id, [], batch)
            batch = []
    if batch:
        store.append(hearing_id, [], batch)
    ctx.engine.dispose()
    return int(hearing_id)


async def login(base: str, password: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=60)
    response = await client.post(
        "/api/auth/login", json={"username": "clerk", "password": password}
    )
    response.raise_for_status()
    return client


async def reader(
    client: httpx.AsyncClient, hearing_id: int, until: float, out: list[float], pace: float
) -> None:
    paths = [
        f"/api/hearings/{hearing_id}",
        f"/api/hearings/{hearing_id}/participants",
        "/api/cases",
    ]
    n = 0
    while time.monotonic() < until:
        start = time.perf_counter()
        response = await client.get(paths[n % len(paths)])
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.text
        n += 1
        # A person's page, not a loop: at most ``pace`` reads a second (within the API limit).
        await asyncio.sleep(max(0.0, 1 / pace - (time.perf_counter() - start)))


async def pull_history(base: str, password: str, hearing_id: int, until: float) -> tuple[int, int]:
    """Pulls the history over and over as fast as it can, ignoring ``Retry-After`` (a hostile
    client: a refused page is asked again at once). Returns (revisions pulled, pages refused)."""
    client = await login(base, password)
    pulled = refused = 0
    while time.monotonic() < until:
        url: str | None = f"/api/hearings/{hearing_id}/transcript/revisions?limit=200"
        while url is not None and time.monotonic() < until:
            response = await client.get(url)
            if response.status_code == 429:
                refused += 1
                continue
            response.raise_for_status()
            pulled += len(response.json())
            url = response.links.get("next", {}).get("url")
    await client.aclose()
    return pulled, refused


BODY = memoryview(b'{"username": "' + b"x" * (BIG_BODY_BYTES - 32) + b'", "password": "x"}')


def send_big_bodies(port: int, declared: bool, until: float, statuses: list[int]) -> None:
    """50 MB bodies to the login, one after another on fresh connections (raw sockets: the
    kernel copies, so the sender costs little CPU); the status answered, or -1 (reset)."""
    while time.monotonic() < until:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            head = "POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            head += "Content-Type: application/json\r\n"
            head += (
                f"Content-Length: {len(BODY)}\r\n\r\n"
                if declared
                else ("Transfer-Encoding: chunked\r\n\r\n")
            )
            try:
                sock.sendall(head.encode())
                if declared:
                    sock.sendall(BODY)
                else:
                    for offset in range(0, len(BODY), CHUNK):
                        piece = BODY[offset : offset + CHUNK]
                        sock.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
                    sock.sendall(b"0\r\n\r\n")
            except OSError:
                pass  # the server answered and closed while the body was still coming
            try:
                answer = sock.recv(64)
                statuses.append(int(answer.split()[1]) if answer.startswith(b"HTTP/") else -1)
            except OSError:
                statuses.append(-1)


SINK_HOLD_S = 0.45
"""How long the sink holds a body before refusing it: the server's pace (ten senders had about 450
bodies refused in 20 s, 0.45 s each), so that the sink takes as many bodies as the server."""

REFUSAL = (
    b"HTTP/1.1 413 Content Too Large\r\nContent-Type: application/json\r\n"
    b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"
)


async def _sink_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        if b"chunked" in head.lower():
            await reader.readexactly(SIGN_IN_BYTES)  # the login route's limit, read before refusing
        await asyncio.sleep(SINK_HOLD_S)
        writer.write(REFUSAL)
        await writer.drain()
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


def _sink(port: int, ready: multiprocessing.Queue[object]) -> None:
    """The control's refusing sink (its own process, normal priority, like the server)."""

    async def serve() -> None:
        server = await asyncio.start_server(_sink_connection, "127.0.0.1", port)
        ready.put(True)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


def _in_process(
    kind: str, base: str, arg: object, seconds: float, out: multiprocessing.Queue[object]
) -> None:
    """One load generator in its own process, so the readers' loop measures the server alone.
    It runs at the lowest CPU priority: on one machine of two cores the generator's own work
    (copying 50 MB bodies into the kernel, parsing pages) would otherwise be measured as the
    server's; a real client of that kind is on another machine. What the server spends on it is
    still measured."""
    os.nice(19)
    until = time.monotonic() + seconds
    if kind == "history":
        assert isinstance(arg, tuple)
        password, hearing_id = str(arg[0]), int(arg[1])
        out.put(asyncio.run(pull_history(base, password, hearing_id, until)))
    else:  # ten senders, five declaring the length, five chunked
        port, statuses = int(str(arg)), list[int]()
        senders = [
            threading.Thread(target=send_big_bodies, args=(port, n < 5, until, statuses))
            for n in range(10)
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        out.put(statuses)


@dataclass
class Phase:
    name: str
    rss: list[float]
    latencies: list[float]
    note: str
    cpu: float

    def row(self, rest: Phase | None) -> str:
        rss_med, rss_max = statistics.median(self.rss), max(self.rss)
        p50 = statistics.median(self.latencies)
        p95 = statistics.quantiles(self.latencies, n=20)[-1]
        ratio = ""
        if rest is not None:
            base_p95 = statistics.quantiles(rest.latencies, n=20)[-1]
            ratio = f"  x{rss_max / max(rest.rss):.2f} peak RSS, x{p95 / base_p95:.2f} p95"
        return (
            f"{self.name:<22} RSS med {rss_med:7.1f} MB  peak {rss_max:7.1f} MB  "
            f"reads {len(self.latencies):5d}  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
            f"server CPU {100 * self.cpu:4.1f} %{ratio}  {self.note}"
        )


async def run(args: argparse.Namespace, data_dir: Path) -> None:
    port = free_port()
    env = {"TINGSHEN_API_REQUESTS_PER_SECOND": str(args.api_rate)} if args.api_rate > 0 else {}
    server = start_serve(data_dir, port, env=env)  # creates the database and the demo accounts
    assert server.proc.stdout is not None
    drain = server.proc.stdout  # its access log: read, or the server blocks on a full pipe
    threading.Thread(target=lambda: [None for _ in drain], daemon=True).start()
    try:
        hearing_id = await asyncio.to_thread(seed_history, data_dir, args.edits)
        base = server.base_url
        password = server.passwords["clerk"]
        readers = [await login(base, password) for _ in range(args.readers)]
        spawn = multiprocessing.get_context("spawn")
        phases: list[Phase] = []
        names = ["a at rest", "b history pulled", "c 10 x 50 MB bodies"]
        sink: multiprocessing.process.BaseProcess | None = None
        if args.control:
            names.append("d same, to a sink")
            sink_port, ready = free_port(), spawn.Queue()
            sink = spawn.Process(target=_sink, args=(sink_port, ready), daemon=True)
            sink.start()
            ready.get(timeout=60)
        for name in names:
            latencies: list[float] = []
            queue: multiprocessing.Queue[object] = spawn.Queue()
            jobs: list[tuple[str, object]] = []
            if name.startswith("b"):
                jobs = [("history", (password, hearing_id))]
            if name.startswith("c"):
                jobs = [("bodies", port)]
            if name.startswith("d"):
                jobs = [("bodies", sink_port)]
            workers = [
                spawn.Process(target=_in_process, args=(kind, base, arg, args.seconds, queue))
                for kind, arg in jobs
            ]
            for worker in workers:
                worker.start()
            lead = 2.0 if workers else 0.0
            await asyncio.sleep(lead)  # the load is under way (a spawned process has started)
            with Sampler(server.proc.pid) as sampler:
                until = time.monotonic() + args.seconds - lead
                await asyncio.gather(
                    *(reader(c, hearing_id, until, latencies, args.pace) for c in readers)
                )
            done: list[object] = [queue.get(timeout=120) for _ in workers]
            for worker in workers:
                worker.join()
            note = ""
            if name.startswith("b"):
                assert isinstance(done[0], tuple)
                pulled, refused_pages = done[0]
                note = f"({pulled} revisions pulled, {refused_pages} pages refused 429)"
            if name.startswith(("c", "d")):
                statuses = done[0]
                assert isinstance(statuses, list)
                refused = sum(1 for s in statuses if s in (413, 429, -1))
                note = f"({len(statuses)} bodies sent, {refused} refused: 413/429 or closed)"
            phases.append(Phase(name, sampler.samples, latencies, note, sampler.cpu))
            if args.verbose:
                print(name, " ".join(f"{x:.0f}" for x in sampler.samples[::10]))
        for c in readers:
            await c.aclose()
        if sink is not None:
            sink.terminate()
        print(
            f"history: {args.edits} revisions of one note (≤ 700 characters); "
            f"{args.readers} readers at {args.pace}/s each; {args.seconds} s a phase; "
            f"API limit {args.api_rate or 'off'}/s per caller"
        )
        for phase in phases:
            print(phase.row(None if phase is phases[0] else phases[0]))
    finally:
        server.proc.terminate()
        server.proc.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--readers", type=int, default=3)
    parser.add_argument("--pace", type=float, default=4.0, help="reads a second per reader")
    parser.add_argument(
        "--api-rate",
        type=float,
        default=10.0,
        help="the server's API limit per caller (the production default); 0: off",
    )
    parser.add_argument(
        "--control",
        action="store_true",
        help="a fourth phase: the same 50 MB senders aimed at a refusing sink, not the server",
    )
    parser.add_argument("--verbose", action="store_true", help="print the RSS samples (1 in 10)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(args, Path(tmp)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
