# ruff: noqa: F811  (the hearing server's fixtures are imported by name, then asked for by name)
"""Delivery service fixtures: the hearing server's app with the dossier, fee and delivery
services (as ``tingshen serve`` runs them), its world (tests/server/conftest.py), a case filed
by ``case.filed`` as the dossier publishes it, and :func:`run`, which does what the services do
in the background of a running server.

Each app test runs on SQLite and, with ``TINGSHEN_TEST_DATABASE_URL``, on PostgreSQL.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from reportlab.pdfgen.canvas import Canvas

from court_events.dossier import CASE_FILED, CaseFiled, FiledParty
from delivery.context import DeliveryContext
from delivery.service import DeliveryService
from dossier.models import DossierCase
from hearing_server.context import ServerContext
from hearing_server.models import Case
from tests.server.conftest import (  # noqa: F401  (fixtures used by the delivery tests)
    PASSWORD,
    START,
    FakeClock,
    World,
    app,
    client,
    clock,
    code_sender,
    ctx,
    fast_passwords,
    login,
    make_client,
    seed_world,
    settings,
    streams,
)
from tingshen_platform.events import publish

PLAINTIFF_PHONE = "13800000011"
DEFENDANT_ADDRESS = "广州市天河区体育西路1号"
CASE_NUMBER = "（2026）粤0104民初501号"


@dataclass(frozen=True)
class DeliveryWorld:
    hearing: World
    court_id: int
    dossier_case_id: int


def delivery_service(app: FastAPI) -> DeliveryService:
    found = [s for s in app.state.side_services if s.name == "delivery"]
    assert found, "the delivery service is not loaded"
    service = found[0]
    assert isinstance(service, DeliveryService)
    return service


def delivery_context(app: FastAPI) -> DeliveryContext:
    return delivery_service(app).ctx


def run(app: FastAPI) -> None:
    """Handle waiting events of every service, then the delivery service's due jobs, until
    nothing is left."""
    while True:
        handled = sum(service.poll_events() for service in app.state.side_services)
        worked = delivery_service(app).work_jobs()
        if not handled and not worked:
            return


@pytest.fixture(autouse=True)
def _services(monkeypatch: pytest.MonkeyPatch) -> None:
    """The delivery service loaded beside the dossier; background rounds out of the way (the
    tests run them with :func:`run`)."""
    monkeypatch.setenv("TINGSHEN_SIDE_SERVICES", '["dossier", "delivery"]')
    monkeypatch.setenv("TINGSHEN_DELIVERY_CONSUMER_POLL_S", "60")
    monkeypatch.setenv("TINGSHEN_DOSSIER_CONSUMER_POLL_S", "60")


def filed(court_id: int, court_name: str, dossier_case_id: int) -> CaseFiled:
    return CaseFiled(
        dossier_case_id=dossier_case_id, court_id=court_id, court_name=court_name,
        case_number=CASE_NUMBER, cause_of_action="民间借贷纠纷", cause_code="C103-3",
        procedure="ordinary", claim_amount_fen=1_000_000, judge_user_id=None,
        clerk_user_id=None, filed_on=date(2026, 11, 28), filed_at=START,
        parties=[
            FiledParty(party_ref="p-1", role="plaintiff", kind="person", name="陈明",
                       phone=PLAINTIFF_PHONE, id_number="440104199001011237"),
            FiledParty(party_ref="p-2", role="defendant", kind="person", name="李强"),
        ],
    )  # fmt: skip


@pytest.fixture
def world(app: FastAPI, ctx: ServerContext) -> DeliveryWorld:
    """Court A's case 501 in the dossier's register (so proofs can be filed) and filed."""
    hearing = seed_world(ctx)
    with ctx.session_factory() as s:
        case = s.get(Case, hearing.case_a)
        assert case is not None
        court_id = case.court_id
    court_name = "广州市越秀区人民法院"
    with app.state.dossier.session_factory() as s:
        dossier_case = DossierCase(
            court_id=court_id, court_name=court_name, case_number=CASE_NUMBER,
            cause_name="民间借贷纠纷", status="open", source="filed",
            filed_on=date(2026, 11, 28), filed_at=START,
        )  # fmt: skip
        s.add(dossier_case)
        s.commit()
        case_id = dossier_case.id
    with ctx.engine.begin() as connection:
        publish(connection, CASE_FILED, filed(court_id, court_name, case_id), occurred_at=START)
    run(app)
    return DeliveryWorld(hearing, court_id, case_id)


@pytest.fixture
def staff(make_client: Callable[[], TestClient]) -> Callable[[str], TestClient]:
    def make(username: str) -> TestClient:
        browser = make_client()
        login(browser, username)
        return browser

    return make


def a_pdf(text: str = "Judgment") -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(72, 720, text)
    canvas.save()
    return out.getvalue()


def sms_sent(ctx: ServerContext) -> list[dict[str, str]]:
    path = ctx.settings.data_dir / "sms" / "messages.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def consent(browser: TestClient, case_id: int, party_ref: str, **addresses: object) -> None:
    body = {"electronic": True, **addresses}
    answer = browser.put(f"/api/delivery/cases/{case_id}/parties/{party_ref}/addresses", json=body)
    assert answer.status_code == 200, answer.text


def serve(
    browser: TestClient,
    case_id: int,
    recipients: list[str],
    channels: list[str],
    title: str = "民事判决书",
    data: bytes | None = None,
) -> Any:
    return browser.post(
        f"/api/delivery/cases/{case_id}/services",
        data={"title": title, "kind": "judgment", "recipients": recipients, "channels": channels},
        files={"file": ("judgment.pdf", data if data is not None else a_pdf(), "application/pdf")},
    )  # fmt: skip
