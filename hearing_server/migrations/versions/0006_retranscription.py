"""re-transcription jobs and the suggestions they propose

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "retranscription_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["staff_users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_retranscription_jobs_hearing_id", "retranscription_jobs", ["hearing_id"])
    op.create_table(
        "transcript_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.String(length=64), nullable=True),
        sa.Column("speaker_key", sa.String(length=64), nullable=False),
        sa.Column("start_ms", sa.Integer(), nullable=False),
        sa.Column("end_ms", sa.Integer(), nullable=False),
        sa.Column("start_utc", sa.String(length=40), nullable=False),
        sa.Column("current_text", sa.Text(), nullable=False),
        sa.Column("proposed_text", sa.Text(), nullable=False),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.ForeignKeyConstraint(["job_id"], ["retranscription_jobs.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_transcript_suggestions_job_id", "transcript_suggestions", ["job_id"])
    op.create_index(
        "ix_transcript_suggestions_hearing_id", "transcript_suggestions", ["hearing_id"]
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_transcript_suggestions_hearing_id", table_name="transcript_suggestions")
    op.drop_index("ix_transcript_suggestions_job_id", table_name="transcript_suggestions")
    op.drop_table("transcript_suggestions")
    op.drop_index("ix_retranscription_jobs_hearing_id", table_name="retranscription_jobs")
    op.drop_table("retranscription_jobs")
