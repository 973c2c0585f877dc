"""The platform's migrations build exactly the tables of ``tingshen_platform.schema``, and go
back step by step (p0003: leases, p0004: counters, p0005: event failures)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from tingshen_platform.db import MIGRATIONS_DIR, VERSION_TABLE, at_head, upgrade_platform
from tingshen_platform.schema import metadata


def test_the_migrations_match_the_schema(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        diff = compare_metadata(context, metadata)
    assert [d for d in diff if not _is_version_table(d)] == []


def _is_version_table(change: object) -> bool:
    return isinstance(change, tuple) and VERSION_TABLE in repr(change)


def test_leases_and_counters_go_back_to_p0002(engine: Engine) -> None:
    assert {"platform_leases", "platform_counters"} <= set(inspect(engine).get_table_names())
    upgrade_platform(engine, "p0002", downgrade=True)
    tables = set(inspect(engine).get_table_names())
    assert "platform_leases" not in tables and "platform_counters" not in tables
    assert "platform_events" in tables
    upgrade_platform(engine)
    assert {"platform_leases", "platform_counters"} <= set(inspect(engine).get_table_names())


def test_event_failures_go_back_to_p0004(engine: Engine) -> None:
    assert "platform_event_failures" in inspect(engine).get_table_names()
    upgrade_platform(engine, "p0004", downgrade=True)
    tables = set(inspect(engine).get_table_names())
    assert "platform_event_failures" not in tables and "platform_counters" in tables
    upgrade_platform(engine)
    assert "platform_event_failures" in inspect(engine).get_table_names()


def test_at_head_tells_a_migrated_database_from_one_revision_behind(engine: Engine) -> None:
    assert at_head(engine, MIGRATIONS_DIR, VERSION_TABLE)
    upgrade_platform(engine, "p0004", downgrade=True)
    assert not at_head(engine, MIGRATIONS_DIR, VERSION_TABLE)
    upgrade_platform(engine)  # one revision behind: Alembic runs
    assert at_head(engine, MIGRATIONS_DIR, VERSION_TABLE)
    assert "platform_event_failures" in inspect(engine).get_table_names()
