"""Alembic environment of the dossier service's tables: the connection comes from the config that
:func:`dossier.db.upgrade_dossier` builds; the version table is the dossier's own."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from dossier.archive import tables as _archive  # noqa: F401  (their tables in the metadata)
from dossier.filing import tables as _filing  # noqa: F401  (its tables in the metadata)
from dossier.materials import search_tables as _material_terms  # noqa: F401  (the search index)
from dossier.materials import tables as _materials  # noqa: F401  (their tables in the metadata)
from dossier.models import Base
from dossier.publish import tables as _publish  # noqa: F401  (their tables in the metadata)
from dossier.register import tables as _register  # noqa: F401  (their tables in the metadata)

metadata = Base.metadata


def run_migrations() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("the dossier migrates only through upgrade_dossier(engine)")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        version_table=config.get_main_option("version_table") or "alembic_version_dossier",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported")
run_migrations()
