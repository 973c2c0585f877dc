"""Hearing-server fixtures: an app on a temporary data dir, a movable clock, a seeded world.

The world: court A (judge ``judge_a``, clerk ``clerk_a``) with case A and its hearing (plaintiff
and defendant), and case A2 with its own hearing and plaintiff; court B with clerk ``clerk_b``.
Every staff password is ``PASSWORD``. Each app test runs on SQLite and, when
``TINGSHEN_TEST_DATABASE_URL`` is set, on PostgreSQL in a fresh schema.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from hearing_server.app import create_app
from hearing_server.context import ServerContext
from hearing_server.db import make_engine
from hearing_server.models import (
    Case,
    Court,
    CourtRole,
    Hearing,
    HearingStatus,
    Participant,
    StaffRole,
    StaffUser,
)
from hearing_server.notify import RecordingCodeSender
from hearing_server.security import PasswordHashing
from hearing_server.settings import Settings
from tests.server.db_templates import DatabaseTemplates
from tests.server.live_fakes import FakeStreams

PG_URL = os.environ.get("TINGSHEN_TEST_DATABASE_URL")
PASSWORD = "correct horse battery staple"
START = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass(frozen=True)
class World:
    case_a: int
    hearing_a: int
    plaintiff_a: int
    defendant_a: int
    case_a2: int
    hearing_a2: int
    plaintiff_a2: int
    case_b: int


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def code_sender() -> RecordingCodeSender:
    return RecordingCodeSender()


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh schema in the test PostgreSQL; yields a URL whose search_path is that schema."""
    if not PG_URL:
        pytest.skip("TINGSHEN_TEST_DATABASE_URL is not set")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@contextmanager
def migrated_settings(
    param: str, templates: DatabaseTemplates, data_dir: Path, **options: Any
) -> Iterator[Settings]:
    """Settings on a migrated database of their own: the embedded SQLite file in ``data_dir``
    (``param`` "sqlite") or a fresh PostgreSQL database ("postgresql")."""
    settings = Settings(data_dir=data_dir, **options)
    if param == "sqlite":
        templates.copy_sqlite(settings)
        yield settings
        return
    with templates.postgres_database(settings.side_services) as url:
        yield settings.model_copy(update={"database_url": url})


# PostgreSQL only when configured (test_migrations reports the skip once, not every app test).
@pytest.fixture(params=["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def settings(
    request: pytest.FixtureRequest, tmp_path: Path, database_templates: DatabaseTemplates
) -> Iterator[Settings]:
    """The app's settings, on the embedded SQLite and (when configured) on PostgreSQL."""
    with migrated_settings(
        request.param,
        database_templates,
        tmp_path / "data",
        login_rate_limit=5,
        session_ttl_minutes=60,
    ) as settings:
        yield settings


@pytest.fixture
def fast_passwords() -> PasswordHashing:
    return PasswordHashing(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def app(settings, clock, code_sender, fast_passwords, streams) -> Iterator[FastAPI]:
    app = create_app(
        settings,
        clock=clock,
        code_sender=code_sender,
        passwords=fast_passwords,
        stream_factory=streams,
    )
    yield app
    app.state.services.context.engine.dispose()


@pytest.fixture
def streams() -> FakeStreams:
    """Scripted ASR streams: no server test loads the Whisper model."""
    return FakeStreams()


@pytest.fixture
def ctx(app: FastAPI) -> ServerContext:
    context = app.state.services.context
    assert isinstance(context, ServerContext)
    return context


@pytest.fixture
def make_client(app: FastAPI) -> Iterator[Callable[[], TestClient]]:
    """Clients of one running server, each with its own cookies (a browser each). The first
    starts the app (its lifespan: startup now, shutdown at the end of the test); the others
    share its event loop, as the browsers of one server process do. One lifespan per app: two
    would stop the app's background work and dispose its engine twice, the first time under the
    other's worker threads."""
    clients: list[TestClient] = []

    def factory() -> TestClient:
        client = TestClient(app)
        if clients:
            client.portal = clients[0].portal  # requests run on the running app's event loop
        else:
            client.__enter__()
        clients.append(client)
        return client

    yield factory
    if clients:
        clients[0].__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[[], TestClient]) -> TestClient:
    return make_client()


def _hearing(case_id: int) -> Hearing:
    return Hearing(
        case_id=case_id,
        scheduled_at=START + timedelta(days=2),
        duration_minutes=60,
        place="第三法庭",
        status=HearingStatus.SCHEDULED,
        version=1,
    )


@pytest.fixture
def world(ctx: ServerContext) -> World:
    return seed_world(ctx)


def seed_world(ctx: ServerContext) -> World:
    """The world of the module docstring, in ``ctx``'s database (also for module-scoped apps)."""
    with ctx.session_factory() as s:
        court_a, court_b = Court(name="广州市越秀区人民法院"), Court(name="广州市天河区人民法院")
        s.add_all([court_a, court_b])
        s.flush()
        pw = ctx.passwords.hash(PASSWORD)
        for username, court, role in (
            ("judge_a", court_a, StaffRole.JUDGE),
            ("clerk_a", court_a, StaffRole.CLERK),
            ("recorder_a", court_a, StaffRole.RECORDER),
            ("clerk_b", court_b, StaffRole.CLERK),
        ):
            s.add(
                StaffUser(
                    court_id=court.id,
                    username=username,
                    display_name=username,
                    role=role,
                    password_hash=pw,
                    active=True,
                )
            )
        cases = [
            Case(
                court_id=court.id,
                case_number=number,
                cause_of_action="民间借贷纠纷",
                created_at=START,
            )
            for court, number in (
                (court_a, "(2026)粤0104民初123号"),
                (court_a, "(2026)粤0104民初124号"),
                (court_b, "(2026)粤0106民初9号"),
            )
        ]
        s.add_all(cases)
        s.flush()
        hearing_a, hearing_a2 = _hearing(cases[0].id), _hearing(cases[1].id)
        s.add_all([hearing_a, hearing_a2])
        s.flush()
        parties = [
            Participant(hearing_id=h.id, display_name=n, court_role=r, phone=p)
            for h, n, r, p in (
                (hearing_a, "张伟", CourtRole.PLAINTIFF, "13800000001"),
                (hearing_a, "李娜", CourtRole.DEFENDANT, "13800000002"),
                (hearing_a2, "王芳", CourtRole.PLAINTIFF, "13800000003"),
            )
        ]
        s.add_all(parties)
        s.commit()
        return World(
            case_a=cases[0].id,
            hearing_a=hearing_a.id,
            plaintiff_a=parties[0].id,
            defendant_a=parties[1].id,
            case_a2=cases[1].id,
            hearing_a2=hearing_a2.id,
            plaintiff_a2=parties[2].id,
            case_b=cases[2].id,
        )


def login(client: TestClient, username: str, password: str = PASSWORD) -> None:
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text


def invite(client: TestClient, participant_id: int) -> str:
    """Invitation token for a participant; ``client`` must be logged in as judge or clerk."""
    response = client.post(f"/api/participants/{participant_id}/invitation")
    assert response.status_code == 201, response.text
    url: str = response.json()["url"]
    return url.rsplit("/join/", 1)[1]


def join_as(
    client: TestClient, token: str, sender: RecordingCodeSender, participant_id: int
) -> None:
    assert client.post(f"/api/join/{token}/code").status_code == 202
    code = sender.last_code_for(participant_id)
    response = client.post(f"/api/join/{token}/verify", json={"code": code})
    assert response.status_code == 200, response.text
