"""The Alembic environment every service's migrations share (their ``env.py`` is one call).

    # <service>/migrations/env.py
    from <service>.tables import Base
    from tingshen_platform.migration_env import run_service_migrations

    run_service_migrations(Base.metadata, "upgrade_<service>")

A service migrates only in code, through :func:`tingshen_platform.db.migrate`, which hands the
environment its connection (``config.attributes["connection"]``) and the service's own version
table (``alembic_version_<service>``) beside the others in the same database. Batch mode is on,
so that SQLite can alter tables; column types are compared. Offline (SQL script) migrations are
not supported: a court's database is migrated by the service that owns it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, MetaData

__all__ = ["run_service_migrations"]


def run_service_migrations(metadata: MetaData, upgrade_function: str) -> None:
    """Run the migrations Alembic is executing against the connection ``migrate`` passed in;
    ``upgrade_function`` names the service's entry point in the error for any other use."""
    if context.is_offline_mode():
        raise RuntimeError("offline migrations are not supported")
    config = context.config
    connection = config.attributes.get("connection")
    version_table = config.get_main_option("version_table")
    if not isinstance(connection, Connection) or not version_table:
        raise RuntimeError(f"this service migrates only through {upgrade_function}(engine)")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        version_table=version_table,
    )
    with context.begin_transaction():
        context.run_migrations()
