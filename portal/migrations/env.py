"""Alembic environment of the portal's tables: the connection comes from the config that
:func:`portal.db.upgrade_portal` builds; the version table is the service's own."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from portal.tables import Base

metadata = Base.metadata


def run_migrations() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("the portal migrates only through upgrade_portal(engine)")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        version_table=config.get_main_option("version_table") or "alembic_version_portal",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported")
run_migrations()
