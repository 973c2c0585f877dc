"""Alembic environment of the portal's tables: the connection comes from the config that
:func:`portal.db.upgrade_portal` builds; the version table is the service's own."""

from __future__ import annotations

from portal.tables import Base
from tingshen_platform.migration_env import run_service_migrations

run_service_migrations(Base.metadata, "upgrade_portal")
