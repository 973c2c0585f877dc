"""The archive: volumes, fixity checks, borrowing requests.

Revision ID: d0007
Revises: d0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d0007"
down_revision = "d0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dossier_archive_volumes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("dossier_cases.id"), nullable=False,
                  unique=True),
        sa.Column("material_ids", sa.JSON(), nullable=False),
        sa.Column("arranged_at", TS, nullable=False),
        sa.Column("arranged_by_id", sa.Integer(), nullable=False),
        sa.Column("arranged_by_name", sa.String(200), nullable=False),
        sa.Column("retention", sa.String(8), nullable=False),
        sa.Column("archive_number", sa.String(64), unique=True),
        sa.Column("submitted_at", TS),
        sa.Column("submitted_by_id", sa.Integer()),
        sa.Column("submitted_by_name", sa.String(200)),
        sa.Column("package_dir", sa.String(300)),
        sa.Column("evolume_sha256", sa.String(64)),
        sa.Column("page_count", sa.Integer()),
        sa.Column("item_count", sa.Integer()),
    )  # fmt: skip
    op.create_table(
        "dossier_archive_fixity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("volume_id", sa.Integer(), sa.ForeignKey("dossier_archive_volumes.id"),
                  nullable=False, index=True),
        sa.Column("court_id", sa.Integer(), nullable=False, index=True),
        sa.Column("archive_number", sa.String(64), nullable=False),
        sa.Column("checked_at", TS, nullable=False, index=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
    )  # fmt: skip
    op.create_table(
        "dossier_archive_borrowings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("dossier_cases.id"), nullable=False,
                  index=True),
        sa.Column("court_id", sa.Integer(), nullable=False, index=True),
        sa.Column("user_id", sa.Integer(), nullable=False, index=True),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("decided_at", TS),
        sa.Column("decided_by_id", sa.Integer()),
        sa.Column("decided_by_name", sa.String(200)),
        sa.Column("ends_on", sa.Date()),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("dossier_archive_borrowings")
    op.drop_table("dossier_archive_fixity")
    op.drop_table("dossier_archive_volumes")
