"""Alembic environment of the delivery service's tables: the connection comes from the config that
:func:`delivery.db.upgrade_delivery` builds; the version table is the service's own."""

from __future__ import annotations

from delivery.tables import Base
from tingshen_platform.migration_env import run_service_migrations

run_service_migrations(Base.metadata, "upgrade_delivery")
