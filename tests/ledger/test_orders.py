# ruff: noqa: F811  (fixtures are imported by name, then asked for by name)
"""The order workflow through the server's routes, with the portal and two real witnesses: a
lawyer of record applies; only the case's judge decides (narrowing the scope) and revokes; only
the applying lawyer sees his application and its PDF; the QR token lets an institution verify
and answer; every step is a leaf; documents and changes are announced by event."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from court_events.ledger import ORDER_CHANGED, ORDER_DOCUMENT
from hearing_server.context import ServerContext
from hearing_server.settings import Settings
from ledger.order_pdf import read_attachment
from ledger.order_rules import COURT_TZ
from ledger.orders import expire_due
from ledger.tables import leaves
from tests.ledger.order_world import (  # noqa: F401  (witnessed: a fixture)
    APPLY,
    CASE_ID,
    Witnesses,
    file_the_case,
    issue_order,
    lawyer_client,
    ledger_of,
    token_of,
    witnessed,
)
from tests.portal.conftest import (  # noqa: F401
    CHEN,
    PortalWorld,
    _portal_env,
    party,
    register,
    sms_sent,
    staff,
    world,
)
from tests.server.conftest import (  # noqa: F401
    FakeClock,
    app,
    clock,
    code_sender,
    ctx,
    fast_passwords,
    make_client,
    streams,
)
from tingshen_platform.schema import events as event_table


@pytest.fixture
def settings(tmp_path: Path, witnessed: Witnesses) -> Iterator[Settings]:
    yield Settings(
        data_dir=tmp_path / "data", login_rate_limit=50, session_ttl_minutes=60,
        side_services=["portal", "ledger"],
    )  # fmt: skip


def _events(ctx: ServerContext, name: str) -> list[dict[str, Any]]:
    with ctx.engine.connect() as connection:
        rows = connection.execute(
            select(event_table.c.payload).where(event_table.c.type == name)
        ).all()
    return [json.loads(r.payload) if isinstance(r.payload, str) else r.payload for r in rows]


def _kinds(ctx: ServerContext) -> list[str]:
    with ctx.engine.connect() as connection:
        return list(connection.execute(select(leaves.c.kind).order_by(leaves.c.idx)).scalars())


def test_apply_decide_issue_verify_respond_revoke(
    app, ctx: ServerContext, world: PortalWorld, make_client: Callable[[], TestClient],
    staff: Callable[[str], TestClient],
) -> None:  # fmt: skip
    file_the_case(app, ctx, world.court_a)
    lawyer = lawyer_client(make_client, ctx)
    assert [c["dossier_case_id"] for c in lawyer.get("/api/ledger/my/cases").json()["items"]] == [
        CASE_ID
    ]
    applied = lawyer.post("/api/ledger/my/orders", json=APPLY)
    assert applied.status_code == 201, applied.text
    order = applied.json()
    assert order["number"] == "（2026）粤0104调令1号" and order["status"] == "applied"

    # Someone else: a party of the case in the portal, another court's clerk, the clerk.
    chen = register(make_client(), ctx, CHEN)
    assert chen.post("/api/ledger/my/orders", json=APPLY).status_code == 401
    assert chen.get("/api/ledger/my/orders").status_code == 401
    clerk = staff("clerk_a")
    assert clerk.post(f"/api/ledger/judge/orders/{order['id']}/decision",
                      json={"approve": True, "reason": "x"}).status_code == 403  # fmt: skip
    other_judge = staff("clerk_b")
    assert other_judge.get("/api/ledger/judge/orders").status_code == 403

    judge = staff("judge_a")
    listed = judge.get("/api/ledger/judge/orders").json()["items"]
    assert [o["number"] for o in listed] == [order["number"]]
    widened = judge.post(f"/api/ledger/judge/orders/{order['id']}/decision",
                         json={"approve": True, "reason": "准许", "valid_days": 20})  # fmt: skip
    assert widened.status_code == 422 and widened.json()["error"]["code"] == "order.widened"
    decided = judge.post(
        f"/api/ledger/judge/orders/{order['id']}/decision",
        json={"approve": True, "reason": "开户资料与本案无关，仅准许调查流水",
              "items": APPLY["items"][:1], "valid_days": 10},
    )  # fmt: skip
    assert decided.status_code == 200, decided.text
    assert decided.json()["decision"] == "narrowed"
    issued = decided.json()["order"]
    assert issued["status"] == "issued" and issued["scope"]["items"] == APPLY["items"][:1]
    again = judge.post(f"/api/ledger/judge/orders/{order['id']}/decision",
                       json={"approve": False, "reason": "x"})  # fmt: skip
    assert again.status_code == 409

    pdf = lawyer.get(f"/api/ledger/my/orders/{order['id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert chen.get(f"/api/ledger/my/orders/{order['id']}/pdf").status_code == 401
    attached = read_attachment(pdf.content)
    assert attached is not None and attached["order"]["items"] == APPLY["items"][:1]
    token = token_of(pdf.content)

    anonymous = make_client()
    wrong = anonymous.post("/api/ledger/public/verify",
                           json={"number": order["number"], "token": "guess"})  # fmt: skip
    assert wrong.status_code == 404
    seen = anonymous.post("/api/ledger/public/verify",
                          json={"number": order["number"], "token": token})  # fmt: skip
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert body["order"]["status"] == "issued" and "lawyer_id" not in body["order"]
    assert [s["kind"] for s in body["ledger"]["steps"]] == ["order.issued", "order.verified"]
    assert "开户资料" not in json.dumps(body, ensure_ascii=False)  # struck out: not public
    answered = anonymous.post(
        "/api/ledger/public/respond",
        data={"number": order["number"], "token": token, "outcome": "provided",
              "responder": "中国银行 柜员 刘芳"},
        files=[("files", ("流水.pdf", b"%PDF-1.4 statement", "application/pdf"))],
    )  # fmt: skip
    assert answered.status_code == 201, answered.text

    revoked = judge.post(f"/api/ledger/judge/orders/{order['id']}/revoke",
                         json={"reason": "当事人已和解"})  # fmt: skip
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    after = anonymous.post("/api/ledger/public/verify",
                           json={"number": order["number"], "token": token}).json()  # fmt: skip
    assert after["order"]["status"] == "revoked"
    late = anonymous.post(
        "/api/ledger/public/respond",
        data={"number": order["number"], "token": token, "outcome": "refused",
              "responder": "x", "reason": "y"},
    )  # fmt: skip
    assert late.status_code == 409

    assert _kinds(ctx) == [
        "order.applied", "order.decided", "order.issued", "order.verified", "order.responded",
        "order.revoked", "order.verified",
    ]  # fmt: skip
    documents = _events(ctx, ORDER_DOCUMENT.name)
    assert [d["step"] for d in documents][:1] == ["order"] and len(documents) == 2
    changes = [c["status"] for c in _events(ctx, ORDER_CHANGED.name)]
    assert changes == ["applied", "issued", "responded", "revoked"]
    told = _events(ctx, ORDER_CHANGED.name)[-1]
    assert {r["name"] for r in told["recipients"]} >= {"陈明", "李华", "王律师"}
    ledger = ledger_of(app)
    assert ledger.work_jobs() == 4 * 3  # four changes, three parties with a telephone
    assert ledger.work_jobs() == 0
    to_chen = [m["text"] for m in sms_sent(ctx) if m["to"] == CHEN[2] and "调查令" in m["text"]]
    assert len(to_chen) == 4 and "调查令（2026）粤0104调令1号已被撤销：当事人已和解" in to_chen[-1]


def test_an_order_expires_after_its_last_day_with_a_leaf(
    app, ctx: ServerContext, world: PortalWorld, make_client: Callable[[], TestClient],
    staff: Callable[[str], TestClient], clock: FakeClock,
) -> None:  # fmt: skip
    issued = issue_order(app, ctx, world.court_a, make_client, staff)
    ledger = ledger_of(app)
    last = date.fromisoformat(issued.order["valid_until"])
    assert last == clock().astimezone(COURT_TZ).date() + timedelta(days=APPLY["valid_days"] - 1)
    clock.advance(timedelta(days=APPLY["valid_days"] - 1))
    assert expire_due(ledger.orders) == []
    clock.advance(timedelta(days=1))
    # Computed on read before the periodic work ran: the page already says expired.
    bank = make_client()
    body = {"number": issued.order["number"], "token": issued.token}
    assert bank.post("/api/ledger/public/verify", json=body).json()["order"]["status"] == "expired"
    assert expire_due(ledger.orders) == [issued.order["number"]]
    assert expire_due(ledger.orders) == []  # once
    assert _kinds(ctx).count("order.expired") == 1
    late = bank.post("/api/ledger/public/respond", data={**body, "outcome": "refused",
                     "responder": "银行", "reason": "已过期"})  # fmt: skip
    assert late.status_code == 409
    revoke = staff("judge_a").post(f"/api/ledger/judge/orders/{issued.order['id']}/revoke",
                               json={"reason": "x"})  # fmt: skip
    assert revoke.status_code == 409


def test_public_verification_is_rate_limited_per_address(
    app, ctx: ServerContext, world: PortalWorld, make_client: Callable[[], TestClient],
    staff: Callable[[str], TestClient], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    issued = issue_order(app, ctx, world.court_a, make_client, staff)
    app.state.ledger_limit.per_minute = 3
    guesser = make_client()
    answers = [
        guesser.post("/api/ledger/public/verify",
                     json={"number": issued.order["number"], "token": f"guess-{n}"}).status_code
        for n in range(5)
    ]  # fmt: skip
    assert answers == [404, 404, 404, 429, 429]
    assert "order.verified" not in _kinds(ctx)  # a wrong token leaves no leaf


def test_only_a_lawyer_of_record_applies(
    app, ctx: ServerContext, world: PortalWorld, make_client: Callable[[], TestClient]
) -> None:
    from tests.portal.conftest import STRANGER

    file_the_case(app, ctx, world.court_a)
    other = register(make_client(), ctx, STRANGER, kind="lawyer", licence="14401201810099999")
    answer = other.post("/api/ledger/my/orders", json=APPLY)
    assert answer.status_code == 403
    assert answer.json()["error"]["message_zh"] == "您不是本案登记的代理律师"
    assert other.get("/api/ledger/my/cases").json()["items"] == []
