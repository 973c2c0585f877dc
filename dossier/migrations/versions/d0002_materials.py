"""Materials and their versions.

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
        "dossier_materials",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("dossier_cases.id"), nullable=False,
                  index=True),
        sa.Column("volume", sa.String(16), nullable=False),
        sa.Column("material_type", sa.String(32), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_ref", sa.String(200)),
        sa.Column("hearing_id", sa.Integer()),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by_id", sa.Integer()),
        sa.Column("created_by_name", sa.String(200), nullable=False),
        sa.UniqueConstraint("case_id", "source_ref"),
    )  # fmt: skip
    op.create_table(
        "dossier_material_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("material_id", sa.Integer(), sa.ForeignKey("dossier_materials.id"),
                  nullable=False, index=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("blob_key", sa.String(300), nullable=False),
        sa.Column("pdf_blob_key", sa.String(300)),
        sa.Column("page_count", sa.Integer()),
        sa.Column("text", sa.Text()),
        sa.Column("added_at", TS, nullable=False),
        sa.Column("added_by_id", sa.Integer()),
        sa.Column("added_by_name", sa.String(200), nullable=False),
        sa.Column("note", sa.String(500)),
        sa.UniqueConstraint("material_id", "version"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("dossier_material_versions")
    op.drop_table("dossier_materials")
