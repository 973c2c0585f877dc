"""Publications to parties and review comments.

Revision ID: d0006
Revises: d0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d0006"
down_revision = "d0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dossier_publications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("dossier_cases.id"), nullable=False,
                  index=True),
        sa.Column("material_id", sa.Integer(), sa.ForeignKey("dossier_materials.id"),
                  nullable=False, index=True),
        sa.Column("party_id", sa.Integer(), sa.ForeignKey("dossier_parties.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_at", TS, nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=False),
        sa.Column("published_by_name", sa.String(200), nullable=False),
        sa.Column("withdrawn_at", TS),
        sa.Column("withdrawn_by_id", sa.Integer()),
        sa.Column("withdrawn_by_name", sa.String(200)),
    )  # fmt: skip
    op.create_index(
        "ix_dossier_publications_party", "dossier_publications", ["party_id", "withdrawn_at"]
    )
    op.create_table(
        "dossier_review_comments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("dossier_cases.id"), nullable=False,
                  index=True),
        sa.Column("material_id", sa.Integer(), sa.ForeignKey("dossier_materials.id"),
                  nullable=False, index=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer()),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("corrects_id", sa.Integer(), sa.ForeignKey("dossier_review_comments.id")),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("author_role", sa.String(32), nullable=False),
        sa.Column("review_body", sa.String(16)),
        sa.Column("created_at", TS, nullable=False),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("dossier_review_comments")
    op.drop_index("ix_dossier_publications_party", table_name="dossier_publications")
    op.drop_table("dossier_publications")
