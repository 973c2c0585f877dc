"""The Alembic migrations build exactly the schema of the models (SQLite, and PostgreSQL if set)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from hearing_server.db import make_engine, upgrade, upgrade_engine
from hearing_server.models import Base
from hearing_server.settings import Settings
from tests.server.conftest import postgres_schema
from tingshen_platform.db import VERSION_TABLE


def _hearing_server_tables(name: str | None, type_: str, *_: object) -> bool:
    """The platform's tables and version table are the platform's (tests/platform)."""
    return type_ != "table" or not (
        name is not None and (name.startswith("platform_") or name == VERSION_TABLE)
    )


def _diff(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": _hearing_server_tables}
        )
        return list(compare_metadata(context, Base.metadata))


def test_sqlite_migration_matches_models(tmp_path):
    engine = upgrade(Settings(data_dir=tmp_path))
    try:
        assert _diff(engine) == []
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        # Running again is a no-op.
        upgrade_engine(engine)
        assert "audit_events" in inspect(engine).get_table_names()
        upgrade_engine(engine, "base", downgrade=True)
        left = [t for t in inspect(engine).get_table_names() if _hearing_server_tables(t, "table")]
        assert left == ["alembic_version"]
        upgrade_engine(engine)
        assert _diff(engine) == []
    finally:
        engine.dispose()


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    with postgres_schema() as url:
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


def test_postgresql_migration_matches_models(pg_engine):
    upgrade_engine(pg_engine)
    assert _diff(pg_engine) == []
    assert "hearings" in inspect(pg_engine).get_table_names()
