"""transcript document (update log, revisions), hearing hotwords and language

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("hearings") as batch:
        batch.add_column(
            sa.Column("language", sa.String(length=8), server_default="zh", nullable=False)
        )
    op.create_table(
        "hearing_hotwords",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=40), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hearing_id", "word", name="uq_hearing_hotword"),
    )
    op.create_table(
        "transcript_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("author_key", sa.String(length=64), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hearing_id", "seq", name="uq_transcript_update_seq"),
    )
    op.create_table(
        "transcript_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("author_key", sa.String(length=64), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_transcript_revision_segment",
        "transcript_revisions",
        ["hearing_id", "segment_id"],
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_transcript_revision_segment", table_name="transcript_revisions")
    op.drop_table("transcript_revisions")
    op.drop_table("transcript_updates")
    op.drop_table("hearing_hotwords")
    with op.batch_alter_table("hearings") as batch:
        batch.drop_column("language")
