"""court stages and identity checks: who moved the hearing to which stage, whose identity was
checked against which document (append-only; the transcript document shows both as markers)

Revision ID: 0009_stages
Revises: 0008
Create Date: 2026-12-05

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009_stages"
down_revision: str | Sequence[str] | None = "0008"
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


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_identity_checks_hearing_id", table_name="identity_checks")
    op.drop_table("identity_checks")
    op.drop_index("ix_hearing_stage_changes_hearing_id", table_name="hearing_stage_changes")
    op.drop_table("hearing_stage_changes")
