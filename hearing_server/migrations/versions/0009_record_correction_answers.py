"""A party's correction request gets the court's answer (issue 13): accepted or rejected, with a
reason, who answered and when. ``answer`` is null while the request is open; an open correction
request stops the bench from signing (so the record is not sealed) until it is answered.

Revision ID: 0009_record_answers
Revises: 0008
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_record_answers"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("record_objections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("answer_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("answered_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("answered_role", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("answered_at", _TS, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("record_objections", schema=None) as batch_op:
        for column in ("answered_at", "answered_role", "answered_by", "answer_reason", "answer"):
            batch_op.drop_column(column)
