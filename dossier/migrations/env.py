"""Alembic environment of the dossier service's tables: the connection comes from the config that
:func:`dossier.db.upgrade_dossier` builds; the version table is the dossier's own."""

from __future__ import annotations

from dossier.archive import tables as _archive  # noqa: F401  (their tables in the metadata)
from dossier.filing import tables as _filing  # noqa: F401  (its tables in the metadata)
from dossier.materials import search_tables as _material_terms  # noqa: F401  (the search index)
from dossier.materials import tables as _materials  # noqa: F401  (their tables in the metadata)
from dossier.models import Base
from dossier.publish import tables as _publish  # noqa: F401  (their tables in the metadata)
from dossier.register import tables as _register  # noqa: F401  (their tables in the metadata)
from tingshen_platform.migration_env import run_service_migrations

run_service_migrations(Base.metadata, "upgrade_dossier")
