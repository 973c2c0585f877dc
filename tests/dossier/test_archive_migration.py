"""The archive's migration (d0007) makes exactly the tables of dossier/archive/tables.py, and
goes down and up again."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from dossier.archive import tables as _tables  # noqa: F401  (their metadata)
from dossier.db import upgrade_dossier
from dossier.models import Base
from tingshen_platform.db import upgrade_platform

TABLES = {"dossier_archive_volumes", "dossier_archive_fixity", "dossier_archive_borrowings"}


def test_migration_matches_the_tables_and_reverses(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade_platform(engine)
    upgrade_dossier(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    ours = [d for d in diff if any(name in repr(d) for name in TABLES)]
    assert ours == []
    upgrade_dossier(engine, "d0002", downgrade=True)
    assert not TABLES & set(inspect(engine).get_table_names())
    upgrade_dossier(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()
