# ruff: noqa: F811  (the hearing server's fixtures are imported by name, then asked for by name)
"""Fee service fixtures: the hearing server's app (the fee service runs inside it, as in
``tingshen serve``), its world (tests/server/conftest.py) with, in court A, a filing clerk
``filing_a`` and a finance officer ``finance_a``; :func:`file_case` publishes ``case.filed`` as
the dossier does when a filing clerk registers a case.

Each app test runs on SQLite and, with ``TINGSHEN_TEST_DATABASE_URL``, on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from court_events.dossier import CASE_CLOSED, CASE_FILED, CaseClosed, CaseFiled, FiledParty
from fees.context import FeesContext
from fees.service import FeesService
from hearing_server.context import ServerContext
from hearing_server.models import Case, StaffRole, StaffUser
from tests.server.conftest import (  # noqa: F401  (fixtures used by the fee service's tests)
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

EXTRA_STAFF = (
    ("filing_a", "刘芳", StaffRole.FILING_CLERK),
    ("finance_a", "孙静", StaffRole.FINANCE),
    ("admin_a", "赵敏", StaffRole.COURT_ADMIN),
)
PLAINTIFF_PHONE = "13800000011"
AGENT_EMAIL = "huang@lawfirm.example.cn"


@dataclass(frozen=True)
class FeesWorld:
    hearing: World
    court_id: int
    court_name: str


def fees_service(app: FastAPI) -> FeesService:
    found = [s for s in app.state.side_services if s.name == "fees"]
    assert found, "the fee service is not loaded"
    service = found[0]
    assert isinstance(service, FeesService)
    return service


def fees_context(app: FastAPI) -> FeesContext:
    return fees_service(app).ctx


def run(app: FastAPI) -> None:
    """What the services do in the background of a running server: handle waiting events,
    then run due jobs (sending), until nothing is left."""
    while True:
        handled = sum(service.poll_events() for service in app.state.side_services)
        worked = fees_service(app).work_jobs()
        if not handled and not worked:
            return


@pytest.fixture(autouse=True)
def _background_rounds_out_of_the_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """Consumers and the job worker poll once at start-up, then not again within a test: the test
    runs them itself (:func:`run`)."""
    monkeypatch.setenv("TINGSHEN_FEES_CONSUMER_POLL_S", "60")
    monkeypatch.setenv("TINGSHEN_DOSSIER_CONSUMER_POLL_S", "60")


@pytest.fixture
def fees_world(app: FastAPI, ctx: ServerContext) -> FeesWorld:
    world = seed_world(ctx)
    with ctx.session_factory() as s:
        case = s.get(Case, world.case_a)
        assert case is not None
        court_id = case.court_id
        for username, name, role in EXTRA_STAFF:
            s.add(
                StaffUser(
                    court_id=court_id, username=username, display_name=name, role=role,
                    password_hash=ctx.passwords.hash(PASSWORD), active=True,
                )
            )  # fmt: skip
        s.commit()
    return FeesWorld(world, court_id, "广州市越秀区人民法院")


def filed_case(
    world: FeesWorld,
    *,
    dossier_case_id: int = 501,
    number: str = "（2026）粤0104民初501号",
    cause_code: str = "C103-3",
    cause: str = "民间借贷纠纷",
    procedure: str = "ordinary",
    claim_fen: int | None = 12_345_678,
    filed_on: date = date(2026, 11, 28),
) -> CaseFiled:
    return CaseFiled(
        dossier_case_id=dossier_case_id, court_id=world.court_id, court_name=world.court_name,
        case_number=number, cause_of_action=cause, cause_code=cause_code, procedure=procedure,
        claim_amount_fen=claim_fen, judge_user_id=None, clerk_user_id=None, filed_on=filed_on,
        filed_at=START,
        parties=[
            FiledParty(party_ref="p-1", role="plaintiff", kind="person", name="陈明",
                       phone=PLAINTIFF_PHONE),
            FiledParty(party_ref="p-2", role="defendant", kind="organisation",
                       name="广州某某贸易有限公司", email="legal@example.cn"),
            FiledParty(party_ref="p-3", role="agent", kind="lawyer", name="黄律师",
                       email=AGENT_EMAIL, represents_ref="p-1"),
        ],
    )  # fmt: skip


def file_case(app: FastAPI, ctx: ServerContext, filed: CaseFiled) -> None:
    with ctx.engine.begin() as connection:
        publish(connection, CASE_FILED, filed, occurred_at=ctx.clock())
    run(app)


def close_case(app: FastAPI, ctx: ServerContext, filed: CaseFiled, outcome: str, on: date) -> None:
    closed = CaseClosed(
        dossier_case_id=filed.dossier_case_id, court_id=filed.court_id,
        case_number=filed.case_number, closed_on=on, outcome=outcome,
    )  # fmt: skip
    with ctx.engine.begin() as connection:
        publish(connection, CASE_CLOSED, closed, occurred_at=ctx.clock())
    run(app)


def sms_sent(ctx: ServerContext) -> list[dict[str, str]]:
    path = ctx.settings.data_dir / "sms" / "messages.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def mail_sent(ctx: ServerContext) -> list[str]:
    folder = ctx.settings.data_dir / "mail"
    return sorted(p.read_text("utf-8") for p in folder.glob("*.eml")) if folder.exists() else []


@pytest.fixture
def staff_client(make_client: Callable[[], TestClient]) -> Callable[[str], TestClient]:
    def make(username: str) -> TestClient:
        browser = make_client()
        login(browser, username)
        return browser

    return make
