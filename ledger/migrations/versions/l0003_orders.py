"""Investigation orders: the cases the ledger knows (from ``case.filed``), their parties, the
orders, their steps (each with its leaf) and the institutions' responses and files.

Revision ID: l0003
Revises: l0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "l0003"
down_revision = "l0002"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "ledger_cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dossier_case_id", sa.Integer(), nullable=False, unique=True),
        sa.Column("court_id", sa.Integer(), nullable=False),
        sa.Column("court_name", sa.String(200), nullable=False),
        sa.Column("case_number", sa.String(100), nullable=False),
        sa.Column("cause", sa.String(200), nullable=False),
        sa.Column("judge_user_id", sa.Integer(), nullable=True),
        _at("filed_at"),
    )
    op.create_table(
        "ledger_case_parties",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("ledger_cases.id"), nullable=False),
        sa.Column("party_ref", sa.String(40), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("licence_number", sa.String(32), nullable=True, index=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("email", sa.String(200), nullable=True),
        sa.UniqueConstraint("case_id", "party_ref", name="uq_ledger_case_parties_ref"),
    )
    op.create_table(
        "ledger_orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(100), nullable=False, unique=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("ledger_cases.id"), nullable=False),
        sa.Column("lawyer_licence", sa.String(32), nullable=False, index=True),
        sa.Column("lawyer_name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("scope_json", sa.Text(), nullable=False),
        sa.Column("applied_json", sa.Text(), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("judge_name", sa.String(200), nullable=True),
        sa.Column("token_sha256", sa.String(64), nullable=True, unique=True),
        sa.Column("pdf_key", sa.String(300), nullable=True),
        sa.Column("pdf_sha256", sa.String(64), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        _at("applied_at"),
        _at("decided_at", True),
        _at("issued_at", True),
        _at("revoked_at", True),
    )
    op.create_table(
        "ledger_order_steps",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("ledger_orders.id"), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("leaf_idx", sa.BigInteger(), nullable=False, unique=True),
        sa.Column("record_json", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        _at("at"),
    )
    op.create_table(
        "ledger_order_responses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("ledger_orders.id"), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("responder", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("files_json", sa.Text(), nullable=False),
        sa.Column("leaf_idx", sa.BigInteger(), nullable=False),
        _at("at"),
    )


def downgrade() -> None:
    for table in (
        "ledger_order_responses",
        "ledger_order_steps",
        "ledger_orders",
        "ledger_case_parties",
        "ledger_cases",
    ):
        op.drop_table(table)
