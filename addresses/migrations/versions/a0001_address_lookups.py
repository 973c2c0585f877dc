"""The address service's tables: cases and parties as filed, look-ups, each agency's outcome,
the ranked addresses, the audit trail.

Revision ID: a0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "address_cases",
        sa.Column("dossier_case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("court_id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=100), nullable=False),
        sa.Column("cause_of_action", sa.String(length=200), nullable=False),
        sa.Column("judge_user_id", sa.Integer(), nullable=True),
        sa.Column("clerk_user_id", sa.Integer(), nullable=True),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("dossier_case_id"),
    )
    op.create_index("ix_address_cases_court_id", "address_cases", ["court_id"])
    op.create_index("ix_address_cases_case_number", "address_cases", ["case_number"])
    op.create_table(
        "address_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_case_id", sa.Integer(), nullable=False),
        sa.Column("party_ref", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["dossier_case_id"], ["address_cases.dossier_case_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dossier_case_id", "party_ref"),
    )
    op.create_index("ix_address_parties_dossier_case_id", "address_parties", ["dossier_case_id"])
    op.create_table(
        "address_lookups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_case_id", sa.Integer(), nullable=False),
        sa.Column("party_ref", sa.String(length=32), nullable=False),
        sa.Column("party_name", sa.String(length=200), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("id_tail", sa.String(length=4), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_role", sa.String(length=32), nullable=False),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["dossier_case_id"], ["address_cases.dossier_case_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_address_lookups_dossier_case_id", "address_lookups", ["dossier_case_id"])
    op.create_index("ix_address_lookups_id_hash", "address_lookups", ["id_hash"])
    op.create_table(
        "address_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lookup_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.Column("took_ms", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["lookup_id"], ["address_lookups.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_address_sources_lookup_id", "address_sources", ["lookup_id"])
    op.create_table(
        "address_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lookup_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("postal_code", sa.String(length=6), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("latest_on", sa.Date(), nullable=False),
        sa.Column("records", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["lookup_id"], ["address_lookups.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("lookup_id", "rank"),
    )
    op.create_index("ix_address_results_lookup_id", "address_results", ["lookup_id"])
    op.create_table(
        "address_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("dossier_case_id", sa.Integer(), nullable=False),
        sa.Column("lookup_id", sa.Integer(), nullable=True),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_address_audit_at", "address_audit", ["at"])
    op.create_index("ix_address_audit_dossier_case_id", "address_audit", ["dossier_case_id"])
    op.create_index("ix_address_audit_lookup_id", "address_audit", ["lookup_id"])


def downgrade() -> None:
    for table in (
        "address_audit",
        "address_results",
        "address_sources",
        "address_lookups",
        "address_parties",
        "address_cases",
    ):
        op.drop_table(table)
