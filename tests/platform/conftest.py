"""Fixtures of the platform tests: a migrated database, on SQLite (a file) and on PostgreSQL (a
fresh schema, when ``TINGSHEN_TEST_DATABASE_URL`` is set), a clock the test moves, and a table of
event handlers' effects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.server.conftest import PG_URL, postgres_schema
from tingshen_platform.db import make_engine, upgrade_platform

START = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'platform.db'}"
    else:
        with postgres_schema() as url:
            yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade_platform(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def effects(engine: Engine) -> Engine:
    """The migrated database with a table ``effects`` that event handlers write to."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE effects (event_id TEXT NOT NULL, consumer TEXT)"))
    return engine
