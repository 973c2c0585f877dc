"""Alembic environment of the fee service's tables: the connection comes from the config that
:func:`fees.db.upgrade_fees` builds; the version table is the service's own."""

from __future__ import annotations

from fees.tables import Base
from tingshen_platform.migration_env import run_service_migrations

run_service_migrations(Base.metadata, "upgrade_fees")
