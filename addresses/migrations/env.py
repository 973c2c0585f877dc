"""Alembic environment of the address service's tables: the connection comes from the config that
:func:`addresses.db.upgrade_addresses` builds; the version table is the service's own."""

from __future__ import annotations

from addresses.tables import Base
from tingshen_platform.migration_env import run_service_migrations

run_service_migrations(Base.metadata, "upgrade_addresses")
