"""The platform's tables (SQLAlchemy Core, its own ``MetaData``; migrations in ``migrations/``).

``platform_jobs``: one row per unit of durable work (see :mod:`tingshen_platform.jobs.queue`).
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

__all__ = ["jobs", "metadata"]

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
