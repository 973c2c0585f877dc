"""The address service's migration (a0001) builds exactly its tables' models, in its own version table,
and goes down and up again (SQLite, and PostgreSQL with ``TINGSHEN_TEST_DATABASE_URL``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from addresses.db import VERSION_TABLE, upgrade_addresses
from addresses.tables import Base
from tests.server.conftest import PG_URL, postgres_schema
from tingshen_platform.db import make_engine

TABLES = set(Base.metadata.tables)


@pytest.fixture(params=["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'addresses.db'}")
        yield engine
        engine.dispose()
        return
    with postgres_schema() as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _diff(engine: Engine) -> list[object]:
    def ours(obj: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table in TABLES

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": ours}
        )
        return list(compare_metadata(context, Base.metadata))


def test_the_addresses_migration_matches_its_models_and_goes_down_and_up(engine: Engine) -> None:
    upgrade_addresses(engine)
    names = set(inspect(engine).get_table_names())
    assert names >= TABLES | {VERSION_TABLE}
    assert _diff(engine) == []
    upgrade_addresses(engine, "base", downgrade=True)
    assert not TABLES & set(inspect(engine).get_table_names())
    upgrade_addresses(engine)
    assert _diff(engine) == []
