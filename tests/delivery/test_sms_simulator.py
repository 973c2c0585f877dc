"""The local SMS provider's receipts, sent by its simulator (``delivery.sms_simulator``): after
the delivery service's SMS are written to the local outbox, one round posts a signed receipt of
each to the receipt route as a provider would — a good number's service ``arrived``, a configured
dead number's ``failed`` (the clerk is told) — with nothing crafted by the test; a message is
reported once; a round that cannot reach the server reports it in the next one; and a live
server (uvicorn on 127.0.0.1) with the simulator on moves the services by itself."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from court_events.dossier import CASE_FILED
from delivery.service import local_sms_receipts, simulate_rounds
from delivery.sms_simulator import LocalSmsReceipts
from dossier.models import DossierCase
from hearing_server.models import Case
from tests.delivery.conftest import (
    CASE_NUMBER,
    PLAINTIFF_PHONE,
    a_pdf,
    consent,
    delivery_context,
    filed,
    run,
    serve,
    sms_sent,
)
from tests.server.conftest import PASSWORD, START, seed_world
from tingshen_platform.events import publish

DEAD = "13800000099"


@pytest.fixture(autouse=True)
def _dead_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINGSHEN_DELIVERY_SMS_DEAD_NUMBERS", f'["+86 {DEAD}"]')


def _simulator(app, provider: TestClient) -> LocalSmsReceipts:
    def post(body: bytes, headers: dict[str, str]) -> int:
        return provider.post("/api/delivery/sms/receipt", content=body, headers=headers).status_code

    return local_sms_receipts(delivery_context(app), post)


def _served(app, clerk: TestClient, case_id: int, party_refs: list[str]) -> list[int]:
    answer = serve(clerk, case_id, party_refs, ["sms"])
    assert answer.status_code == 201, answer.text
    run(app)
    return [item["id"] for item in answer.json()["items"]]


def _state(clerk: TestClient, service_id: int) -> str:
    state: str = clerk.get(f"/api/delivery/services/{service_id}").json()["state"]
    return state


def test_a_good_number_arrives_and_a_dead_one_fails(app, ctx, world, staff, make_client) -> None:
    clerk = staff("clerk_a")
    consent(clerk, world.dossier_case_id, "p-1", phone=PLAINTIFF_PHONE)
    consent(clerk, world.dossier_case_id, "p-2", phone=DEAD)
    good, dead = _served(app, clerk, world.dossier_case_id, ["p-1", "p-2"])
    assert {m["to"] for m in sms_sent(ctx)} >= {PLAINTIFF_PHONE, DEAD}
    assert (_state(clerk, good), _state(clerk, dead)) == ("sent", "sent")
    simulator = _simulator(app, make_client())
    assert simulator.send_due() == 2
    assert (_state(clerk, good), _state(clerk, dead)) == ("arrived", "failed")
    assert [item["id"] for item in clerk.get("/api/delivery/attention").json()["items"]] == [dead]
    assert simulator.send_due() == 0  # each message is reported once
    [again] = _served(app, clerk, world.dossier_case_id, ["p-1"])
    assert _state(clerk, again) == "sent"
    assert _simulator(app, make_client()).send_due() == 1  # a new simulator reads on from there
    assert _state(clerk, again) == "arrived"


def test_a_round_that_cannot_reach_the_server_is_reported_in_the_next(
    app, ctx, world, staff, make_client
) -> None:
    clerk = staff("clerk_a")
    consent(clerk, world.dossier_case_id, "p-1", phone=PLAINTIFF_PHONE)
    [service] = _served(app, clerk, world.dossier_case_id, ["p-1"])
    ctx_delivery = delivery_context(app)
    down = local_sms_receipts(ctx_delivery, lambda body, headers: 0)
    assert down.send_due() == 0
    assert _state(clerk, service) == "sent"
    assert _simulator(app, make_client()).send_due() == 1
    assert _state(clerk, service) == "arrived"


def test_only_the_delivery_services_messages_and_whole_lines(app, ctx, tmp_path) -> None:
    outbox = tmp_path / "sms" / "messages.jsonl"
    outbox.parent.mkdir()
    outbox.write_text(
        '{"to": "13800000011", "reference": "code-3-abc", "text": "验证码123456"}\n'
        '{"to": "13800000011", "reference": "delivery-7", "text": "送达"}\n'
        '{"to": "13800000011", "reference": "delivery-8"',  # still being written
        "utf-8",
    )
    posted: list[bytes] = []

    def post(body: bytes, headers: dict[str, str]) -> int:
        posted.append(body)
        return 200

    simulator = LocalSmsReceipts(outbox, b"k" * 32, ctx.clock, post)
    assert simulator.send_due() == 1
    assert b'"reference":"delivery-7"' in posted[0] and b'"delivered"' in posted[0]
    with outbox.open("a", encoding="utf-8") as handle:
        handle.write(', "text": "送达"}\n')
    assert simulator.send_due() == 1 and b"delivery-8" in posted[1]


def test_the_service_s_own_rounds_move_the_state(app, ctx, world, staff, make_client) -> None:
    """The rounds the service runs in the background (``TINGSHEN_DELIVERY_SMS_RECEIPTS_SIMULATED``),
    here posting through the test's client instead of HTTP: the test only waits."""
    clerk = staff("clerk_a")
    consent(clerk, world.dossier_case_id, "p-1", phone=PLAINTIFF_PHONE)
    [service] = _served(app, clerk, world.dossier_case_id, ["p-1"])
    receipts = _simulator(app, make_client())

    async def rounds_until_arrived() -> str:
        stop = asyncio.Event()
        task = asyncio.create_task(simulate_rounds(receipts, stop, 0.05))
        deadline = asyncio.get_running_loop().time() + 20
        state = "sent"
        while state != "arrived" and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)  # the rounds run in their task: the condition is the state
            state = await asyncio.to_thread(_state, clerk, service)
        stop.set()
        await task
        return state

    assert asyncio.run(rounds_until_arrived()) == "arrived"


