"""The ledger's tables (own metadata, own Alembic version table ``alembic_version_ledger``).

- ``ledger_courts``: the courts that write into the log and their entry keys (Ed25519, C2SP
  verifier-key form); a key is added, never changed.
- ``ledger_leaves``: the log itself, one row per leaf, ``idx`` from 0 without gaps; the leaf is a
  court-signed entry (:mod:`ledger.entries`). Never updated or deleted: database triggers refuse
  it (migration ``l0001``), and :mod:`ledger.audit` names what changed if someone with the
  database's owner rights went round them.
- ``ledger_checkpoints``: the log's signed checkpoints (C2SP tlog-checkpoint notes), one per tree
  size; append-only like the leaves.
- ``ledger_cosignatures``: witnesses' cosignature lines of a checkpoint, as received.
- ``ledger_checkpoint_timestamps``: the RFC 3161 token of a checkpoint (append-only).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from tingshen_platform.sqltypes import UTCDateTime

__all__ = [
    "checkpoint_timestamps",
    "checkpoints",
    "cosignatures",
    "courts",
    "leaves",
    "metadata",
]

metadata = MetaData()

courts = Table(
    "ledger_courts",
    metadata,
    Column("key_name", String(100), primary_key=True),
    Column("court_name", String(200), nullable=False),
    Column("vkey", String(200), nullable=False, unique=True),
    Column("added_at", UTCDateTime(), nullable=False),
)

leaves = Table(
    "ledger_leaves",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("court_key", String(100), ForeignKey("ledger_courts.key_name"), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("subject", String(100), nullable=False, index=True),
    Column("data", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Column("appended_at", UTCDateTime(), nullable=False),
)

checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

cosignatures = Table(
    "ledger_cosignatures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("size", BigInteger, ForeignKey("ledger_checkpoints.size"), nullable=False),
    Column("witness", String(100), nullable=False),
    Column("line", Text, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    UniqueConstraint("size", "witness", name="uq_ledger_cosignatures_size_witness"),
)

checkpoint_timestamps = Table(
    "ledger_checkpoint_timestamps",
    metadata,
    Column("size", BigInteger, ForeignKey("ledger_checkpoints.size"), primary_key=True),
    Column("token", LargeBinary, nullable=False),
    Column("stamped_at", UTCDateTime(), nullable=False),
)
