"""Published dossier materials among a party's documents (``dossier.material_published``):
``portal_documents.publication_id`` (unique), and ``service_id`` empty for them.

Revision ID: p0002
Revises: p0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "p0002"
down_revision = "p0001"
branch_labels = None
depends_on = None

UNIQUE = "uq_portal_documents_publication_id"


def upgrade() -> None:
    with op.batch_alter_table("portal_documents") as batch:
        batch.add_column(sa.Column("publication_id", sa.Integer(), nullable=True))
        batch.alter_column("service_id", existing_type=sa.Integer(), nullable=True)
        batch.create_unique_constraint(UNIQUE, ["publication_id"])


def downgrade() -> None:
    op.execute("DELETE FROM portal_documents WHERE service_id IS NULL")
    with op.batch_alter_table("portal_documents") as batch:
        batch.drop_constraint(UNIQUE, type_="unique")
        batch.alter_column("service_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("publication_id")
