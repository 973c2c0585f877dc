"""closing workflow: frozen transcripts, signers, prepared signatures, objections, case files

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "transcript_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("frozen_version", sa.Integer(), nullable=True),
        sa.Column("frozen_at", _TS, nullable=False),
        sa.Column("frozen_by", sa.Integer(), nullable=False),
        sa.Column("transcript_sha256", sa.String(length=64), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("completed_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.ForeignKeyConstraint(["frozen_by"], ["staff_users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hearing_id"),
    )
    op.create_table(
        "signature_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("signer_group", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_at", _TS, nullable=True),
        sa.Column("certificate_pem", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hearing_id", "key", name="uq_signature_slot_key"),
    )
    op.create_index("ix_signature_slots_hearing_id", "signature_slots", ["hearing_id"])
    op.create_table(
        "pending_signatures",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("slot_key", sa.String(length=64), nullable=False),
        sa.Column("base_sha256", sa.String(length=64), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pending_signatures_hearing_id", "pending_signatures", ["hearing_id"])
    op.create_table(
        "record_objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("slot_key", sa.String(length=64), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("segment_id", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_record_objections_hearing_id", "record_objections", ["hearing_id"])
    op.create_table(
        "case_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("storage_path", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_documents_case_id", "case_documents", ["case_id"])
    op.create_table(
        "record_errata",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.String(length=64), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author_staff_id", sa.Integer(), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.ForeignKeyConstraint(["author_staff_id"], ["staff_users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_record_errata_hearing_id", "record_errata", ["hearing_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_record_errata_hearing_id", table_name="record_errata")
    op.drop_table("record_errata")
    op.drop_index("ix_case_documents_case_id", table_name="case_documents")
    op.drop_table("case_documents")
    op.drop_index("ix_record_objections_hearing_id", table_name="record_objections")
    op.drop_table("record_objections")
    op.drop_index("ix_pending_signatures_hearing_id", table_name="pending_signatures")
    op.drop_table("pending_signatures")
    op.drop_index("ix_signature_slots_hearing_id", table_name="signature_slots")
    op.drop_table("signature_slots")
    op.drop_table("transcript_closures")
