# ruff: noqa: F811  (the hearing server's fixtures are imported by name, then asked for by name)
"""Portal fixtures: the hearing server's app with the portal loaded (as in ``tingshen serve``),
its world (tests/server/conftest.py) in which judge_a and clerk_a work at court A and clerk_b
at court B; :func:`file_case` publishes ``case.filed`` as the dossier does and
:func:`serve` publishes ``delivery.document_served`` (with a real PDF in the host's exchange
store) as the delivery service does.

Each test runs on SQLite and, with ``TINGSHEN_TEST_DATABASE_URL``, on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from court_events.delivery import DOCUMENT_SERVED, DocumentServed
from court_events.dossier import CASE_FILED, CaseFiled, FiledParty
from hearing_server.context import ServerContext
from hearing_server.models import Case
from hearing_server.settings import Settings
from portal.context import PortalContext
from portal.service import PortalService
from portal.verifier import LocalRegistryVerifier
from tests.server.conftest import (  # noqa: F401  (fixtures used by the portal's tests)
    PASSWORD,
    START,
    FakeClock,
    app,
    clock,
    code_sender,
    ctx,
    fast_passwords,
    login,
    make_client,
    migrated_settings,
    seed_world,
    streams,
)
from tests.server.db_templates import DatabaseTemplates
from tingshen_platform.events import publish

PG_URL_PARAMS = (
    ["sqlite", "postgresql"] if os.environ.get("TINGSHEN_TEST_DATABASE_URL") else ["sqlite"]
)
CHEN = ("陈明", "11010519491231002X", "13800000011")
"""The plaintiff: name, ID number (the standard's own example), phone."""
LI = ("李华", "440524188001010014", "13800000012")
"""The defendant."""
WANG = ("王律师", "11010119900307803X", "13800000013")
"""A lawyer (not in the case's filing)."""
STRANGER = ("赵强", "110105198501010039", "13800000014")
"""Registered, party of nothing."""
LICENCE = "14401201810012345"
PORTAL_PASSWORD = "litigant password 1"


@pytest.fixture(params=PG_URL_PARAMS)
def settings(
    request: pytest.FixtureRequest, tmp_path: Path, database_templates: DatabaseTemplates
) -> Iterator[Settings]:
    with migrated_settings(
        request.param, database_templates, tmp_path / "data",
        login_rate_limit=5, session_ttl_minutes=60, side_services=["portal"],
    ) as settings:  # fmt: skip
        yield settings


@pytest.fixture(autouse=True)
def _portal_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TINGSHEN_PORTAL_REGISTRY_FILE", "TINGSHEN_PORTAL_LOOKUPS_PER_MINUTE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TINGSHEN_PORTAL_CONSUMER_POLL_S", "60")
    monkeypatch.setenv("TINGSHEN_PORTAL_PASSWORD_TIME_COST", "1")
    monkeypatch.setenv("TINGSHEN_PORTAL_PASSWORD_MEMORY_KIB", "1024")


@dataclass(frozen=True)
class PortalWorld:
    court_a: int
    court_b: int


def portal_service(app: FastAPI) -> PortalService:
    found = [s for s in app.state.side_services if s.name == "portal"]
    assert found, "the portal is not loaded"
    service = found[0]
    assert isinstance(service, PortalService)
    return service


def portal_context(app: FastAPI) -> PortalContext:
    return portal_service(app).ctx


def run(app: FastAPI) -> None:
    while sum(service.poll_events() for service in app.state.side_services):
        pass


@pytest.fixture
def world(app: FastAPI, ctx: ServerContext) -> PortalWorld:
    hearing = seed_world(ctx)
    with ctx.session_factory() as s:
        a, b = s.get(Case, hearing.case_a), s.get(Case, hearing.case_b)
        assert a is not None and b is not None
        court_a, court_b = a.court_id, b.court_id
    verifier = portal_context(app).verifier
    assert isinstance(verifier, LocalRegistryVerifier)
    for name, id_number, _ in (CHEN, LI, WANG, STRANGER):
        verifier.enrol(name, id_number)
    return PortalWorld(court_a, court_b)


def filed(court_id: int, case_id: int = 701, number: str = "（2026）粤0104民初701号") -> CaseFiled:
    return CaseFiled(
        dossier_case_id=case_id, court_id=court_id, court_name="广州市越秀区人民法院",
        case_number=number, cause_of_action="民间借贷纠纷", cause_code="C103-3",
        procedure="ordinary", claim_amount_fen=100_000, judge_user_id=None, clerk_user_id=None,
        filed_on=START.date(), filed_at=START,
        parties=[
            FiledParty(party_ref="p-1", role="plaintiff", kind="person", name=CHEN[0],
                       phone=CHEN[2], id_number=CHEN[1]),
            FiledParty(party_ref="p-2", role="defendant", kind="person", name=LI[0],
                       phone=LI[2], id_number=LI[1]),
        ],
    )  # fmt: skip


def file_case(app: FastAPI, ctx: ServerContext, case: CaseFiled) -> None:
    with ctx.engine.begin() as connection:
        publish(connection, CASE_FILED, case, occurred_at=ctx.clock())
    run(app)


def pdf_of(title: str, pages: int = 2) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for n in range(pages):
        canvas.drawString(72, 760, f"{title} page {n + 1}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def serve(
    app: FastAPI, ctx: ServerContext, case: CaseFiled, party_ref: str, *,
    service_id: int, title: str = "Civil judgment",
) -> DocumentServed:  # fmt: skip
    party = next(p for p in case.parties if p.party_ref == party_ref)
    data = pdf_of(title)
    key = f"delivery/{service_id}.pdf"
    portal_context(app).host.exchange.put(key, data)
    served = DocumentServed(
        service_id=service_id, dossier_case_id=case.dossier_case_id, court_id=case.court_id,
        case_number=case.case_number, document_title=title, document_kind="judgment",
        blob_key=key, sha256=hashlib.sha256(data).hexdigest(), media_type="application/pdf",
        size_bytes=len(data), recipient_party_ref=party_ref, recipient_name=party.name,
        recipient_id_number=party.id_number, channels=["sms"], sent_at=ctx.clock(),
    )  # fmt: skip
    with ctx.engine.begin() as connection:
        publish(connection, DOCUMENT_SERVED, served, occurred_at=ctx.clock())
    run(app)
    return served


def sms_sent(ctx: ServerContext) -> list[dict[str, str]]:
    path = ctx.settings.data_dir / "sms" / "messages.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def last_code(ctx: ServerContext, phone: str) -> str:
    texts = [m for m in sms_sent(ctx) if phone in json.dumps(m)]
    assert texts, f"no SMS to {phone}"
    found = re.search(r"验证码(\d{6})", json.dumps(texts[-1], ensure_ascii=False))
    assert found, texts[-1]
    return found.group(1)


def register(
    client: TestClient, ctx: ServerContext, who: tuple[str, str, str], *,
    kind: str = "person", licence: str | None = None,
) -> TestClient:  # fmt: skip
    name, id_number, phone = who
    assert client.post("/api/portal/register/code", json={"phone": phone}).status_code == 202
    body = {"kind": kind, "name": name, "id_number": id_number, "phone": phone,
            "code": last_code(ctx, phone), "password": PORTAL_PASSWORD,
            "licence_number": licence}  # fmt: skip
    answer = client.post("/api/portal/register", json=body)
    assert answer.status_code == 201, answer.text
    return client


@pytest.fixture
def party(make_client: Callable[[], TestClient], ctx: ServerContext) -> Callable[..., TestClient]:
    """``party(CHEN)``: a browser of a newly registered (and so logged-in) account."""

    def make(who: tuple[str, str, str], **kw: str) -> TestClient:
        return register(make_client(), ctx, who, **kw)

    return make


@pytest.fixture
def staff(make_client: Callable[[], TestClient]) -> Callable[[str], TestClient]:
    def make(username: str) -> TestClient:
        browser = make_client()
        login(browser, username)
        return browser

    return make
