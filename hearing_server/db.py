"""Engine, sessions and migrations.

Engines come from the platform (``tingshen_platform.db.make_engine``: SQLite with WAL,
``synchronous=FULL``, foreign keys and a busy timeout; PostgreSQL as given). ``upgrade`` runs the
Alembic migrations programmatically through the platform's ``migrate`` (version table
``alembic_version``); the migration environment takes its connection from the Alembic config, so
nothing reads settings at import time.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hearing_server.settings import Settings
from tingshen_platform.db import make_engine, migrate, upgrade_platform

__all__ = [
    "engine_from_settings",
    "make_engine",
    "make_session_factory",
    "upgrade",
    "upgrade_engine",
]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default: the hearing server's tables came first


def engine_from_settings(settings: Settings) -> Engine:
    return make_engine(settings.effective_database_url())


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def upgrade_engine(engine: Engine, revision: str = "head", *, downgrade: bool = False) -> None:
    """Migrate to ``revision`` (``downgrade=True`` to go back, e.g. to "base" in tests)."""
    migrate(engine, MIGRATIONS_DIR, VERSION_TABLE, revision, downgrade=downgrade)


def upgrade(settings: Settings) -> Engine:
    """Bring the configured database to the newest schema (the hearing server's tables and the
    platform's, each with its own Alembic version table); returns its engine."""
    engine = engine_from_settings(settings)
    upgrade_engine(engine)
    upgrade_platform(engine)
    return engine
