"""Alembic environment of the platform's tables: the connection comes from the config that
:func:`tingshen_platform.db.upgrade_platform` builds; the version table is the platform's own."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from tingshen_platform.schema import metadata


def run_migrations() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("the platform migrates only through upgrade_platform(engine)")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        version_table=config.get_main_option("version_table") or "alembic_version_platform",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported")
run_migrations()
