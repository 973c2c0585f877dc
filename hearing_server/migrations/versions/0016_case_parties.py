"""Cases filed in the dossier: ``case_parties`` and ``participants.case_party_ref``.

The hearing server learns of a filed case from the dossier's ``case.filed`` event
(:mod:`hearing_server.filed_cases`) and keeps its parties, so that the clerk can invite a party
to a hearing as themselves (the participant's ``case_party_ref``).

Revision ID: 0016_case_parties
Revises: 0014_audit_chain
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_case_parties"
down_revision: str | Sequence[str] | None = "0014_audit_chain"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("party_ref", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("represents_ref", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "party_ref", name="uq_case_parties_case_ref"),
    )
    op.create_index("ix_case_parties_case_id", "case_parties", ["case_id"], unique=False)
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_party_ref", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("case_party_ref")
    op.drop_index("ix_case_parties_case_id", table_name="case_parties")
    op.drop_table("case_parties")
