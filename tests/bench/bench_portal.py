"""The party portal's home page under 200 concurrent parties (issue 17: portal page p95).

    .venv/bin/python tests/bench/bench_portal.py [--parties 200] [--rounds 5] [--docs 5] \\
      [--think-s 0] [--separate]

``tingshen serve`` with the portal (SQLite in a fresh data directory) in its own process; each
party's case is filed (``case.filed``, with the ID number) and ``--docs`` documents served on
them (``delivery.document_served``, a PDF each in the exchange store), through the outbox as
the dossier and delivery services publish them. Every party registers through the API (the SMS
code read from the local SMS provider's file; the identity simulator's registry enrolled
beforehand). Then all parties at once, each with its own connection and session, load the home
page ``--rounds`` times as the browser does: the page (``/portal/``), then ``/api/portal/home``
(or, with ``--separate``, as the page did before that route: ``/api/portal/me``, then cases,
documents and reviews in parallel), with ``--think-s`` (0.5–1.5 times it, at random) between a
party's loads, or none (every party loading again at once). Figures: the page load (all its
requests) and each request, p50 / p95 / p99 in ms, and requests per second. The clients run on
the same two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import create_engine, func, select

from court_events.delivery import DOCUMENT_SERVED, DocumentServed
from court_events.dossier import CASE_FILED, CaseFiled, FiledParty
from portal.idnumber import check_character
from portal.tables import PortalDocument
from portal.verifier import LocalRegistryVerifier
from tests.serve_process import free_port, start_serve
from tingshen_platform.blobs import LocalBlobStore
from tingshen_platform.events import publish

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "bench password 1"


def person(n: int) -> tuple[str, str, str]:
    first17 = f"11010519800101{n:03d}"
    return f"当事人{n:03d}", first17 + check_character(first17), f"139{n:08d}"


def pdf(title: str) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(72, 760, title)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def seed(data_dir: Path, parties: int, docs: int) -> None:
    engine = create_engine(f"sqlite:///{data_dir / 'tingshen.sqlite3'}")
    store = LocalBlobStore(data_dir / "documents")
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for n in range(parties):
            name, id_number, phone = person(n)
            case_id = 10_000 + n
            number = f"（2026）粤0104民初{case_id}号"
            publish(connection, CASE_FILED, CaseFiled(
                dossier_case_id=case_id, court_id=1, court_name="广州市越秀区人民法院",
                case_number=number, cause_of_action="民间借贷纠纷", cause_code="C103-3",
                procedure="simplified", claim_amount_fen=None, judge_user_id=None,
                clerk_user_id=None, filed_on=date.today(), filed_at=now,
                parties=[FiledParty(party_ref="p-1", role="plaintiff", kind="person", name=name,
                                    phone=phone, id_number=id_number),
                         FiledParty(party_ref="p-2", role="defendant", kind="person",
                                    name="被告")]), occurred_at=now)  # fmt: skip
            for d in range(docs):
                data = pdf(f"document {n}-{d}")
                key = f"bench/{n}-{d}.pdf"
                store.put(key, data)
                publish(connection, DOCUMENT_SERVED, DocumentServed(
                    service_id=case_id * 10 + d, dossier_case_id=case_id, court_id=1,
                    case_number=number, document_title=f"文书{d}", document_kind="notice",
                    blob_key=key, sha256=hashlib.sha256(data).hexdigest(),
                    media_type="application/pdf", size_bytes=len(data), recipient_party_ref="p-1",
                    recipient_name=name, recipient_id_number=id_number, channels=["sms"],
                    sent_at=now), occurred_at=now)  # fmt: skip
    deadline = time.monotonic() + 300
    while True:
        with engine.connect() as connection:
            seen = connection.scalar(select(func.count(PortalDocument.id))) or 0
        if seen >= parties * docs:
            break
        assert time.monotonic() < deadline, f"the portal took in {seen} documents only"
        time.sleep(0.5)  # the server's consumer works in its own process: poll its result
    engine.dispose()


def code_for(sms_file: Path, phone: str) -> str:
    for line in reversed(sms_file.read_text("utf-8").splitlines()):
        message = json.loads(line)
        found = re.search(r"验证码(\d{6})", message["text"])
        if message["to"] == phone and found:
            return found.group(1)
    raise AssertionError(f"no code for {phone}")


def register_all(base: str, sms_file: Path, parties: int) -> tuple[list[str], list[float]]:
    tokens, times = [], []
    with httpx.Client(base_url=base, timeout=60) as client:
        for n in range(parties):
            name, id_number, phone = person(n)
            client.cookies.clear()
            started = time.perf_counter()
            assert (
                client.post("/api/portal/register/code", json={"phone": phone}).status_code == 202
            )
            answer = client.post("/api/portal/register", json={
                "name": name, "id_number": id_number, "phone": phone,
                "code": code_for(sms_file, phone), "password": PASSWORD})  # fmt: skip
            assert answer.status_code == 201, answer.text
            times.append(time.perf_counter() - started)
            tokens.append(client.cookies["tingshen_portal"])
    return tokens, times


async def party_loads(client: httpx.AsyncClient, rounds: int, docs: int,
                      pages: list[float], later: list[float], requests: dict[str, list[float]],
                      failures: list[str], retries: list[str], think_s: float,
                      separate: bool) -> None:  # fmt: skip
    async with client:

        async def get(path: str) -> httpx.Response:
            started = time.perf_counter()
            try:
                answer = await client.get(path)
            except httpx.TransportError:
                # A kept-alive connection the server closed as it was reused: a browser sends
                # the request again on a new one; so does this client (and counts it).
                retries.append(path)
                try:
                    answer = await client.get(path)
                except httpx.TransportError as exc:
                    failures.append(f"{type(exc).__name__} {path}")
                    return httpx.Response(599)
            requests.setdefault(path, []).append(time.perf_counter() - started)
            if answer.status_code != 200:
                failures.append(f"{answer.status_code} {path} {answer.text[:200]}")
            return answer

        rng = random.Random(client.cookies["tingshen_portal"])
        for n in range(rounds):
            if think_s and n:
                await asyncio.sleep(rng.uniform(0.5, 1.5) * think_s)  # reading the page
            started = time.perf_counter()
            await get("/portal/")
            if separate:  # the page before it asked once (who, then three lists at once)
                await get("/api/portal/me")
                _, answer, _ = await asyncio.gather(
                    get("/api/portal/cases"), get("/api/portal/documents"),
                    get("/api/portal/reviews"),
                )  # fmt: skip
                documents = answer.json() if answer.status_code == 200 else None
            else:
                answer = await get("/api/portal/home")
                documents = answer.json()["documents"] if answer.status_code == 200 else None
            if documents is not None and len(documents) != docs:
                failures.append(f"{len(documents)} documents, not {docs}")
            pages.append(time.perf_counter() - started)
            if n:
                later.append(pages[-1])


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parties", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--docs", type=int, default=5)
    parser.add_argument("--think-s", type=float, default=0.0,
                        help="a pause between a party's page loads (0.5-1.5 times this); "
                             "0: every load at once")  # fmt: skip
    parser.add_argument("--separate", action="store_true",
                        help="load the home page as it was before /api/portal/home: me, then "
                             "cases, documents and reviews at once")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        registry = LocalRegistryVerifier(data_dir / "portal" / "identity-registry.json")
        for n in range(args.parties):
            registry.enrol(*person(n)[:2])
        env = {
            "TINGSHEN_SIDE_SERVICES": '["portal"]',
            "TINGSHEN_PORTAL_CONSUMER_POLL_S": "0.2",
            "TINGSHEN_PORTAL_LOGINS_PER_MINUTE": "1000",
            "TINGSHEN_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(REPO_ROOT),
        }  # fmt: skip  (an editable install made before the portal)
        server = start_serve(data_dir, free_port(), env=env, demo=False)
        log_path = Path(tempfile.gettempdir()) / "bench_portal_server.log"
        log = log_path.open("w")
        drain = threading.Thread(target=lambda: [log.write(x) for x in server.proc.stdout or ()])
        drain.start()  # the server's output must be read, or it blocks on a full pipe
        try:
            seed(data_dir, args.parties, args.docs)
            tokens, reg = register_all(server.base_url, data_dir / "sms" / "messages.jsonl",
                                       args.parties)  # fmt: skip
            print(f"registration (code + register, Argon2id at defaults): "
                  f"p50 {pct(reg, 50):.0f} ms, p95 {pct(reg, 95):.0f} ms")  # fmt: skip
            pages: list[float] = []
            later: list[float] = []  # the loads after a party's first (its connection open)
            requests: dict[str, list[float]] = {}
            failures: list[str] = []
            retries: list[str] = []

            async def everyone() -> float:
                # Every party's client (its own connections) made before the clock starts: an
                # httpx client builds an SSL context when made (~20 ms of this loop's time), and
                # 200 of them made as the parties start held the first loads back by seconds.
                clients = [
                    httpx.AsyncClient(
                        base_url=server.base_url, timeout=120, cookies={"tingshen_portal": t}
                    )
                    for t in tokens
                ]
                started = time.perf_counter()
                await asyncio.gather(*(party_loads(c, args.rounds, args.docs, pages, later,
                                                   requests, failures, retries, args.think_s,
                                                   args.separate)
                                     for c in clients))  # fmt: skip
                return time.perf_counter() - started

            wall = asyncio.run(everyone())
            total = sum(len(v) for v in requests.values())
            print(
                f"{args.parties} parties x {args.rounds} home-page loads: {wall:.1f} s, "
                f"{total / wall:.0f} requests/s"
            )
            print(
                f"page load ({5 if args.separate else 2} requests): p50 {pct(pages, 50):.0f} ms, "
                f"p95 {pct(pages, 95):.0f} ms, p99 {pct(pages, 99):.0f} ms"
            )
            if len(later) > 1:
                print(f"  after each party's first load: p50 {pct(later, 50):.0f} ms, "
                      f"p95 {pct(later, 95):.0f} ms")  # fmt: skip
            for path, values in sorted(requests.items()):
                print(f"  {path}: p50 {pct(values, 50):.0f} ms, p95 {pct(values, 95):.0f} ms")
            print(f"failed requests: {len(failures)} of {total}", *failures[:5], sep="\n  ")
            print(f"requests sent again on a new connection: {len(retries)}")
        finally:
            server.proc.terminate()
            try:
                server.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.proc.kill()
                server.proc.wait()
            drain.join()
            log.close()
            errors = [x for x in log_path.read_text().splitlines()
                      if "Error" in x or "Traceback" in x]  # fmt: skip
            print(f"server log: {len(errors)} error lines", *errors[:8], sep="\n  ")


if __name__ == "__main__":
    main()
