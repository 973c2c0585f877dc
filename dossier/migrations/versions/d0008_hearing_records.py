"""The register: a hearing's record as signed and sealed (``transcript.signed``).

Revision ID: d0008
Revises: d0004
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d0008"
down_revision = "d0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dossier_hearing_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("hearing_id", sa.Integer(), nullable=False, unique=True),
        sa.Column("case_number", sa.String(100), nullable=False, index=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("signed_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("dossier_hearing_records")
