"""Every service's Alembic environment (``tingshen_platform.migration_env``) migrates only
through its service's ``upgrade_*`` function: a connection and a version table handed in."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from portal.db import MIGRATIONS_DIR as PORTAL_MIGRATIONS
from portal.db import upgrade_portal
from tingshen_platform.db import make_engine


def test_alembic_run_without_the_services_connection_is_refused_by_name(tmp_path: Path) -> None:
    config = Config()
    config.set_main_option("script_location", str(PORTAL_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(RuntimeError, match=r"only through upgrade_portal\(engine\)"):
        command.upgrade(config, "head")
    with pytest.raises(RuntimeError, match="offline migrations are not supported"):
        command.upgrade(config, "head", sql=True)


def test_a_service_keeps_its_revision_in_its_own_version_table(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'portal.db'}")
    try:
        upgrade_portal(engine)
        tables = set(inspect(engine).get_table_names())
        assert "alembic_version_portal" in tables and "alembic_version" not in tables
        upgrade_portal(engine, "base", downgrade=True)
        assert set(inspect(engine).get_table_names()) == {"alembic_version_portal"}
    finally:
        engine.dispose()
