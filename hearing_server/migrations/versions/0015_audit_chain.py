"""Audit trail hash chain: audit_events.seq, prev_hash, row_hash and the audit_chain_head row.

Existing rows are chained in id order (the order they were written in; on SQLite one writer at a
time, on PostgreSQL close enough for rows written before there was a chain), with the hash
:mod:`hearing_server.audit_chain` defines, and the head is set to the last of them.

Revision ID: 0014_audit_chain
Revises: 0009_broadcast
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hearing_server.audit_chain import GENESIS, ChainFields, canonical_details, row_hash
from hearing_server.models import UTCDateTime

revision: str = "0014_audit_chain"
down_revision: str | Sequence[str] | None = "0014_revision_changes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()),
    sa.column("at", UTCDateTime()),
    sa.column("actor_kind", sa.String()),
    sa.column("actor_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("entity_type", sa.String()),
    sa.column("entity_id", sa.Integer()),
    sa.column("case_id", sa.Integer()),
    sa.column("details", sa.JSON()),
    sa.column("seq", sa.BigInteger()),
    sa.column("prev_hash", sa.String()),
    sa.column("row_hash", sa.String()),
)


def upgrade() -> None:
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    previous, seq = GENESIS, 0
    rows = connection.execute(sa.select(_events).order_by(_events.c.id)).mappings().all()
    for row in rows:
        seq += 1
        fields = ChainFields(
            seq=seq,
            at=row["at"],
            actor_kind=row["actor_kind"],
            actor_id=row["actor_id"],
            action=row["action"],
            entity_type=row["entity_type"],
            entity_id=row["entity_id"],
            case_id=row["case_id"],
            details=canonical_details(row["details"] or {}),
        )
        digest = row_hash(fields, previous)
        connection.execute(
            _events.update()
            .where(_events.c.id == row["id"])
            .values(seq=seq, prev_hash=previous, row_hash=digest)
        )
        previous = digest
    op.bulk_insert(head, [{"id": 1, "seq": seq, "last_hash": previous}])
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("row_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint("uq_audit_events_seq", ["seq"])


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_audit_events_seq", type_="unique")
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
    op.drop_table("audit_chain_head")
