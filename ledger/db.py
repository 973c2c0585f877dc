"""The ledger's tables in whatever database the host's engine points at, with their own Alembic
version table (``alembic_version_ledger``)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from tingshen_platform.db import migrate

__all__ = ["VERSION_TABLE", "upgrade_ledger"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version_ledger"


def upgrade_ledger(engine: Engine, revision: str = "head", *, downgrade: bool = False) -> None:
    migrate(engine, MIGRATIONS_DIR, VERSION_TABLE, revision, downgrade=downgrade)
