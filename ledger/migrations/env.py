"""Alembic environment of the ledger's tables: the connection comes from the config that
:func:`ledger.db.upgrade_ledger` builds; the version table is the service's own."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from ledger.tables import metadata as ledger_metadata

metadata = ledger_metadata


def run_migrations() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("the ledger migrates only through upgrade_ledger(engine)")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        version_table=config.get_main_option("version_table") or "alembic_version_ledger",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported")
run_migrations()
