"""court stages, identity checks and evidence on screen: who moved the hearing to which stage,
whose identity was checked against which document (append-only; the transcript document shows
both as markers), the evidence materials of a hearing and what is on everyone's screen now

Revision ID: 0009_courtroom
Revises: 0009_record_answers
Create Date: 2026-12-05

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009_courtroom"
down_revision: str | Sequence[str] | None = "0009_record_answers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "hearing_stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("changed_at", _TS, nullable=False),
        sa.Column("marker_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.ForeignKeyConstraint(["staff_user_id"], ["staff_users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hearing_stage_changes_hearing_id", "hearing_stage_changes", ["hearing_id"])
    op.create_table(
        "identity_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("id_type", sa.String(length=32), nullable=False),
        sa.Column("id_last4", sa.String(length=4), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("checked_at", _TS, nullable=False),
        sa.Column("marker_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"]),
        sa.ForeignKeyConstraint(["staff_user_id"], ["staff_users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_identity_checks_hearing_id", "identity_checks", ["hearing_id"])
    op.create_table(
        "evidence_materials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("blob_key", sa.String(length=500), nullable=False),
        sa.Column("uploader_key", sa.String(length=64), nullable=False),
        sa.Column("uploader_role", sa.String(length=32), nullable=False),
        sa.Column("uploader_name", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", _TS, nullable=False),
        sa.Column("presented_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hearing_id", "number", name="uq_evidence_number"),
    )
    op.create_index("ix_evidence_materials_hearing_id", "evidence_materials", ["hearing_id"])
    op.create_table(
        "evidence_presentations",
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("presenter_key", sa.String(length=64), nullable=False),
        sa.Column("presenter_role", sa.String(length=32), nullable=False),
        sa.Column("presenter_name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.ForeignKeyConstraint(["material_id"], ["evidence_materials.id"]),
        sa.PrimaryKeyConstraint("hearing_id"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("evidence_presentations")
    op.drop_index("ix_evidence_materials_hearing_id", table_name="evidence_materials")
    op.drop_table("evidence_materials")
    op.drop_index("ix_identity_checks_hearing_id", table_name="identity_checks")
    op.drop_table("identity_checks")
    op.drop_index("ix_hearing_stage_changes_hearing_id", table_name="hearing_stage_changes")
    op.drop_table("hearing_stage_changes")
