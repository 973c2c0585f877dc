"""Each party's ID number as filed (``case.filed`` since issue 17), kept as the look-ups keep it:
a keyed hash and the last four characters.

Revision ID: a0002
Revises: a0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a0002"
down_revision = "a0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("address_parties") as batch:
        batch.add_column(sa.Column("id_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("id_tail", sa.String(length=4), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("address_parties") as batch:
        batch.drop_column("id_tail")
        batch.drop_column("id_hash")
