"""How an order was paid: through the provider, by bank transfer or in cash at the counter.

Revision ID: f0003
Revises: f0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f0003"
down_revision = "f0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fee_orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=16), nullable=False, server_default="wechat")
        )


def downgrade() -> None:
    with op.batch_alter_table("fee_orders", schema=None) as batch_op:
        batch_op.drop_column("channel")
