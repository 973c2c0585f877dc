"""The platform's tables (SQLAlchemy Core, its own ``MetaData``; migrations in ``migrations/``).

``platform_jobs``: one row per unit of durable work (see :mod:`tingshen_platform.jobs.queue`).
``platform_events``: the transactional outbox of events; ``platform_event_consumers`` (each
consumer's horizon) and ``platform_processed_events`` (what each consumer has handled) make
delivery at least once and handling once (see :mod:`tingshen_platform.events`);
``platform_event_failures`` counts each consumer's failed attempts at an event, with its back-off
and, once the consumer gave up, ``dead_at`` (:mod:`tingshen_platform.events.failures`).
``platform_leases``: named cluster-wide leases with fencing tokens
(:mod:`tingshen_platform.leases`); ``platform_counters``: windowed attempt counters shared by every
process (:mod:`tingshen_platform.counters`).
Times are timezone-aware UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "counters",
    "event_consumers",
    "event_failures",
    "events",
    "jobs",
    "leases",
    "metadata",
    "processed_events",
]

metadata = MetaData()

jobs = Table(
    "platform_jobs",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("queue", String(64), nullable=False),
    Column("idempotency_key", String(200), nullable=True),
    Column("payload", JSON, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("max_attempts", Integer, nullable=False),
    Column("run_after", DateTime(timezone=True), nullable=False),
    Column("lease_owner", String(200), nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("queue", "idempotency_key", name="uq_platform_jobs_queue_key"),
    Index("ix_platform_jobs_due", "state", "run_after"),
)

events = Table(
    "platform_events",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("type", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("stream", String(100), nullable=True),
    Column("payload", JSON, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
)

event_consumers = Table(
    "platform_event_consumers",
    metadata,
    Column("consumer", String(100), primary_key=True),
    Column("horizon", BigInteger, nullable=False),
)

processed_events = Table(
    "platform_processed_events",
    metadata,
    Column("consumer", String(100), primary_key=True),
    Column("event_id", BigInteger, primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False),
)

event_failures = Table(
    "platform_event_failures",
    metadata,
    Column("consumer", String(100), primary_key=True),
    Column("event_id", BigInteger, primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("last_error_type", String(200), nullable=False),
    Column("last_error", Text, nullable=False),
    Column("first_failed_at", DateTime(timezone=True), nullable=False),
    Column("last_failed_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("dead_at", DateTime(timezone=True), nullable=True),
)

leases = Table(
    "platform_leases",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("token", BigInteger, nullable=False),
    Column("address", String(200), nullable=False),
    Column("acquired_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

counters = Table(
    "platform_counters",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("window_start", DateTime(timezone=True), primary_key=True),
    Column("count", Integer, nullable=False),
    Index("ix_platform_counters_window_start", "window_start"),
)
