# ruff: noqa: F811  (the hearing server's fixtures are imported by name, then asked for by name)
"""Dossier fixtures: the hearing server's app (the dossier runs inside it, as in ``tingshen
serve``), its world (tests/server/conftest.py) and, in court A, a filing clerk ``filing_a``, a
court administrator ``admin_a`` and a second judge ``judge2_a`` who is on no case. Cases A, A2
and B are entered in the hearing server and reach the register through ``case.created``.

Each app test runs on SQLite and, with ``TINGSHEN_TEST_DATABASE_URL``, on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from dossier.context import DossierContext
from dossier.models import DossierCase
from hearing_server.context import ServerContext
from hearing_server.events import publish_case_created
from hearing_server.models import Case, StaffRole, StaffUser
from tests.server.conftest import (  # noqa: F401  (fixtures used by the dossier's tests)
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
    invite,
    join_as,
    login,
    make_client,
    seed_world,
    settings,
    streams,
)

EXTRA_STAFF = (
    ("filing_a", "刘芳", StaffRole.FILING_CLERK),
    ("admin_a", "赵敏", StaffRole.COURT_ADMIN),
    ("judge2_a", "孙强", StaffRole.JUDGE),
)


@dataclass(frozen=True)
class DossierWorld:
    hearing: World
    """The hearing server's ids (cases, hearings, participants)."""
    case_a: int
    case_a2: int
    case_b: int
    """The dossier's ids of cases A, A2 and B."""


def poll(app: FastAPI) -> int:
    """Let every side service handle the events waiting for it (what its consumers do in the
    background of a running server); how many were handled."""
    return sum(service.poll_events() for service in app.state.side_services)


def dossier_context(app: FastAPI) -> DossierContext:
    ctx: DossierContext = app.state.dossier
    return ctx


@pytest.fixture
def dossier_world(app: FastAPI, ctx: ServerContext) -> DossierWorld:
    world = seed_world(ctx)
    with ctx.session_factory() as s:
        court_a = s.get(Case, world.case_a)
        assert court_a is not None
        for username, name, role in EXTRA_STAFF:
            s.add(
                StaffUser(
                    court_id=court_a.court_id,
                    username=username,
                    display_name=name,
                    role=role,
                    password_hash=ctx.passwords.hash(PASSWORD),
                    active=True,
                )
            )
        numbers = {}
        for key in ("case_a", "case_a2", "case_b"):
            case = s.get(Case, getattr(world, key))
            assert case is not None
            publish_case_created(s, case, at=ctx.clock())
            numbers[key] = case.case_number
        s.commit()
    poll(app)
    with dossier_context(app).session_factory() as s:
        ids = {n: i for n, i in s.execute(select(DossierCase.case_number, DossierCase.id))}
    return DossierWorld(world, **{key: ids[number] for key, number in numbers.items()})


@pytest.fixture
def staff_client(make_client: Callable[[], TestClient]) -> Callable[[str], TestClient]:
    """A browser logged in as ``username`` (password :data:`PASSWORD`)."""

    def make(username: str) -> TestClient:
        browser = make_client()
        login(browser, username)
        return browser

    return make


@pytest.fixture(autouse=True)
def _background_rounds_out_of_the_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """The service's consumers and material worker poll once at start-up, then not again within
    a test: a test runs them itself (``poll``, ``run_jobs``) and counts what they did, which a
    background round taking the same job first would make a race."""
    monkeypatch.setenv("TINGSHEN_DOSSIER_CONSUMER_POLL_S", "60")
