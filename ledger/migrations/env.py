"""Alembic environment of the ledger's tables: the connection comes from the config that
:func:`ledger.db.upgrade_ledger` builds; the version table is the service's own."""

from __future__ import annotations

from ledger.tables import metadata as ledger_metadata
from tingshen_platform.migration_env import run_service_migrations

run_service_migrations(ledger_metadata, "upgrade_ledger")
