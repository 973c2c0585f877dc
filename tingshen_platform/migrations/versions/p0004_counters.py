"""Windowed attempt counters shared by every process (rate and attempt limits).

Revision ID: p0004
Revises: p0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "p0004"
down_revision = "p0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "platform_counters",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("window_start", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    op.create_index("ix_platform_counters_window_start", "platform_counters", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_platform_counters_window_start", table_name="platform_counters")
    op.drop_table("platform_counters")
