"""The party portal's home page under 200 concurrent parties, as the browser loads it (issue 17).

    .venv/bin/python tests/bench/bench_portal.py [--parties 200] [--rounds 5] [--docs 5] \\
      [--think-s 0] [--hearings N] [--api-rate 10] [--api-burst 60] [--one-address] \\
      [--home-only] [--separate]

What a load of the home page asks (``portal/static/portal.js``; the static files, served from
memory with ETags and revalidated, are left out), in this order:

1. ``GET /portal/``, the page;
2. ``GET /api/portal/home`` (who, cases, documents, file reviews), once its scripts run;
3. then at once, after the page is drawn: ``GET /api/portal/passkeys?limit=200`` (``apiAll``:
   following ``Link: rel=next`` to the last page; a browser with WebAuthn) and
   ``GET /api/portal/hearing-links``, which makes the portal ask the hearing server
   ``POST /api/service/party-links`` over HTTP, one request per case of the party, signed with
   the party-links key (``portal/hearing_links.py``).

The load ends when both of step 3 have answered. ``--home-only``: steps 1 and 2 alone (the
measurement before this one); ``--separate``: step 2 as the page did before ``/home`` (``me``,
then cases, documents and reviews at once).

``tingshen serve --demo`` with the portal (SQLite in a fresh data directory) in its own
process, serving the hearing server too, the party-links key (one random value) on both sides
(``TINGSHEN_PARTY_LINKS_KEY``, ``TINGSHEN_PORTAL_HEARING_LINKS_KEY``) and the portal asking the
server's own URL (``TINGSHEN_PORTAL_HEARING_URL``). Each party's case is filed (``case.filed``,
with the ID number, in the demo court) and ``--docs`` documents served on them
(``delivery.document_served``, a PDF each in the exchange store), through the outbox as the
dossier and delivery services publish them; the hearing server enters the filed cases and their
parties (``hearing_server.filed_cases``), and for ``--hearings`` of the parties (default all)
the demo clerk schedules a hearing of the case tomorrow, adds the party as a participant from the
case's party (same name and mobile number) and makes its join link, as the clerk's pages do
(``hearing_server.scheduling``, ``invitations``; no notice sent). Every party registers through
the API (the SMS code read from the local SMS provider's file; the identity simulator's registry
enrolled beforehand). Then all parties at once, each with its own connections and session,
load the home page ``--rounds`` times, with ``--think-s`` (0.5–1.5 times it, at random) between a
party's loads, or none (every party loading again at once).

The hearing server's per-caller API rate (``TINGSHEN_API_REQUESTS_PER_SECOND``) is
``--api-rate`` per second, production's 10 by default (0: none, development's), after a burst of
``--api-burst`` (``TINGSHEN_API_REQUEST_BURST``, production's 60). Each party comes
from its own address (127.0.x.y), as parties do; with ``--one-address`` all come from
127.0.0.1, as behind one NAT or a proxy the server does not trust. The portal's requests to the
hearing server name the party they are for (``X-Tingshen-Caller``), so that each party is its own
caller there: the 429s are counted, those the parties got and those the portal got from the
hearing server (its warnings in the server's log; the page then says the hearings cannot be had).

Figures: the page load (all its requests) and each kind of request, p50 / p95 / p99 in ms, and
requests per second. The clients run on the same two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import create_engine, func, select

from court_events.delivery import DOCUMENT_SERVED, DocumentServed
from court_events.dossier import CASE_FILED, CaseFiled, FiledParty
from hearing_server.audit import Actor
from hearing_server.demo import COURT_NAME
from hearing_server.invitations import do_create_invitation
from hearing_server.models import Case, Court, StaffUser
from hearing_server.scheduling import do_add_participant, do_schedule_hearing
from hearing_server.services import build_context
from hearing_server.settings import Settings
from portal.idnumber import check_character
from portal.tables import PortalDocument
from portal.verifier import LocalRegistryVerifier
from tests.serve_process import free_port, start_serve
from tingshen_platform.blobs import LocalBlobStore
from tingshen_platform.events import publish

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "bench password 1"
NEXT = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?')  # web/static/paging.js


def person(n: int) -> tuple[str, str, str]:
    first17 = f"11010519800101{n:03d}"
    return f"当事人{n:03d}", first17 + check_character(first17), f"139{n:08d}"


def case_number(n: int) -> str:
    return f"（2026）粤0104民初{10_000 + n}号"


def address(n: int, one_address: bool) -> str:
    """The party's own source address on the loopback network (all of 127/8 is local)."""
    return "127.0.0.1" if one_address else f"127.0.{1 + n // 250}.{1 + n % 250}"


