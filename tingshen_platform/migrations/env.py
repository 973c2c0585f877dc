"""Alembic environment of the platform's tables: the connection comes from the config that
:func:`tingshen_platform.db.upgrade_platform` builds; the version table is the platform's own."""

from __future__ import annotations

from tingshen_platform.migration_env import run_service_migrations
from tingshen_platform.schema import metadata

run_service_migrations(metadata, "upgrade_platform")
