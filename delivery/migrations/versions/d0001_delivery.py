"""The delivery service's tables: cases and parties as filed, address confirmations and consent
to electronic service, documents, services, attempts per channel, their steps, the audit trail.

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
        "delivery_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_delivery_audit_case_id"), "delivery_audit", ["case_id"], unique=False)
    op.create_index(
        op.f("ix_delivery_audit_service_id"), "delivery_audit", ["service_id"], unique=False
    )
    op.create_table(
        "delivery_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_case_id", sa.Integer(), nullable=False),
        sa.Column("court_id", sa.Integer(), nullable=False),
        sa.Column("court_name", sa.String(length=200), nullable=False),
        sa.Column("case_number", sa.String(length=100), nullable=False),
        sa.Column("cause_name", sa.String(length=200), nullable=False),
        sa.Column("judge_user_id", sa.Integer(), nullable=True),
        sa.Column("clerk_user_id", sa.Integer(), nullable=True),
        sa.Column("filed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dossier_case_id"),
    )
    op.create_index(
        op.f("ix_delivery_cases_case_number"), "delivery_cases", ["case_number"], unique=False
    )
    op.create_index(
        op.f("ix_delivery_cases_court_id"), "delivery_cases", ["court_id"], unique=False
    )
    op.create_table(
        "delivery_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("party_ref", sa.String(length=32), nullable=False),
        sa.Column("electronic", sa.Boolean(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("postal_address", sa.String(length=300), nullable=True),
        sa.Column("postal_recipient", sa.String(length=100), nullable=True),
        sa.Column("confirmed_at", TS, nullable=False),
        sa.Column("confirmed_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["delivery_cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "party_ref"),
    )
    op.create_index(
        op.f("ix_delivery_consents_case_id"), "delivery_consents", ["case_id"], unique=False
    )
    op.create_table(
        "delivery_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("blob_key", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["delivery_cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_delivery_documents_case_id"), "delivery_documents", ["case_id"], unique=False
    )
    op.create_table(
        "delivery_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("party_ref", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["delivery_cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "party_ref"),
    )
    op.create_index(
        op.f("ix_delivery_parties_case_id"), "delivery_parties", ["case_id"], unique=False
    )
    op.create_table(
        "delivery_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("party_ref", sa.String(length=32), nullable=True),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_role", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("arrived_at", TS, nullable=True),
        sa.Column("opened_at", TS, nullable=True),
        sa.Column("opened_by", sa.String(length=200), nullable=True),
        sa.Column("collected_at", TS, nullable=True),
        sa.Column("ended_at", TS, nullable=True),
        sa.Column("served_event", sa.Boolean(), nullable=False),
        sa.Column("needs_attention", sa.Boolean(), nullable=False),
        sa.Column("suggestion", sa.String(length=16), nullable=True),
        sa.Column("proof_blob_key", sa.String(length=300), nullable=True),
        sa.Column("proof_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["delivery_cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["delivery_documents.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_delivery_services_case_id"), "delivery_services", ["case_id"], unique=False
    )
    op.create_index(
        op.f("ix_delivery_services_state"), "delivery_services", ["state"], unique=False
    )
    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("waybill", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["delivery_services.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("waybill"),
    )
    op.create_index(
        op.f("ix_delivery_attempts_service_id"), "delivery_attempts", ["service_id"], unique=False
    )
    op.create_table(
        "delivery_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["delivery_attempts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["delivery_services.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_id"),
    )
    op.create_index(
        op.f("ix_delivery_steps_service_id"), "delivery_steps", ["service_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_delivery_steps_service_id"), table_name="delivery_steps")
    op.drop_table("delivery_steps")
    op.drop_index(op.f("ix_delivery_attempts_service_id"), table_name="delivery_attempts")
    op.drop_table("delivery_attempts")
    op.drop_index(op.f("ix_delivery_services_state"), table_name="delivery_services")
    op.drop_index(op.f("ix_delivery_services_case_id"), table_name="delivery_services")
    op.drop_table("delivery_services")
    op.drop_index(op.f("ix_delivery_parties_case_id"), table_name="delivery_parties")
    op.drop_table("delivery_parties")
    op.drop_index(op.f("ix_delivery_documents_case_id"), table_name="delivery_documents")
    op.drop_table("delivery_documents")
    op.drop_index(op.f("ix_delivery_consents_case_id"), table_name="delivery_consents")
    op.drop_table("delivery_consents")
    op.drop_index(op.f("ix_delivery_cases_court_id"), table_name="delivery_cases")
    op.drop_index(op.f("ix_delivery_cases_case_number"), table_name="delivery_cases")
    op.drop_table("delivery_cases")
    op.drop_index(op.f("ix_delivery_audit_service_id"), table_name="delivery_audit")
    op.drop_index(op.f("ix_delivery_audit_case_id"), table_name="delivery_audit")
    op.drop_table("delivery_audit")
