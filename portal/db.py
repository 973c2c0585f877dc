"""The portal's tables in the host's database, with their own Alembic version table
(``alembic_version_portal``)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tingshen_platform.db import migrate

__all__ = ["VERSION_TABLE", "session_factory", "upgrade_portal"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version_portal"


def upgrade_portal(engine: Engine, revision: str = "head", *, downgrade: bool = False) -> None:
    migrate(engine, MIGRATIONS_DIR, VERSION_TABLE, revision, downgrade=downgrade)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
