"""Signing links (issue 13): an invitation has a purpose, a participant session a scope.

A signing link (``/sign/<token>``, sent with the signing request and its reminders) is an
invitation of purpose ``sign``; its one-time code gives a participant session of scope
``record``, which reads and signs the hearing's record and nothing else (not the live room).
Every existing invitation is a ``join`` link and every existing session a ``hearing`` one.

Revision ID: 0009_signlinks
Revises: 0009_courtroom
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_signlinks"
down_revision: str | Sequence[str] | None = "0009_courtroom"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purpose", sa.String(length=16), nullable=False, server_default="join")
        )
    with op.batch_alter_table("participant_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=16), nullable=False, server_default="hearing")
        )


def downgrade() -> None:
    with op.batch_alter_table("participant_sessions", schema=None) as batch_op:
        batch_op.drop_column("scope")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("purpose")