def test_a_live_server_s_simulator_reports_by_itself_over_http(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real server (uvicorn on 127.0.0.1) with the simulator on: the clerk serves by SMS to
    a good and a dead number over HTTP; the services arrive and fail with nothing else done."""
    from dossier.db import session_factory as dossier_sessions
    from tests.e2e.harness import live_server
    from tests.server.live_fakes import FakeStreams

    monkeypatch.setenv("TINGSHEN_DELIVERY_SMS_RECEIPTS_SIMULATED", "true")
    monkeypatch.setenv("TINGSHEN_DELIVERY_CONSUMER_POLL_S", "0.2")
    monkeypatch.setenv("TINGSHEN_DOSSIER_CONSUMER_POLL_S", "0.2")
    with live_server(tmp_path / "data", FakeStreams()) as server:
        hearing = seed_world(server.ctx)
        with server.ctx.session_factory() as s:
            case = s.get(Case, hearing.case_a)
            assert case is not None
            court_id, court_name = case.court_id, "广州市越秀区人民法院"
        with dossier_sessions(server.ctx.engine)() as s:
            dossier_case = DossierCase(
                court_id=court_id, court_name=court_name, case_number=CASE_NUMBER,
                cause_name="民间借贷纠纷", status="open", source="filed",
                filed_on=date(2026, 11, 28), filed_at=START,
            )  # fmt: skip
            s.add(dossier_case)
            s.commit()
            case_id = dossier_case.id
        with server.ctx.engine.begin() as connection:
            publish(connection, CASE_FILED, filed(court_id, court_name, case_id), occurred_at=START)
        with httpx.Client(base_url=server.base_url, headers={"Origin": server.base_url}) as clerk:
            answer = clerk.post(
                "/api/auth/login", json={"username": "clerk_a", "password": PASSWORD}
            )
            assert answer.status_code == 200, answer.text
            states = _live_states(clerk, case_id)
    assert states == ("arrived", "failed")


def _live_states(clerk: httpx.Client, case_id: int) -> tuple[str, str]:
    deadline = time.monotonic() + 30
    while clerk.get(f"/api/delivery/cases/{case_id}").status_code != 200:
        assert time.monotonic() < deadline, "the delivery service never learnt of the case"
        time.sleep(0.2)  # its consumer enters the case: the condition is above
    for party_ref, phone in (("p-1", PLAINTIFF_PHONE), ("p-2", DEAD)):
        body = {"electronic": True, "phone": phone}
        put = clerk.put(f"/api/delivery/cases/{case_id}/parties/{party_ref}/addresses", json=body)
        assert put.status_code == 200, put.text
    served = clerk.post(
        f"/api/delivery/cases/{case_id}/services",
        data={"title": "民事判决书", "kind": "judgment", "recipients": ["p-1", "p-2"],
              "channels": ["sms"]},
        files={"file": ("judgment.pdf", a_pdf(), "application/pdf")},
    )  # fmt: skip
    assert served.status_code == 201, served.text
    good, dead = (item["id"] for item in served.json()["items"])
    while True:
        states = tuple(
            clerk.get(f"/api/delivery/services/{i}").json()["state"] for i in (good, dead)
        )
        if states == ("arrived", "failed") or time.monotonic() > deadline + 30:
            return (states[0], states[1])
        time.sleep(0.2)  # the service's own rounds send and report: the condition is above


def test_production_refuses_the_simulator(app) -> None:
    import dataclasses

    from delivery.service import create_service
    from delivery.settings import DeliveryServiceSettings

    production = dataclasses.replace(delivery_context(app).host, production=True)
    with pytest.raises(ValueError, match="development only"):
        create_service(production, DeliveryServiceSettings(sms_receipts_simulated=True))
