"""Drop live_segments: a committed utterance is stored once, in the transcript document.

The live panel shows the document's segments (issue 12: one path for a committed utterance); a
restarted live session reads its live start and rows from the document. The rows of this table
were a copy of what the recogniser committed, already in ``transcript_updates``; downgrading
recreates the table empty.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("live_segments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_segments_hearing_id"))
    op.drop_table("live_segments")


def downgrade() -> None:
    op.create_table(
        "live_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(length=64), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("live_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("start_ms", sa.Integer(), nullable=False),
        sa.Column("end_ms", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.Column("end_of_utterance", sa.Boolean(), nullable=False),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hearing_id", "position", name="uq_live_segments_hearing_position"),
    )
    with op.batch_alter_table("live_segments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_segments_hearing_id"), ["hearing_id"], unique=False
        )