def pdf(title: str) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(72, 760, title)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def seed(data_dir: Path, parties: int, docs: int, court_id: int) -> None:
    engine = create_engine(f"sqlite:///{data_dir / 'tingshen.sqlite3'}")
    store = LocalBlobStore(data_dir / "documents")
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for n in range(parties):
            name, id_number, phone = person(n)
            case_id = 10_000 + n
            number = case_number(n)
            publish(connection, CASE_FILED, CaseFiled(
                dossier_case_id=case_id, court_id=court_id, court_name=COURT_NAME,
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
                    service_id=case_id * 10 + d, dossier_case_id=case_id, court_id=court_id,
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


def demo_court(data_dir: Path) -> int:
    engine = create_engine(f"sqlite:///{data_dir / 'tingshen.sqlite3'}")
    with engine.connect() as connection:
        court_id = connection.scalar(select(Court.id).where(Court.name == COURT_NAME))
    engine.dispose()
    assert court_id is not None, "the demo court is missing"
    return int(court_id)


def seed_hearings(data_dir: Path, count: int) -> None:
    """A hearing tomorrow of each of the first ``count`` parties' cases, the party (the case's
    ``p-1``) its participant with a join link, as the demo clerk makes them; once the hearing
    server has entered the filed cases (its consumer, in the server's process)."""
    if not count:
        return
    ctx = build_context(Settings(data_dir=data_dir))  # the server's data dir: its link key
    numbers = [case_number(n) for n in range(count)]
    try:
        deadline = time.monotonic() + 300
        while True:
            with ctx.session_factory() as session:
                cases = list(session.scalars(select(Case.id).where(Case.case_number.in_(numbers))))
            if len(cases) == count:
                break
            assert time.monotonic() < deadline, f"the hearing server entered {len(cases)} cases"
            time.sleep(0.5)  # the server's consumer works in its own process: poll its result
        at = (ctx.clock() + timedelta(days=1)).replace(hour=1, minute=30, second=0, microsecond=0)
        with ctx.session_factory() as session:
            clerk = session.scalars(select(StaffUser).where(StaffUser.username == "clerk")).one()
            for case_id in cases:
                hearing = do_schedule_hearing(
                    session, ctx, staff=clerk, case_id=case_id, scheduled_at=at,
                    duration_minutes=60, place="第三法庭（在线）",
                )  # fmt: skip
                participant = do_add_participant(
                    session, ctx, staff=clerk, hearing_id=hearing.id, display_name=None,
                    court_role=None, staff_user_id=None, phone=None, email=None, notify=False,
                    case_party_ref="p-1",
                )  # fmt: skip
                do_create_invitation(session, ctx, actor=Actor.system(), participant=participant)
    finally:
        ctx.engine.dispose()


def code_for(sms_file: Path, phone: str) -> str:
    for line in reversed(sms_file.read_text("utf-8").splitlines()):
        message = json.loads(line)
        found = re.search(r"验证码(\d{6})", message["text"])
        if message["to"] == phone and found:
            return found.group(1)
    raise AssertionError(f"no code for {phone}")


def post_paced(
    client: httpx.Client, path: str, body: object, refused: Counter[str]
) -> httpx.Response:
    """A POST, sent again after ``Retry-After`` while the API rate refuses it (429, counted)."""
    while True:
        answer = client.post(path, json=body)
        if answer.status_code != 429:
            return answer
        refused[f"registration {path}"] += 1
        time.sleep(float(answer.headers.get("retry-after", "1")))  # as the server asks


def register_all(
    base: str, sms_file: Path, parties: int, one_address: bool, refused: Counter[str]
) -> tuple[list[str], list[float]]:
    tokens, times = [], []
    for n in range(parties):
        name, id_number, phone = person(n)
        transport = httpx.HTTPTransport(local_address=address(n, one_address))
        with httpx.Client(base_url=base, timeout=60, transport=transport) as client:
            started = time.perf_counter()
            sent = post_paced(client, "/api/portal/register/code", {"phone": phone}, refused)
            assert sent.status_code == 202, sent.text
            answer = post_paced(client, "/api/portal/register", {
                "name": name, "id_number": id_number, "phone": phone,
                "code": code_for(sms_file, phone), "password": PASSWORD}, refused)  # fmt: skip
            assert answer.status_code == 201, answer.text
            times.append(time.perf_counter() - started)
            tokens.append(client.cookies["tingshen_portal"])
    return tokens, times


@dataclass
class Tally:
    pages: list[float] = field(default_factory=list)
    later: list[float] = field(default_factory=list)
    """The loads after a party's first (its connections open)."""
    requests: dict[str, list[float]] = field(default_factory=dict)
    """Each kind of request's times (page, home, passkeys, hearing-links, …)."""
    failures: list[str] = field(default_factory=list)
    retries: list[str] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)
    """429 answers by kind of request."""
    unavailable: int = 0
    """hearing-links answers saying the hearing server could not be asked."""


@dataclass(frozen=True)
class Load:
    rounds: int
    docs: int
    think_s: float
    separate: bool
    home_only: bool


async def party_loads(client: httpx.AsyncClient, load: Load, hearings: int, tally: Tally) -> None:
    """One party's ``load.rounds`` home-page loads; ``hearings``: how many it has."""
    async with client:

        async def get(kind: str, path: str) -> httpx.Response:
            started = time.perf_counter()
            try:
                answer = await client.get(path)
            except httpx.TransportError:
                # A kept-alive connection the server closed as it was reused: a browser sends
                # the request again on a new one; so does this client (and counts it).
                tally.retries.append(path)
                try:
                    answer = await client.get(path)
                except httpx.TransportError as exc:
                    tally.failures.append(f"{type(exc).__name__} {path}")
                    return httpx.Response(599)
            tally.requests.setdefault(kind, []).append(time.perf_counter() - started)
            if answer.status_code == 429:
                tally.refused[kind] += 1
            elif answer.status_code != 200:
                tally.failures.append(f"{answer.status_code} {path} {answer.text[:200]}")
            return answer

        async def passkeys() -> None:  # apiAll: every page, one after the other
            url: str | None = "/api/portal/passkeys?limit=200"
            while url is not None:
                answer = await get("passkeys", url)
                found = NEXT.search(answer.headers.get("link", ""))
                url = found.group(1) if answer.status_code == 200 and found else None

        async def hearing_links() -> None:
            answer = await get("hearing-links", "/api/portal/hearing-links")
            if answer.status_code != 200:
                return
            body = answer.json()
            if not body["available"]:
                tally.unavailable += 1
            elif len(body["hearings"]) != hearings or (
                hearings and body["hearings"][0]["join_url"] is None
            ):
                tally.failures.append(f"hearing-links: {body['hearings']}, not {hearings} hearing")

        rng = random.Random(client.cookies["tingshen_portal"])
        for n in range(load.rounds):
            if load.think_s and n:
                await asyncio.sleep(rng.uniform(0.5, 1.5) * load.think_s)  # reading the page
            started = time.perf_counter()
            await get("page", "/portal/")
            if load.separate:  # the page before /home asked once (who, then three lists at once)
                await get("me", "/api/portal/me")
                _, answer, _ = await asyncio.gather(
                    get("cases", "/api/portal/cases"), get("documents", "/api/portal/documents"),
                    get("reviews", "/api/portal/reviews"),
                )  # fmt: skip
                documents = answer.json() if answer.status_code == 200 else None
            else:
                answer = await get("home", "/api/portal/home")
                documents = answer.json()["documents"] if answer.status_code == 200 else None
            if documents is not None and len(documents) != load.docs:
                tally.failures.append(f"{len(documents)} documents, not {load.docs}")
            if not load.home_only:  # showHome: Promise.all([showPasskeys(), showHearings()])
                await asyncio.gather(passkeys(), hearing_links())
            tally.pages.append(time.perf_counter() - started)
            if n:
                tally.later.append(tally.pages[-1])


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] * 1000 if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def spread(values: list[float]) -> str:
    return (
        f"p50 {pct(values, 50):.0f} ms, p95 {pct(values, 95):.0f} ms, p99 {pct(values, 99):.0f} ms"
    )


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parties", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--docs", type=int, default=5)
    parser.add_argument("--think-s", type=float, default=0.0,
                        help="a pause between a party's page loads (0.5-1.5 times this); "
                             "0: every load at once")  # fmt: skip
    parser.add_argument("--hearings", type=int, default=None,
                        help="how many of the parties have a hearing on the hearing server "
                             "(default: all)")  # fmt: skip
    parser.add_argument("--api-rate", type=float, default=10.0,
                        help="the hearing server's API requests per second per caller "
                             "(production's 10; 0: no limit, development's)")  # fmt: skip
    parser.add_argument("--api-burst", type=int, default=60,
                        help="API requests a caller may send at once (production's 60)")  # fmt: skip
    parser.add_argument(
        "--one-address",
        action="store_true",
        help="every party from 127.0.0.1 (else each from its own address)",
    )
    parser.add_argument("--home-only", action="store_true",
                        help="the page and /api/portal/home only (the earlier measurement): "
                             "neither passkeys nor hearing-links")  # fmt: skip
    parser.add_argument("--separate", action="store_true",
                        help="ask as the page did before /api/portal/home: me, then "
                             "cases, documents and reviews at once")  # fmt: skip
    args = parser.parse_args()
    if args.hearings is None:
        args.hearings = args.parties
    assert 0 <= args.hearings <= args.parties, "--hearings: 0 to --parties"
    return args


