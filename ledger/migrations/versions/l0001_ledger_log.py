"""The ledger's log: courts and their entry keys, leaves, checkpoints, cosignatures; triggers
that refuse to update or delete a leaf or a checkpoint (SQLite and PostgreSQL).

Revision ID: l0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "l0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
APPEND_ONLY = ("ledger_leaves", "ledger_checkpoints")


def upgrade() -> None:
    op.create_table(
        "ledger_courts",
        sa.Column("key_name", sa.String(length=100), primary_key=True),
        sa.Column("court_name", sa.String(length=200), nullable=False),
        sa.Column("vkey", sa.String(length=200), nullable=False, unique=True),
        sa.Column("added_at", TS, nullable=False),
    )
    op.create_table(
        "ledger_leaves",
        sa.Column("idx", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column(
            "court_key",
            sa.String(length=100),
            sa.ForeignKey("ledger_courts.key_name"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("appended_at", TS, nullable=False),
    )
    op.create_index("ix_ledger_leaves_subject", "ledger_leaves", ["subject"])
    op.create_table(
        "ledger_checkpoints",
        sa.Column("size", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "ledger_cosignatures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "size", sa.BigInteger(), sa.ForeignKey("ledger_checkpoints.size"), nullable=False
        ),
        sa.Column("witness", sa.String(length=100), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.UniqueConstraint("size", "witness", name="uq_ledger_cosignatures_size_witness"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'ledger: % is append-only', TG_TABLE_NAME; END $$"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
            )
    else:
        for table in APPEND_ONLY:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'ledger: {table} is append-only'); END"
                )


def downgrade() -> None:
    op.drop_table("ledger_cosignatures")
    op.drop_table("ledger_checkpoints")
    op.drop_index("ix_ledger_leaves_subject", table_name="ledger_leaves")
    op.drop_table("ledger_leaves")
    op.drop_table("ledger_courts")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION ledger_append_only()")
