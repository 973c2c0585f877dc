"""Address look-ups against the two agencies' simulators (issue 17, the addresses part).

    .venv/bin/python tests/bench/bench_addresses.py [--lookups 200] [--concurrency 10]
        [--database-url postgresql+psycopg://…]

Figures, not pass/fail. The two simulators run as their own processes on 127.0.0.1
(``python -m addresses.simulator``); the address service is made as ``tingshen serve`` makes it
(:func:`addresses.service.create_service`) on a fresh SQLite file (or the PostgreSQL URL given,
in a fresh schema), one case filed through its consumer. Printed:

- *sequential*: ``--lookups`` look-ups one after another (:func:`addresses.lookup.run_lookup`:
  the audit row committed, both agencies asked with signed requests, answers checked, ranked,
  everything written): p50, p95, max;
- *concurrent*: the same number, ``--concurrency`` at a time: look-ups per minute, p95;
- *a hanging agency*: one look-up while the migrant registry hangs (timeout 2 s);
- *ranking*: merging and ranking 1,000 records (pure).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402

from addresses.found import Found  # noqa: E402
from addresses.keys import provision  # noqa: E402
from addresses.lookup import run_lookup  # noqa: E402
from addresses.ranking import rank  # noqa: E402
from addresses.service import create_service  # noqa: E402
from addresses.settings import AddressesSettings  # noqa: E402
from court_events.dossier import CASE_FILED, CaseFiled, FiledParty  # noqa: E402
from tests.addresses.conftest import DEFENDANT_ID, _start  # noqa: E402
from tingshen_platform.blobs import LocalBlobStore  # noqa: E402
from tingshen_platform.bus.memory import InProcessBus  # noqa: E402
from tingshen_platform.db import make_engine, upgrade_platform  # noqa: E402
from tingshen_platform.events import publish  # noqa: E402
from tingshen_platform.identity import HttpIdentity, StaffPrincipal  # noqa: E402
from tingshen_platform.jobs import JobQueue  # noqa: E402
from tingshen_platform.services import ServiceHost  # noqa: E402

CLERK = StaffPrincipal(7, "clerk", "陈晓", "clerk", 1, "广州市越秀区人民法院")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        keys = root / "keys"
        provision(keys, "migrant", "postal")
        procs, urls = [], {}
        try:
            for agency in ("migrant", "postal"):
                proc, urls[agency] = _start(agency, keys, root / f"{agency}.log")
                procs.append(proc)
            _bench(root, keys, urls, args)
        finally:
            for proc in procs:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def _engine(root: Path, url: str | None):
    if url is None:
        return make_engine(f"sqlite:///{root / 'bench.db'}"), "SQLite"
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    return make_engine(url, connect_args={"options": f"-csearch_path={schema}"}), "PostgreSQL"


def _bench(root: Path, keys: Path, urls: dict[str, str], args: argparse.Namespace) -> None:
    engine, kind = _engine(root, args.database_url)
    upgrade_platform(engine)
    host = ServiceHost(
        engine=engine, data_dir=root / "data", identity=HttpIdentity("http://127.0.0.1:9"),
        bus=InProcessBus(), jobs=JobQueue(engine), clock=lambda: datetime.now(UTC),
        exchange=LocalBlobStore(root / "exchange"), production=False, node="bench",
    )  # fmt: skip
    settings = AddressesSettings(
        keys_dir=keys, migrant_url=urls["migrant"], postal_url=urls["postal"], timeout_s=2.0,
        per_staff_per_hour=10_000, per_party_per_day=1000,
    )  # fmt: skip
    service = create_service(host, settings)
    with engine.begin() as connection:
        publish(connection, CASE_FILED, CaseFiled(
            dossier_case_id=1, court_id=1, court_name="广州市越秀区人民法院",
            case_number="（2026）粤0104民初1号", cause_of_action="民间借贷纠纷", cause_code="C103-3",
            procedure="ordinary", claim_amount_fen=None, judge_user_id=None, clerk_user_id=None,
            filed_on=date(2026, 11, 28), filed_at=datetime.now(UTC),
            parties=[FiledParty(party_ref="p-2", role="defendant", kind="person", name="王强")],
        ), occurred_at=datetime.now(UTC))  # fmt: skip
    service.poll_events()
    ctx = service.ctx

    async def one() -> float:
        started = time.perf_counter()
        await run_lookup(ctx, CLERK, 1, "p-2", DEFENDANT_ID, "基准测试：核实送达地址")
        return time.perf_counter() - started

    async def sequential() -> list[float]:
        return [await one() for _ in range(args.lookups)]

    async def concurrent() -> tuple[list[float], float]:
        gate = asyncio.Semaphore(args.concurrency)

        async def gated() -> float:
            async with gate:
                return await one()

        started = time.perf_counter()
        took = await asyncio.gather(*(gated() for _ in range(args.lookups)))
        return list(took), time.perf_counter() - started

    print(f"database: {kind}; {args.lookups} look-ups, both agencies answering (3 addresses)")
    seq = asyncio.run(sequential())
    print(f"sequential: p50 {statistics.median(seq) * 1000:.1f} ms, "
          f"p95 {_pct(seq, 0.95) * 1000:.1f} ms, max {max(seq) * 1000:.1f} ms")  # fmt: skip
    conc, wall = asyncio.run(concurrent())
    print(f"concurrent ({args.concurrency} at a time): {args.lookups / wall * 60:.0f} look-ups/min, "
          f"p95 {_pct(conc, 0.95) * 1000:.1f} ms")  # fmt: skip
    httpx.post(f"{urls['migrant']}/sim/faults", json={"mode": "hang"}, timeout=5)
    hung = asyncio.run(one())
    print(f"migrant registry hanging (timeout 2 s): one look-up {hung:.2f} s")
    records = [
        Found("migrant" if i % 2 else "postal", f"广州市天河区某路{i % 400}号", None,
              ("residence", "registered", "delivered", "mailing")[i % 4],
              date(2026, 11, 1) - timedelta(days=i))
        for i in range(1000)
    ]  # fmt: skip
    runs = []
    for _ in range(20):
        started = time.perf_counter()
        ranked = rank(records, date(2026, 12, 1))
        runs.append(time.perf_counter() - started)
    print(f"ranking 1,000 records into {len(ranked)} addresses: "
          f"{statistics.median(runs) * 1000:.2f} ms (median of 20)")  # fmt: skip
    engine.dispose()


if __name__ == "__main__":
    main()
