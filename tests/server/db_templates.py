"""Migrated databases for the app tests: migrated once per test session, copied for each test.

Every app test used to migrate an empty database (the hearing server's, the platform's and each
side service's Alembic history): about a second per test, most of the suite's time. Now the
first test of a kind migrates a template with the same code the server runs at start
(:func:`hearing_server.db.upgrade` and each side service's ``upgrade_<name>``), and every test
gets a copy: the SQLite file copied into its data directory, or on PostgreSQL a database made
with ``CREATE DATABASE … TEMPLATE``. The app then starts on a database already at head, as a
restarted server does. The migrations themselves keep their own tests (``test_migrations`` and
each service's migration tests), which start from empty databases.
"""

from __future__ import annotations

import importlib
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from hearing_server.db import make_engine, upgrade
from hearing_server.settings import Settings

__all__ = ["DatabaseTemplates"]

DATABASE_FILE = "tingshen.sqlite3"


def _migrate(settings: Settings) -> None:
    """What a starting server migrates: its own and the platform's tables, then each side
    service's (``<name>.db.upgrade_<name>``)."""
    engine = upgrade(settings)
    try:
        for name in settings.side_services:
            module = importlib.import_module(f"{name}.db")
            getattr(module, f"upgrade_{name}")(engine)
    finally:
        engine.dispose()


class DatabaseTemplates:
    """Templates kept under ``root`` (SQLite) and in the test PostgreSQL at ``pg_url``, one per
    set of side services; :meth:`drop` removes the PostgreSQL ones at the session's end."""

    def __init__(self, root: Path, pg_url: str | None) -> None:
        self.root = root
        self.pg_url = pg_url
        self._files: dict[tuple[str, ...], Path] = {}
        self._databases: dict[tuple[str, ...], str] = {}

    # -- SQLite --------------------------------------------------------------------------------

    def copy_sqlite(self, settings: Settings) -> None:
        """Put a migrated copy of the embedded database into ``settings.data_dir``."""
        template = self._sqlite_template(tuple(settings.side_services))
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = settings.data_dir / DATABASE_FILE
        shutil.copyfile(template, target)
        target.chmod(0o600)

    def _sqlite_template(self, services: tuple[str, ...]) -> Path:
        if services not in self._files:
            work = self.root / f"sqlite-{len(self._files)}"
            _migrate(Settings(data_dir=work, side_services=list(services)))
            # One self-contained file (the WAL folded in), whatever the engine left behind.
            template = self.root / f"template-{len(self._files)}.sqlite3"
            with (
                closing(sqlite3.connect(work / DATABASE_FILE)) as source,
                closing(sqlite3.connect(template)) as copy,
            ):
                source.backup(copy)
            self._files[services] = template
        return self._files[services]

    # -- PostgreSQL ----------------------------------------------------------------------------

    @contextmanager
    def postgres_database(self, side_services: list[str]) -> Iterator[str]:
        """A fresh database copied from the migrated template; yields its URL, drops it after."""
        assert self.pg_url is not None, "TINGSHEN_TEST_DATABASE_URL is not set"
        template = self._postgres_template(tuple(side_services))
        name = f"tingshen_test_{uuid.uuid4().hex[:12]}"
        admin = self._admin()
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            yield self._url(name)
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()

    def _postgres_template(self, services: tuple[str, ...]) -> str:
        if services not in self._databases:
            name = f"tingshen_template_{uuid.uuid4().hex[:12]}"
            admin = self._admin()
            try:
                with admin.connect() as connection:
                    connection.execute(text(f'CREATE DATABASE "{name}"'))
            finally:
                admin.dispose()
            self._databases[services] = name  # dropped at the end even if migrating fails
            work = self.root / f"postgres-{len(self._databases)}"
            _migrate(
                Settings(data_dir=work, database_url=self._url(name), side_services=list(services))
            )
        return self._databases[services]

    def drop(self) -> None:
        if not self._databases:
            return
        admin = self._admin()
        try:
            with admin.connect() as connection:
                for name in self._databases.values():
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()
        self._databases.clear()

    def _admin(self) -> Engine:
        """A connection outside any transaction (CREATE and DROP DATABASE refuse one)."""
        assert self.pg_url is not None
        return make_engine(self.pg_url, isolation_level="AUTOCOMMIT")

    def _url(self, database: str) -> str:
        assert self.pg_url is not None
        url = make_url(self.pg_url).set(database=database)
        return url.render_as_string(hide_password=False)
