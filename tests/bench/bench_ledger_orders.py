"""The investigation-order workflow (issue 18) through the server's routes: what a lawyer, a
judge and an institution wait for.

    .venv/bin/python tests/bench/bench_ledger_orders.py [--orders 20]

Figures, not pass/fail. The hearing server with the portal and the ledger loaded (SQLite,
signing on: the court's seal and TSA), two real ``tingshen witness serve`` processes on loopback
(quorum 2 of 2). For each of ``--orders`` orders in one case, timed separately (p50 and max):

- *apply*: ``POST /api/ledger/my/orders`` (the lawyer's portal session checked through the
  portal's ``/api/portal/me`` in process; the number counted; the ``order.applied`` leaf);
- *approve and issue*: ``POST …/decision`` (the ``order.decided`` and ``order.issued`` leaves, a
  checkpoint cosigned by both witnesses, the PDF with its QR code and embedded receipt, the
  court's PAdES seal with its RFC 3161 timestamp, the document event);
- *public verify*: ``POST /api/ledger/public/verify`` (the ``order.verified`` leaf, a new
  checkpoint cosigned by both witnesses, every step's receipt);
- *offline verify*: :func:`ledger.order_verify.verify_order_pdf` of one order's PDF (the seal's
  validation by pyHanko, the receipt's signatures and inclusion), and the PDF's size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script: make ``tests`` importable
    sys.path.insert(0, str(ROOT))

import json  # noqa: E402

from argon2 import PasswordHasher  # noqa: E402
from cryptography import x509  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from hearing_server.app import create_app  # noqa: E402
from hearing_server.notify import RecordingCodeSender  # noqa: E402
from hearing_server.security import PasswordHashing  # noqa: E402
from hearing_server.settings import Settings  # noqa: E402
from ledger.order_verify import Trust, verify_order_pdf  # noqa: E402
from portal.service import PortalService  # noqa: E402
from portal.verifier import LocalRegistryVerifier  # noqa: E402
from tests.ledger.order_world import (  # noqa: E402
    APPLY,
    ORIGIN,
    file_the_case,
    start_witnesses,
    stop,
    token_of,
)
from tests.portal.conftest import LICENCE, WANG, register  # noqa: E402
from tests.server.conftest import login, seed_world  # noqa: E402
from tests.server.live_fakes import FakeStreams  # noqa: E402


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def report(name: str, seconds: list[float]) -> None:
    print(
        f"{name}: p50 {statistics.median(seconds) * 1000:.0f} ms, "
        f"max {max(seconds) * 1000:.0f} ms ({len(seconds)} orders)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        witnesses = start_witnesses(tmp, tmp / "ledger-keys")
        os.environ.update({
            "TINGSHEN_LEDGER_KEYS_DIR": str(tmp / "ledger-keys"),
            "TINGSHEN_LEDGER_ORIGIN": ORIGIN,
            "TINGSHEN_LEDGER_WITNESSES": json.dumps(witnesses.lines),
            "TINGSHEN_LEDGER_QUORUM": "2",
            "TINGSHEN_LEDGER_WITNESS_INTERVAL_S": "3600",
            "TINGSHEN_LEDGER_VERIFY_PER_MINUTE": "100000",
            "TINGSHEN_PORTAL_PASSWORD_TIME_COST": "1",
            "TINGSHEN_PORTAL_PASSWORD_MEMORY_KIB": "1024",
        })  # fmt: skip
        try:
            run(tmp, args.orders)
        finally:
            stop(witnesses)


def run(tmp: Path, count: int) -> None:
    settings = Settings(data_dir=tmp / "data", login_rate_limit=1000, session_ttl_minutes=600,
                        side_services=["portal", "ledger"])  # fmt: skip
    app = create_app(
        settings, code_sender=RecordingCodeSender(), stream_factory=FakeStreams(),
        passwords=PasswordHashing(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)),
    )  # fmt: skip
    ctx = app.state.services.context
    with TestClient(app) as lawyer:
        world = seed_world(ctx)
        portal = next(s for s in app.state.side_services if isinstance(s, PortalService))
        verifier = portal.ctx.verifier
        assert isinstance(verifier, LocalRegistryVerifier)
        verifier.enrol(WANG[0], WANG[1])
        from hearing_server.models import Case

        with ctx.session_factory() as s:
            case = s.get(Case, world.case_a)
            assert case is not None
            court_id = case.court_id
        file_the_case(app, ctx, court_id)
        register(lawyer, ctx, WANG, kind="lawyer", licence=LICENCE)
        judge, bank = TestClient(app), TestClient(app)
        judge.portal = bank.portal = lawyer.portal
        login(judge, "judge_a")
        applied, issued, verified = [], [], []
        pdf = b""
        for _ in range(count):
            seconds, answer = timed(lambda: lawyer.post("/api/ledger/my/orders", json=APPLY))
            assert answer.status_code == 201, answer.text
            applied.append(seconds)
            order = answer.json()
            decision = f"/api/ledger/judge/orders/{order['id']}/decision"
            approve = {"approve": True, "reason": "准许"}
            seconds, answer = timed(partial(judge.post, decision, json=approve))
            assert answer.status_code == 200, answer.text
            issued.append(seconds)
            pdf = lawyer.get(f"/api/ledger/my/orders/{order['id']}/pdf").content
            body = {"number": order["number"], "token": token_of(pdf)}
            seconds, answer = timed(partial(bank.post, "/api/ledger/public/verify", json=body))
            assert answer.status_code == 200, answer.text
            verified.append(seconds)
        trust = Trust.from_json(
            lawyer.get("/api/ledger/trust").text,
            x509.load_pem_x509_certificates(lawyer.get("/api/court/root.pem").content),
        )
        offline = []
        for _ in range(5):
            seconds, checks = timed(lambda: verify_order_pdf(pdf, trust, now=datetime.now(UTC)))
            assert all(c.ok for c in checks), checks
            offline.append(seconds)
        judge.close()
        bank.close()
    report("apply", applied)
    report("approve and issue (2 leaves, cosigned checkpoint, PDF, seal)", issued)
    report("public verify (1 leaf, cosigned checkpoint, receipts of every step)", verified)
    print(f"offline verify of one PDF: p50 {statistics.median(offline) * 1000:.0f} ms (5 runs); "
          f"PDF {len(pdf) / 1024:.0f} KiB")  # fmt: skip


if __name__ == "__main__":
    main()
