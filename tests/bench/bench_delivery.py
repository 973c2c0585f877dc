"""Services sent through the durable work, and the proof of service's cost (issue 17).

    .venv/bin/python tests/bench/bench_delivery.py [--services 10000] [--workers 2]
        [--proofs 20] [--database-url URL]

Figures, not pass/fail. A real app (``create_app``, SQLite in a temporary data directory, or
``--database-url``) with the dossier and delivery services; one case filed (``case.filed``) with
100 parties who consented to electronic service. ``--services`` SMS services are prepared through
:func:`delivery.serving.serve` (100 recipients per document, one transaction each: document,
services, attempts, audit, one job per attempt), then ``--workers`` threads run the queue
``delivery.send`` with :func:`tingshen_platform.jobs.work_one` until it is empty, sending through
the host's SMS provider (the local one: one fsync'd JSONL line per message). Then it checks that
every service was sent once: one line per attempt's reference in the SMS file, no reference
twice, every attempt ``sent``, one ``delivery.document_served`` per service. Printed: services
prepared and sent per minute. Then the proof of service: the PDF alone (median of ``--proofs``)
and sealed with the court's key and timestamp (``ServiceHost.seal``).
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from court_events.dossier import CASE_FILED, CaseFiled, FiledParty  # noqa: E402
from delivery.audit import SYSTEM  # noqa: E402
from delivery.consent import Addresses, confirm_addresses  # noqa: E402
from delivery.proof_pdf import ProofDocument, proof_pdf  # noqa: E402
from delivery.sending import send_handler  # noqa: E402
from delivery.service import DeliveryService  # noqa: E402
from delivery.serving import SEND_QUEUE, NewDocument, serve  # noqa: E402
from delivery.tables import Attempt, DeliveryCase  # noqa: E402
from hearing_server.app import create_app  # noqa: E402
from hearing_server.settings import Settings  # noqa: E402
from tingshen_platform.events import publish  # noqa: E402
from tingshen_platform.fonts import find_cjk_font  # noqa: E402
from tingshen_platform.jobs import work_one  # noqa: E402
from tingshen_platform.schema import events  # noqa: E402

PARTIES = 100
PDF = b"%PDF-1.4\n% a judgment\n%%EOF\n"


def _service(app) -> DeliveryService:  # type: ignore[no-untyped-def, unused-ignore]
    found = [s for s in app.state.side_services if s.name == "delivery"]
    assert found and isinstance(found[0], DeliveryService)
    return found[0]


def _prepare(service: DeliveryService, count: int) -> float:
    ctx = service.ctx
    now = ctx.now()
    parties = [
        FiledParty(party_ref=f"p-{i}", role="plaintiff", kind="person", name=f"当事人{i}",
                   phone=f"139{i:08d}")
        for i in range(1, PARTIES + 1)
    ]  # fmt: skip
    filed = CaseFiled(
        dossier_case_id=1, court_id=1, court_name="广州市越秀区人民法院",
        case_number="（2026）粤0104民初1号", cause_of_action="民间借贷纠纷", cause_code="C103-3",
        procedure="ordinary", claim_amount_fen=None, judge_user_id=None, clerk_user_id=None,
        filed_on=date(2026, 11, 28), filed_at=now, parties=parties,
    )  # fmt: skip
    with ctx.host.engine.begin() as connection:
        publish(connection, CASE_FILED, filed, occurred_at=now)
    service.poll_events()
    with ctx.session_factory() as session:
        case = session.scalars(select(DeliveryCase)).one()
        for party in parties:
            confirm_addresses(session, ctx, case, party.party_ref,
                              Addresses(True, party.phone, None, None, None), SYSTEM)  # fmt: skip
        session.commit()
    refs = [p.party_ref for p in parties]
    started = time.perf_counter()
    for n in range(count // PARTIES):
        with ctx.session_factory() as session:
            case = session.scalars(select(DeliveryCase)).one()
            new = NewDocument(f"通知书{n}", "notice", PDF + str(n).encode(), "application/pdf")
            serve(session, ctx, case, new, refs, ["sms"], SYSTEM)
            session.commit()
    return time.perf_counter() - started


def _send(service: DeliveryService, workers: int) -> float:
    ctx = service.ctx
    handlers = {SEND_QUEUE: send_handler(ctx)}

    def worker(name: str) -> None:
        while work_one(ctx.host.jobs, handlers, name, lease=timedelta(minutes=5)) is not None:
            pass

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def _check(service: DeliveryService, data_dir: Path, count: int) -> str:
    ctx = service.ctx
    lines = (data_dir / "sms" / "messages.jsonl").read_text("utf-8").splitlines()
    references = collections.Counter(json.loads(line)["reference"] for line in lines)
    twice = [r for r, n in references.items() if n > 1]
    with ctx.session_factory() as session:
        states = dict(session.execute(
            select(Attempt.state, func.count()).group_by(Attempt.state)).all())  # fmt: skip
    with ctx.host.engine.connect() as connection:
        served = connection.execute(select(func.count()).select_from(events).where(
            events.c.type == "delivery.document_served")).scalar_one()  # fmt: skip
    assert len(references) == count, f"{len(references)} of {count} sent"
    assert not twice, f"sent twice: {twice[:5]}"
    assert states == {"sent": count}, states
    assert served == count, f"{served} document_served events"
    return f"{count} SMS, each reference once; attempts {states}; {served} document_served events"


def _proofs(app, runs: int) -> tuple[float, float | None]:  # type: ignore[no-untyped-def, unused-ignore]
    font = find_cjk_font()
    doc = ProofDocument(
        court="广州市越秀区人民法院", case_number="（2026）粤0104民初1号",
        document_title="民事判决书", sha256="ab" * 32, recipient="陈明", recipient_role="原告",
        channel="短信", address="13800000011", sent_at=datetime.now(UTC),
        arrived_at=None, opened_at=datetime.now(UTC), opened_by="陈明", collected_at=None,
        issued_at=datetime.now(UTC),
    )  # fmt: skip
    proof_pdf(doc, font=font)  # warm-up: font loading
    plain, sealed = [], []
    seal = _service(app).ctx.host.seal
    for _ in range(runs):
        started = time.perf_counter()
        pdf = proof_pdf(doc, font=font)
        plain.append(time.perf_counter() - started)
        if seal is not None:
            started = time.perf_counter()
            seal(pdf, "送达回证")
            sealed.append(time.perf_counter() - started)
    return statistics.median(plain), statistics.median(sealed) if sealed else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--proofs", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        settings = Settings(data_dir=data_dir, database_url=args.database_url,
                            side_services=["dossier", "delivery"])  # fmt: skip
        app = create_app(settings)
        service = _service(app)
        count = args.services - args.services % PARTIES
        prepared_s = _prepare(service, count)
        sent_s = _send(service, args.workers)
        print(_check(service, data_dir, count))
        print(f"prepared: {count} services in {prepared_s:.1f} s = "
              f"{count / prepared_s * 60:,.0f} per minute")  # fmt: skip
        print(f"sent ({args.workers} workers): {count} in {sent_s:.1f} s = "
              f"{count / sent_s * 60:,.0f} per minute")  # fmt: skip
        plain, sealed = _proofs(app, args.proofs)
        print(f"proof of service PDF: median {plain * 1000:.0f} ms; sealed + timestamped: "
              + (f"median {sealed * 1000:.0f} ms" if sealed is not None else "no seal key"))  # fmt: skip
        app.state.services.context.engine.dispose()


if __name__ == "__main__":
    main()
