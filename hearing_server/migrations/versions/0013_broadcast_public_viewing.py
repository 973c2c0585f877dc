"""Public broadcast (庭审公开): hearings.public_viewing, broadcast_delay_s, public_token.

The bench switches public viewing on and off per hearing; observers watch at
``/watch/{public_token}`` behind ``broadcast_delay_s`` seconds (``NULL``: the server's default).

Revision ID: 0009_broadcast
Revises: 0009_interpreter
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_broadcast"
down_revision: str | Sequence[str] | None = "0009_interpreter"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hearings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_viewing", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("broadcast_delay_s", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("public_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_hearings_public_token", ["public_token"])


def downgrade() -> None:
    with op.batch_alter_table("hearings", schema=None) as batch_op:
        batch_op.drop_constraint("uq_hearings_public_token", type_="unique")
        batch_op.drop_column("public_token")
        batch_op.drop_column("broadcast_delay_s")
        batch_op.drop_column("public_viewing")
