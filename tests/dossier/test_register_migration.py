"""Migration d0004 matches the register's tables, and goes down and up again, on SQLite and (when
configured) PostgreSQL, where it also makes the search indexes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

import dossier.service  # noqa: F401  (every table of the dossier in the metadata)
from dossier.db import VERSION_TABLE, upgrade_dossier
from dossier.models import Base
from tests.server.conftest import postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = create_engine(f"sqlite:///{tmp_path / 'd.db'}")
        yield made
        made.dispose()
        return
    with postgres_schema() as url:
        made = create_engine(url)
        yield made
        made.dispose()


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        found = compare_metadata(context, Base.metadata)
    return [d for d in found if not (d[0] == "remove_table" and d[1].name == VERSION_TABLE)]


def test_d0004_matches_the_models_and_goes_down_and_up(engine: Engine) -> None:
    upgrade_dossier(engine)
    extra = [d for d in _differences(engine) if not ((d[0] == "remove_index" and "trgm" in getattr(d[1], "name", ""))  # type: ignore[index]
             or (d[0] == "remove_index" and "bigrams" in getattr(d[1], "name", "")))]  # type: ignore[index]  # fmt: skip
    assert extra == []
    if engine.dialect.name == "postgresql":
        indexes = {i["name"] for i in inspect(engine).get_indexes("dossier_parties")}
        assert "ix_dossier_parties_name_bigrams" in indexes
        with engine.connect() as connection:
            pieces = connection.scalar(text("SELECT dossier_bigrams('张小明')"))
        assert sorted(pieces) == ["小明", "张小"]
    upgrade_dossier(engine, "d0002", downgrade=True)
    assert "dossier_hearings" not in inspect(engine).get_table_names()
    upgrade_dossier(engine)
    assert "dossier_time_limit_events" in inspect(engine).get_table_names()
