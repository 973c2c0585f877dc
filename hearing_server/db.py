"""Engine, sessions and migrations.

SQLite (the embedded default) runs with WAL, ``synchronous=FULL`` and foreign keys on, set on every
connection; any other URL (PostgreSQL) is used as given. ``upgrade`` runs the Alembic migrations
programmatically; the migration environment takes its connection from the Alembic config, so
nothing reads settings at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from hearing_server.settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


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
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        if downgrade:
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)


def upgrade(settings: Settings) -> Engine:
    """Bring the configured database to the newest schema; returns its engine."""
    engine = engine_from_settings(settings)
    upgrade_engine(engine)
    return engine
