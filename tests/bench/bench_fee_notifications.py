"""Payment notifications processed per second, with every check (issue 16).

    .venv/bin/python tests/bench/bench_fee_notifications.py [--orders 400] [--runs 3]

Figures, not pass/fail. A fee service of a real app (``create_app``, SQLite in a temporary data
directory, or ``--database-url``) with one case account and ``--orders`` orders waiting; the
WeChat Pay notifications for them are made as the simulator makes them (the resource sealed
with AES-256-GCM under the APIv3 key, the body signed with the platform's RSA key), then handed
one after another to :func:`fees.checkout.handle_notification`, which verifies the signature,
serial and timestamp, decrypts, checks amount, currency, merchant, app and order, and books the
payment (order, ledger entry, receipt, audit, job) in its own transaction. Printed, median of
``--runs`` (fresh orders each run): first deliveries per second (each books a payment), the same
notifications again (duplicates: verified, found booked, recorded), and forged ones (rejected at
the signature). Also the cost of the checks alone (verify + decrypt, no database).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from court_events.dossier import CaseFiled, FiledParty  # noqa: E402
from fees.accounts import open_account  # noqa: E402
from fees.checkout import handle_notification  # noqa: E402
from fees.codes import order_number  # noqa: E402
from fees.provider import Provider  # noqa: E402
from fees.service import FeesService  # noqa: E402
from fees.tables import FeeAccount, FeeOrder  # noqa: E402
from fees.wechatpay.credentials import load_credentials  # noqa: E402
from fees.wechatpay.crypto import encrypt_resource, new_nonce, sign_response  # noqa: E402
from fees.wechatpay.notifications import decode_notification  # noqa: E402
from fees.wechatpay.simulator.keys import (  # noqa: E402
    MERCHANT_DIR,
    SimulatorKeys,
    load_simulator_keys,
    provision,
)
from hearing_server.app import create_app  # noqa: E402
from hearing_server.settings import Settings  # noqa: E402

MCHID, APPID = "1900000001", "wx0123456789abcdef"


def _notification(
    keys: SimulatorKeys, out_trade_no: str, amount_fen: int, *, forged: bool = False
) -> tuple[dict[str, str], bytes]:
    resource = {
        "mchid": MCHID,
        "appid": APPID,
        "out_trade_no": out_trade_no,
        "transaction_id": f"4200{uuid.uuid4().int % 10**24:024d}",
        "trade_type": "NATIVE",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "bank_type": "OTHERS",
        "success_time": datetime.now(UTC).isoformat(timespec="seconds"),
        "payer": {"openid": "o-bench"},
        "amount": {
            "total": amount_fen,
            "payer_total": amount_fen,
            "currency": "CNY",
            "payer_currency": "CNY",
        },
    }
    plain = json.dumps(resource, ensure_ascii=False, separators=(",", ":")).encode()
    sealed = encrypt_resource(keys.apiv3_key, plain, associated_data="transaction")
    envelope = {
        "id": str(uuid.uuid4()),
        "create_time": datetime.now(UTC).isoformat(),
        "resource_type": "encrypt-resource",
        "event_type": "TRANSACTION.SUCCESS",
        "summary": "支付成功",
        "resource": {"original_type": "transaction", **sealed},
    }
    body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
    signed = sign_response(
        keys.platform_key,
        keys.platform_serial,
        body + ("x" if forged else ""),
        timestamp=int(time.time()),
        nonce=new_nonce(),
    )
    return {"content-type": "application/json", **signed.as_headers()}, body.encode()


def _orders(service: FeesService, count: int) -> list[tuple[str, int]]:
    ctx = service.ctx
    with ctx.session_factory() as s:
        account = s.query(FeeAccount).one()
        now = ctx.now()
        made = []
        for _ in range(count):
            number = order_number(account.notice_code or "")
            s.add(
                FeeOrder(
                    account_id=account.id,
                    out_trade_no=number,
                    amount_fen=276_914,
                    notice_version=1,
                    party_ref="p-1",
                    payer_name="陈明",
                    payer_phone=None,
                    status="created",
                    created_at=now,
                    expires_at=now + timedelta(hours=1),
                )
            )
            made.append((number, 276_914))
        s.commit()
    return made


def _rate(service: FeesService, items: list[tuple[dict[str, str], bytes]]) -> tuple[float, str]:
    outcomes: dict[int, int] = {}
    started = time.perf_counter()
    for headers, body in items:
        answer, _ = handle_notification(service.ctx, headers, body)
        outcomes[answer.status] = outcomes.get(answer.status, 0) + 1
    elapsed = time.perf_counter() - started
    return len(items) / elapsed, ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # each forged notification logs a warning
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        provision(Path(tmp) / "sim", MCHID, APPID)
        keys = load_simulator_keys(Path(tmp) / "sim")
        app = create_app(Settings(data_dir=data, database_url=args.database_url))
        service = next(s for s in app.state.side_services if s.name == "fees")
        assert isinstance(service, FeesService)
        provider = Provider(load_credentials(Path(tmp) / "sim" / MERCHANT_DIR), "http://x", 300)
        service.ctx = dataclasses.replace(service.ctx, provider=provider)
        with service.ctx.session_factory() as s:
            open_account(s, service.ctx, _filed())
            s.commit()
        first, again, forged = [], [], []
        for _ in range(args.runs):
            items = [_notification(keys, n, a) for n, a in _orders(service, args.orders)]
            first.append(_rate(service, items))
            again.append(_rate(service, items))
            bad = [_notification(keys, n, a, forged=True) for n, a in _orders(service, args.orders)]
            forged.append(_rate(service, bad))
        sample = [_notification(keys, n, a) for n, a in _orders(service, args.orders)]
        creds = provider.credentials
        started = time.perf_counter()
        for headers, body in sample:
            decode_notification(
                headers,
                body,
                platform_keys=creds.platform_keys,
                apiv3_key=creds.apiv3_key,
                now=time.time(),
            )
        checks = len(sample) / (time.perf_counter() - started)
        app.state.services.context.engine.dispose()
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"fee notifications, {args.orders} orders per run, {args.runs} runs, {database}")
    for label, rates in (
        ("first delivery (books)", first),
        ("duplicate", again),
        ("forged (rejected)", forged),
    ):
        values = [r for r, _ in rates]
        print(
            f"  {label:24s} median {statistics.median(values):7.1f}/s   "
            f"(runs: {', '.join(f'{v:.0f}' for v in values)}; answers {rates[-1][1]})"
        )
    print(f"  {'checks alone':24s} {checks:7.1f}/s (verify signature, serial, time; decrypt)")


def _filed() -> CaseFiled:
    return CaseFiled(
        dossier_case_id=1,
        court_id=1,
        court_name="广州市越秀区人民法院",
        case_number="（2026）粤0104民初1号",
        cause_of_action="民间借贷纠纷",
        cause_code="C103-3",
        procedure="ordinary",
        claim_amount_fen=12_345_678,
        judge_user_id=None,
        clerk_user_id=None,
        filed_on=datetime.now(UTC).date(),
        filed_at=datetime.now(UTC),
        parties=[FiledParty(party_ref="p-1", role="plaintiff", kind="person", name="陈明")],
    )


if __name__ == "__main__":
    main()
