"""Migration d0006 makes exactly the tables of ``dossier/publish/tables.py`` (SQLite and, when
configured, PostgreSQL), and goes down and up again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect

from dossier.db import upgrade_dossier
from dossier.models import Base
from dossier.publish import tables as _tables  # noqa: F401  (their metadata)
from hearing_server.db import make_engine
from tests.server.conftest import PG_URL, postgres_schema

MINE = {"dossier_publications", "dossier_review_comments"}


def _mine(obj: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
    if type_ == "table":
        return name in MINE
    table = getattr(obj, "table", None)
    return table is None or table.name in MINE


def _diff(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _mine}
        )
        return list(compare_metadata(context, Base.metadata))


@pytest.fixture(params=["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = create_engine(f"sqlite:///{tmp_path / 'dossier.db'}")
        yield made
        made.dispose()
        return
    with postgres_schema() as url:
        made = make_engine(url)
        yield made
        made.dispose()


def test_d0006_matches_the_tables_and_goes_down_and_up(engine: Engine) -> None:
    upgrade_dossier(engine)
    assert set(inspect(engine).get_table_names()) >= MINE
    assert _diff(engine) == []
    upgrade_dossier(engine, "d0002", downgrade=True)
    assert not MINE & set(inspect(engine).get_table_names())
    upgrade_dossier(engine)
    assert _diff(engine) == []
