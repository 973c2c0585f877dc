"""RFC 3161 timestamps of checkpoints; append-only like the checkpoints (triggers).

Revision ID: l0002
Revises: l0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "l0002"
down_revision = "l0001"
branch_labels = None
depends_on = None

TABLE = "ledger_checkpoint_timestamps"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column(
            "size",
            sa.BigInteger(),
            sa.ForeignKey("ledger_checkpoints.size"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("token", sa.LargeBinary(), nullable=False),
        sa.Column("stamped_at", sa.DateTime(timezone=True), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {TABLE}_no_{action.lower()} BEFORE {action} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, 'ledger: {TABLE} is append-only'); END"
            )


def downgrade() -> None:
    op.drop_table(TABLE)
