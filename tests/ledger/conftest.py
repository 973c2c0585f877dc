"""Fixtures of the ledger tests: a migrated database (SQLite file; PostgreSQL in a fresh schema
when ``TINGSHEN_TEST_DATABASE_URL`` is set), the log's key, two courts with their entry keys,
and ``entry(court, n)`` making a court-signed entry."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ledger.db import upgrade_ledger
from ledger.entries import Entry, sign_entry
from ledger.log.note import NoteSigner
from ledger.store import register_court
from tests.server.conftest import (  # noqa: F401  (the server's app, for test_service.py)
    PG_URL,
    app,
    client,
    clock,
    code_sender,
    fast_passwords,
    make_client,
    postgres_schema,
    settings,
    streams,
)
from tingshen_platform.db import make_engine

ORIGIN = "ledger.court.example/investigation-orders"
T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
# Fixed seeds: the tests' keys are the same every run (never used outside the tests).
LOG_KEY = NoteSigner("intermediate-court-log", hashlib.sha256(b"log").digest())
COURTS = {
    "zhongyuan-intermediate": NoteSigner("zhongyuan-intermediate", hashlib.sha256(b"a").digest()),
    "dongcheng-district": NoteSigner("dongcheng-district", hashlib.sha256(b"b").digest()),
}
COURT_NAMES = {
    "zhongyuan-intermediate": "中原市中级人民法院",
    "dongcheng-district": "东城区人民法院",
}

MakeEntry = Callable[..., bytes]


@pytest.fixture(params=["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
    else:
        with postgres_schema() as url:
            yield url


def prepare(engine: Engine) -> None:
    upgrade_ledger(engine)
    with engine.begin() as connection:
        for name, key in COURTS.items():
            register_court(connection, key.verifier(), COURT_NAMES[name], T0)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    prepare(engine)
    try:
        yield engine
    finally:
        engine.dispose()


def make_entry(
    court: str = "zhongyuan-intermediate", n: int = 0, kind: str = "order.applied"
) -> bytes:
    entry = Entry(
        court=court,
        kind=kind,
        subject=f"(2026)调令{n:05d}号".replace("(", "").replace(")", ""),
        at=T0 + timedelta(minutes=n),
        sha256=hashlib.sha256(b"document %d" % n).hexdigest(),
    )
    return sign_entry(entry, COURTS[court])


@pytest.fixture
def entry() -> MakeEntry:
    return make_entry
