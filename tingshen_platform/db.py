"""Database engines for every service, and the platform's own schema.

SQLite (the embedded default) runs with WAL, ``synchronous=FULL``, foreign keys on and a busy
timeout, set on every connection; any other URL (PostgreSQL) is used as given, with pre-ping.
:func:`upgrade_platform` migrates the platform's tables (the job queue, …) with Alembic in code,
recording its revision in ``alembic_version_platform`` beside whatever the service keeps in its
own version table; nothing reads settings at import time.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

__all__ = ["VERSION_TABLE", "at_head", "make_engine", "migrate", "upgrade_platform"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version_platform"
# How long a SQLite writer waits for another process's write lock before "database is locked".
_SQLITE_BUSY_MS = 10_000


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
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_MS}")
    finally:
        cursor.close()


def upgrade_platform(engine: Engine, revision: str = "head", *, downgrade: bool = False) -> None:
    """Migrate the platform's tables to ``revision`` (``downgrade=True`` to go back)."""
    migrate(engine, MIGRATIONS_DIR, VERSION_TABLE, revision, downgrade=downgrade)


def migrate(
    engine: Engine,
    migrations_dir: Path,
    version_table: str,
    revision: str = "head",
    *,
    downgrade: bool = False,
) -> None:
    """Run one service's Alembic migrations (``migrations_dir``) in code, its revision kept in
    its own ``version_table``; the environment gets the connection as ``attributes``."""
    if revision == "head" and not downgrade and at_head(engine, migrations_dir, version_table):
        return
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("version_table", version_table)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        if downgrade:
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)


@cache
def _heads(migrations_dir: Path) -> frozenset[str]:
    """The newest revisions of a migrations folder (read once per process: Alembic executes every
    migration file to learn them, which costs more than a start-up's whole check)."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def at_head(engine: Engine, migrations_dir: Path, version_table: str) -> bool:
    """Whether the database already carries the newest revision of ``migrations_dir`` in
    ``version_table``: a process starting on a migrated database (the second of a cluster, a
    restart) then skips Alembic."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": version_table})
        current = frozenset(context.get_current_heads())
    return current == _heads(migrations_dir)
