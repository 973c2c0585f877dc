"""Payment confirmation codes, the day's reconciliations, and when an order was last queried.

Revision ID: f0002
Revises: f0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f0002"
down_revision = "f0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fee_reconciliations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bill_date", sa.Date(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("bill_lines", sa.Integer(), nullable=False),
        sa.Column("bill_sha256", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fee_reconciliations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fee_reconciliations_bill_date"), ["bill_date"], unique=False
        )

    op.create_table(
        "fee_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["fee_accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fee_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_codes_account_id"), ["account_id"], unique=False)

    with op.batch_alter_table("fee_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queried_at", TS, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fee_orders", schema=None) as batch_op:
        batch_op.drop_column("queried_at")

    with op.batch_alter_table("fee_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_codes_account_id"))

    op.drop_table("fee_codes")
    with op.batch_alter_table("fee_reconciliations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_reconciliations_bill_date"))

    op.drop_table("fee_reconciliations")
