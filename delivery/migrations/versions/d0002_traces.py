"""Service traces (留痕): a call recording and a note per attempt, with its offline transcript.

Revision ID: d0002
Revises: d0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d0002"
down_revision = "d0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "delivery_traces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("blob_key", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", TS, nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("transcript_state", sa.String(length=16), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(["attempt_id"], ["delivery_attempts.id"]),
        sa.ForeignKeyConstraint(["service_id"], ["delivery_services.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_delivery_traces_service_id"), "delivery_traces", ["service_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_delivery_traces_service_id"), table_name="delivery_traces")
    op.drop_table("delivery_traces")