def report_load(args: argparse.Namespace, tally: Tally, wall: float) -> None:
    total = sum(len(v) for v in tally.requests.values())
    print(f"{args.parties} parties x {args.rounds} home-page loads: {wall:.1f} s, "
          f"{total / wall:.0f} requests/s")  # fmt: skip
    asked = "page, " + ("me, then cases ∥ documents ∥ reviews" if args.separate else "home")
    if not args.home_only:
        asked += ", then passkeys ∥ hearing-links"
    print(f"page load ({asked}): {spread(tally.pages)}")
    if len(tally.later) > 1:
        print(f"  after each party's first load: {spread(tally.later)}")
    for kind, values in tally.requests.items():
        print(f"  {kind} ({len(values)}): {spread(values)}")
    refused = sum(tally.refused.values())
    print(f"429 (rate limited) answers to the parties: {refused}",
          *(f"{kind}: {n}" for kind, n in tally.refused.items()), sep="\n  ")  # fmt: skip
    if not args.home_only:
        print(f"hearing-links answered 'hearing server not available': {tally.unavailable}")
    print(f"failed requests: {len(tally.failures)} of {total}", *tally.failures[:5], sep="\n  ")
    print(f"requests sent again on a new connection: {len(tally.retries)}")


def main() -> None:
    args = arguments()
    load = Load(args.rounds, args.docs, args.think_s, args.separate, args.home_only)
    links_key = secrets.token_urlsafe(32)  # 43 characters, on both sides
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        registry = LocalRegistryVerifier(data_dir / "portal" / "identity-registry.json")
        for n in range(args.parties):
            registry.enrol(*person(n)[:2])
        port = free_port()
        env = {
            "TINGSHEN_SIDE_SERVICES": '["portal"]',
            "TINGSHEN_PORTAL_CONSUMER_POLL_S": "0.2",
            "TINGSHEN_PORTAL_LOGINS_PER_MINUTE": "1000",
            "TINGSHEN_PARTY_LINKS_KEY": links_key,  # the hearing server's
            "TINGSHEN_PORTAL_HEARING_LINKS_KEY": links_key,  # the portal's
            "TINGSHEN_PORTAL_HEARING_URL": f"http://127.0.0.1:{port}",  # this same server
            **({"TINGSHEN_API_REQUESTS_PER_SECOND": str(args.api_rate)} if args.api_rate else {}),
            "TINGSHEN_API_REQUEST_BURST": str(args.api_burst),
            "TINGSHEN_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(REPO_ROOT),
        }  # fmt: skip  (an editable install made before the portal)
        server = start_serve(data_dir, port, env=env, demo=True)
        log_path = Path(tempfile.gettempdir()) / "bench_portal_server.log"
        log = log_path.open("w")
        drain = threading.Thread(target=lambda: [log.write(x) for x in server.proc.stdout or ()])
        drain.start()  # the server's output must be read, or it blocks on a full pipe
        try:
            seed(data_dir, args.parties, args.docs, demo_court(data_dir))
            seed_hearings(data_dir, args.hearings)
            print(f"parties with a hearing on the hearing server: {args.hearings} of "
                  f"{args.parties}")  # fmt: skip
            print("hearing server API rate per caller: " + (
                f"{args.api_rate:g}/s, burst {args.api_burst}" if args.api_rate else "none") + "; parties from "
                + ("one address" if args.one_address else "an address each"))  # fmt: skip
            registration_refused: Counter[str] = Counter()
            tokens, reg = register_all(server.base_url, data_dir / "sms" / "messages.jsonl",
                                       args.parties, args.one_address,
                                       registration_refused)  # fmt: skip
            print(f"registration (code + register, Argon2id at defaults): {spread(reg)}; "
                  f"429 answers: {sum(registration_refused.values())}")  # fmt: skip
            tally = Tally()

            async def everyone() -> float:
                # Every party's client (its own connections) made before the clock starts: an
                # httpx client builds an SSL context when made (~20 ms of this loop's time), and
                # 200 of them made as the parties start held the first loads back by seconds.
                clients = [
                    httpx.AsyncClient(
                        base_url=server.base_url, timeout=120, cookies={"tingshen_portal": t},
                        transport=httpx.AsyncHTTPTransport(
                            local_address=address(n, args.one_address)),
                    )
                    for n, t in enumerate(tokens)
                ]  # fmt: skip
                started = time.perf_counter()
                await asyncio.gather(*(party_loads(c, load, int(n < args.hearings), tally)
                                       for n, c in enumerate(clients)))  # fmt: skip
                return time.perf_counter() - started

            report_load(args, tally, asyncio.run(everyone()))
        finally:
            server.proc.terminate()
            try:
                server.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.proc.kill()
                server.proc.wait()
            drain.join()
            log.close()
            lines = log_path.read_text().splitlines()
            links = [x for x in lines if "party links could not be had" in x]
            print(f"the portal's party-links requests that failed (server log): {len(links)}, "
                  f"of them 429: {sum('429' in x for x in links)}")  # fmt: skip
            errors = [x for x in lines if "Error" in x or "Traceback" in x]
            print(f"server log: {len(errors)} error lines", *errors[:8], sep="\n  ")


if __name__ == "__main__":
    main()
