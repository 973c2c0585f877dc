"""Filing: court codes and case-number sequences.

Revision ID: d0003
Revises: d0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d0003"
down_revision = "d0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dossier_court_codes",
        sa.Column("court_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("small_claims_ceiling_fen", sa.BigInteger()),
        sa.Column("set_by_id", sa.Integer(), nullable=False),
        sa.Column("set_by_name", sa.String(200), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "dossier_case_sequences",
        sa.Column("court_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("type_code", sa.String(16), primary_key=True),
        sa.Column("last_number", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("dossier_case_sequences")
    op.drop_table("dossier_court_codes")
