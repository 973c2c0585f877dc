"""Engine, sessions and migrations.

Engines come from the platform (``tingshen_platform.db.make_engine``: SQLite with WAL,
``synchronous=FULL``, foreign keys and a busy timeout; PostgreSQL as given). ``upgrade`` runs the
Alembic migrations programmatically; the migration environment takes its connection from the
Alembic config, so nothing reads settings at import time.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hearing_server.settings import Settings
from tingshen_platform.db import at_head, make_engine, upgrade_platform

__all__ = [
    "alembic_config",
    "engine_from_settings",
    "make_engine",
    "make_session_factory",
    "upgrade",
    "upgrade_engine",
]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def engine_from_settings(settings: Settings) -> Engine:
    return make_engine(settings.effective_database_url())


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolates '%': escape it in URLs with encoded characters.
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade_engine(engine: Engine, revision: str = "head", *, downgrade: bool = False) -> None:
    """Migrate to ``revision`` (``downgrade=True`` to go back, e.g. to "base" in tests)."""
    if revision == "head" and not downgrade and at_head(engine, MIGRATIONS_DIR, "alembic_version"):
        return
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        if downgrade:
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)


def upgrade(settings: Settings) -> Engine:
    """Bring the configured database to the newest schema (the hearing server's tables and the
    platform's, each with its own Alembic version table); returns its engine."""
    engine = engine_from_settings(settings)
    upgrade_engine(engine)
    upgrade_platform(engine)
    return engine
