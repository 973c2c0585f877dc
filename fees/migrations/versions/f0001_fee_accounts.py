"""The fee service's tables: accounts (one per case), parties, notice versions, sends, orders at
the payment provider, its notifications as received, the double-entry ledger, receipts, refunds
and the audit trail.

Revision ID: f0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fee_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_case_id", sa.Integer(), nullable=False),
        sa.Column("court_id", sa.Integer(), nullable=False),
        sa.Column("court_name", sa.String(length=200), nullable=False),
        sa.Column("case_number", sa.String(length=100), nullable=False),
        sa.Column("cause_code", sa.String(length=32), nullable=False),
        sa.Column("cause_name", sa.String(length=200), nullable=False),
        sa.Column("procedure", sa.String(length=16), nullable=False),
        sa.Column("claim_amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("fee_kind", sa.String(length=64), nullable=False),
        sa.Column("notice_code", sa.String(length=32), nullable=True),
        sa.Column("pay_token", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_number"),
        sa.UniqueConstraint("dossier_case_id"),
        sa.UniqueConstraint("notice_code"),
        sa.UniqueConstraint("pay_token"),
    )
    with op.batch_alter_table("fee_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_accounts_court_id"), ["court_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fee_accounts_status"), ["status"], unique=False)

    op.create_table(
        "fee_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fee_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_audit_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fee_audit_at"), ["at"], unique=False)

    op.create_table(
        "fee_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("notification_id", sa.String(length=64), nullable=True),
        sa.Column("event_type", sa.String(length=64), nullable=True),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fee_notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fee_notifications_received_at"), ["received_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fee_notifications_reference"), ["reference"], unique=False
        )

    op.create_table(
        "fee_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=96), nullable=False),
        sa.Column("memo", sa.String(length=500), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["fee_accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("fee_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_entries_account_id"), ["account_id"], unique=False)

    op.create_table(
        "fee_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("breakdown", sa.JSON(), nullable=False),
        sa.Column("payer_ref", sa.String(length=64), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("reason_text", sa.Text(), nullable=True),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("issued_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["fee_accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "version"),
    )
    with op.batch_alter_table("fee_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_notices_account_id"), ["account_id"], unique=False)

    op.create_table(
        "fee_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("out_trade_no", sa.String(length=32), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("notice_version", sa.Integer(), nullable=False),
        sa.Column("party_ref", sa.String(length=64), nullable=True),
        sa.Column("payer_name", sa.String(length=200), nullable=False),
        sa.Column("payer_phone", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("code_url", sa.String(length=500), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("transaction_id", sa.String(length=64), nullable=True),
        sa.Column("paid_at", TS, nullable=True),
        sa.Column("booked_by", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["fee_accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("out_trade_no"),
        sa.UniqueConstraint("transaction_id"),
    )
    with op.batch_alter_table("fee_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_orders_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fee_orders_status"), ["status"], unique=False)

    op.create_table(
        "fee_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("party_ref", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("represents_ref", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["fee_accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "party_ref"),
    )
    with op.batch_alter_table("fee_parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_parties_account_id"), ["account_id"], unique=False)

    op.create_table(
        "fee_postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("ledger", sa.String(length=32), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["fee_entries.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fee_postings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_postings_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index("ix_fee_postings_ledger", ["entry_id", "ledger"], unique=False)

    op.create_table(
        "fee_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("verify_code", sa.String(length=16), nullable=False),
        sa.Column("blob_key", sa.String(length=200), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("issued_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["fee_accounts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["fee_orders.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
        sa.UniqueConstraint("order_id"),
    )
    with op.batch_alter_table("fee_receipts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fee_receipts_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "fee_refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("out_refund_no", sa.String(length=64), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("bank_details", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("party_ref", sa.String(length=64), nullable=True),
        sa.Column("applied_by", sa.String(length=200), nullable=False),
        sa.Column("applied_at", TS, nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("provider_refund_id", sa.String(length=64), nullable=True),
        sa.Column("completed_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["fee_accounts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["fee_orders.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("out_refund_no"),
    )
    with op.batch_alter_table("fee_refunds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_refunds_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fee_refunds_status"), ["status"], unique=False)

    op.create_table(
        "fee_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("party_ref", sa.String(length=64), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["fee_accounts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["fee_notices.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fee_sends", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_sends_account_id"), ["account_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fee_sends", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_sends_account_id"))

    op.drop_table("fee_sends")
    with op.batch_alter_table("fee_refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_refunds_status"))
        batch_op.drop_index(batch_op.f("ix_fee_refunds_account_id"))

    op.drop_table("fee_refunds")
    with op.batch_alter_table("fee_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_receipts_account_id"))

    op.drop_table("fee_receipts")
    with op.batch_alter_table("fee_postings", schema=None) as batch_op:
        batch_op.drop_index("ix_fee_postings_ledger")
        batch_op.drop_index(batch_op.f("ix_fee_postings_entry_id"))

    op.drop_table("fee_postings")
    with op.batch_alter_table("fee_parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_parties_account_id"))

    op.drop_table("fee_parties")
    with op.batch_alter_table("fee_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_orders_status"))
        batch_op.drop_index(batch_op.f("ix_fee_orders_account_id"))

    op.drop_table("fee_orders")
    with op.batch_alter_table("fee_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_notices_account_id"))

    op.drop_table("fee_notices")
    with op.batch_alter_table("fee_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_entries_account_id"))

    op.drop_table("fee_entries")
    with op.batch_alter_table("fee_notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_notifications_reference"))
        batch_op.drop_index(batch_op.f("ix_fee_notifications_received_at"))

    op.drop_table("fee_notifications")
    with op.batch_alter_table("fee_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_audit_at"))
        batch_op.drop_index(batch_op.f("ix_fee_audit_account_id"))

    op.drop_table("fee_audit")
    with op.batch_alter_table("fee_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_accounts_status"))
        batch_op.drop_index(batch_op.f("ix_fee_accounts_court_id"))

    op.drop_table("fee_accounts")
