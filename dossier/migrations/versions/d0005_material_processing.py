"""Materials: processing state of a version (conversion, OCR) and the search index.

Revision ID: d0005
Revises: d0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d0005"
down_revision = "d0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("dossier_material_versions") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="ready"))
        batch.add_column(sa.Column("processing_error", sa.String(500), nullable=True))
        batch.add_column(sa.Column("ocr_pages", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("indexed_at", TS, nullable=True))
    op.create_table(
        "dossier_material_terms",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "version_id",
            sa.Integer(),
            sa.ForeignKey("dossier_material_versions.id"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "material_id", sa.Integer(), sa.ForeignKey("dossier_materials.id"), nullable=False
        ),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("dossier_cases.id"), nullable=False),
        sa.Column("term", sa.String(64), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_dossier_material_terms_term_case", "dossier_material_terms", ["term", "case_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_dossier_material_terms_term_case", "dossier_material_terms")
    op.drop_table("dossier_material_terms")
    with op.batch_alter_table("dossier_material_versions") as batch:
        batch.drop_column("indexed_at")
        batch.drop_column("ocr_pages")
        batch.drop_column("processing_error")
        batch.drop_column("status")
