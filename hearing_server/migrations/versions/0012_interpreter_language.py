"""Per-speaker language and interpreters: ``participants.language`` and ``interprets_id``.

A participant's ``language`` (``zh``/``en``/``yue``) is what their live ASR stream recognises
(``NULL``: the hearing's language). An interpreter (court role ``interpreter``, a value of the
existing non-native role enum, so no type change) names whose words they interpret.

Revision ID: 0009_interpreter
Revises: 0009_signlinks
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_interpreter"
down_revision: str | Sequence[str] | None = "0009_signlinks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("interprets_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_participants_interprets_id_participants", "participants", ["interprets_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_constraint("fk_participants_interprets_id_participants", type_="foreignkey")
        batch_op.drop_column("interprets_id")
        batch_op.drop_column("language")
