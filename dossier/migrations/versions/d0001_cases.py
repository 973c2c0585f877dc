"""The case register, its parties, grants to read a dossier, and the dossier's audit trail.

Revision ID: d0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dossier_cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("court_id", sa.Integer(), nullable=False, index=True),
        sa.Column("court_name", sa.String(200), nullable=False),
        sa.Column("case_number", sa.String(100), nullable=False, unique=True),
        sa.Column("year", sa.Integer()),
        sa.Column("type_code", sa.String(16)),
        sa.Column("sequence", sa.Integer()),
        sa.Column("cause_code", sa.String(32), index=True),
        sa.Column("cause_name", sa.String(200), nullable=False),
        sa.Column("procedure", sa.String(16)),
        sa.Column("claim_amount_fen", sa.BigInteger()),
        sa.Column("judge_user_id", sa.Integer(), index=True),
        sa.Column("judge_name", sa.String(200)),
        sa.Column("clerk_user_id", sa.Integer(), index=True),
        sa.Column("clerk_name", sa.String(200)),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False, index=True),
        sa.Column("filed_at", TS, nullable=False),
        sa.Column("filed_by_user_id", sa.Integer()),
        sa.Column("filed_by_name", sa.String(200)),
        sa.Column("closed_on", sa.Date(), index=True),
        sa.Column("outcome", sa.String(32)),
        sa.Column("hearing_case_id", sa.Integer(), index=True),
    )
    op.create_table(
        "dossier_parties",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("dossier_cases.id"), nullable=False,
                  index=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False, index=True),
        sa.Column("id_number", sa.String(18)),
        sa.Column("credit_code", sa.String(18)),
        sa.Column("licence_number", sa.String(32)),
        sa.Column("phone", sa.String(32)),
        sa.Column("email", sa.String(254)),
        sa.Column("address", sa.String(300)),
        sa.Column("represents_id", sa.Integer(), sa.ForeignKey("dossier_parties.id")),
    )  # fmt: skip
    op.create_table(
        "dossier_grants",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("dossier_cases.id"), nullable=False,
                  index=True),
        sa.Column("user_id", sa.Integer(), nullable=False, index=True),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("review_body", sa.String(16)),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=False),
        sa.Column("granted_by_name", sa.String(200), nullable=False),
        sa.Column("granted_at", TS, nullable=False),
        sa.Column("revoked_at", TS),
    )  # fmt: skip
    op.create_table(
        "dossier_audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor_kind", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.Integer()),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("actor_role", sa.String(32)),
        sa.Column("action", sa.String(64), nullable=False, index=True),
        sa.Column("case_id", sa.Integer(), index=True),
        sa.Column("entity", sa.String(32)),
        sa.Column("entity_id", sa.Integer()),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text()),
    )
    op.create_index("ix_dossier_audit_case_at", "dossier_audit", ["case_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_dossier_audit_case_at", table_name="dossier_audit")
    op.drop_table("dossier_audit")
    op.drop_table("dossier_grants")
    op.drop_table("dossier_parties")
    op.drop_table("dossier_cases")
