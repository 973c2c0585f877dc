"""The portal's tables: cases and parties (from ``case.filed``), accounts, SMS codes, sessions,
lawyers' representations, served documents, file reviews, rate-limit hits, the audit trail.

Revision ID: p0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "p0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "portal_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("licence_number", sa.String(length=32), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("verified_at", TS, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", TS, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id_number"),
    )
    op.create_table(
        "portal_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("dossier_case_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_portal_audit_dossier_case_id"), "portal_audit", ["dossier_case_id"], unique=False
    )
    op.create_table(
        "portal_cases",
        sa.Column("dossier_case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("court_id", sa.Integer(), nullable=False),
        sa.Column("court_name", sa.String(length=200), nullable=False),
        sa.Column("case_number", sa.String(length=100), nullable=False),
        sa.Column("cause_of_action", sa.String(length=200), nullable=False),
        sa.Column("filed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("dossier_case_id"),
    )
    op.create_index(
        op.f("ix_portal_cases_case_number"), "portal_cases", ["case_number"], unique=False
    )
    op.create_index(op.f("ix_portal_cases_court_id"), "portal_cases", ["court_id"], unique=False)
    op.create_table(
        "portal_rate_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=120), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_portal_rate_hits_bucket_at", "portal_rate_hits", ["bucket", "at"], unique=False
    )
    op.create_table(
        "portal_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("challenge_hash", sa.String(length=64), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["portal_accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("challenge_hash"),
    )
    op.create_index(op.f("ix_portal_codes_phone"), "portal_codes", ["phone"], unique=False)
    op.create_table(
        "portal_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("dossier_case_id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("blob_key", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("recipient_party_ref", sa.String(length=32), nullable=True),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_id_number", sa.String(length=18), nullable=True),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("sent_at", TS, nullable=False),
        sa.Column("opened_at", TS, nullable=True),
        sa.Column("signed_at", TS, nullable=True),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["opened_by"],
            ["portal_accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("service_id"),
    )
    op.create_index(
        op.f("ix_portal_documents_dossier_case_id"),
        "portal_documents",
        ["dossier_case_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_portal_documents_recipient_id_number"),
        "portal_documents",
        ["recipient_id_number"],
        unique=False,
    )
    op.create_table(
        "portal_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_case_id", sa.Integer(), nullable=False),
        sa.Column("party_ref", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("licence_number", sa.String(length=32), nullable=True),
        sa.Column("represents_ref", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_case_id"],
            ["portal_cases.dossier_case_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dossier_case_id", "party_ref"),
    )
    op.create_index(
        op.f("ix_portal_parties_id_number"), "portal_parties", ["id_number"], unique=False
    )
    op.create_table(
        "portal_representations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("dossier_case_id", sa.Integer(), nullable=False),
        sa.Column("party_ref", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["portal_accounts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["dossier_case_id"],
            ["portal_cases.dossier_case_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_portal_representations_account_id"),
        "portal_representations",
        ["account_id"],
        unique=False,
    )
    op.create_table(
        "portal_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("dossier_case_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("valid_until", TS, nullable=True),
        sa.Column("allow_download", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["portal_accounts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["dossier_case_id"],
            ["portal_cases.dossier_case_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_portal_reviews_account_id"), "portal_reviews", ["account_id"], unique=False
    )
    op.create_table(
        "portal_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["portal_accounts.id"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_portal_sessions_account_id"), "portal_sessions", ["account_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_portal_sessions_account_id"), table_name="portal_sessions")
    op.drop_table("portal_sessions")
    op.drop_index(op.f("ix_portal_reviews_account_id"), table_name="portal_reviews")
    op.drop_table("portal_reviews")
    op.drop_index(op.f("ix_portal_representations_account_id"), table_name="portal_representations")
    op.drop_table("portal_representations")
    op.drop_index(op.f("ix_portal_parties_id_number"), table_name="portal_parties")
    op.drop_table("portal_parties")
    op.drop_index(op.f("ix_portal_documents_recipient_id_number"), table_name="portal_documents")
    op.drop_index(op.f("ix_portal_documents_dossier_case_id"), table_name="portal_documents")
    op.drop_table("portal_documents")
    op.drop_index(op.f("ix_portal_codes_phone"), table_name="portal_codes")
    op.drop_table("portal_codes")
    op.drop_index("ix_portal_rate_hits_bucket_at", table_name="portal_rate_hits")
    op.drop_table("portal_rate_hits")
    op.drop_index(op.f("ix_portal_cases_court_id"), table_name="portal_cases")
    op.drop_index(op.f("ix_portal_cases_case_number"), table_name="portal_cases")
    op.drop_table("portal_cases")
    op.drop_index(op.f("ix_portal_audit_dossier_case_id"), table_name="portal_audit")
    op.drop_table("portal_audit")
    op.drop_table("portal_accounts")
