"""Materials that belong to a hearing's record get the catalogue's types for them.

Before this revision the request to read and sign the record (a ``notice.sent`` of kind
``sign_request``, filed as ``笔录签名通知（…）``) was typed ``notice`` (传票、出庭通知), so the
archive's default order put it before the record; the parties' correction requests and the
court's answers (``笔录更正申请及处理``) were ``other`` and went last, after 送达回证. New ones are
filed as ``record_notice`` and ``record_corrections`` (``dossier/publish/materials_in.py``); this
gives those already filed the same types, recognised by where they came from and the title the
consumer gave them. Archived cases are left as they are: their sealed package records the types
they were archived with. No audit row: a type is where a material sorts, not what it says.

Revision ID: d0009
Revises: d0008
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d0009"
down_revision = "d0008"
branch_labels = None
depends_on = None

NOT_ARCHIVED = "case_id IN (SELECT id FROM dossier_cases WHERE status <> 'archived')"
RETYPED = (
    # (old type, new type, source, source_ref pattern, title pattern)
    ("notice", "record_notice", "system", "notice:%", "笔录签名通知%"),
    ("other", "record_corrections", "hearing", "hearing:%:doc:%", "笔录更正申请及处理"),
)


def _retype(forward: bool) -> None:
    for old, new, source, ref, title in RETYPED:
        before, after = (old, new) if forward else (new, old)
        op.get_bind().execute(
            sa.text(
                "UPDATE dossier_materials SET material_type = :after "
                "WHERE material_type = :before AND source = :source "
                f"AND source_ref LIKE :ref AND title LIKE :title AND {NOT_ARCHIVED}"
            ),
            {"after": after, "before": before, "source": source, "ref": ref, "title": title},
        )


def upgrade() -> None:
    _retype(forward=True)


def downgrade() -> None:
    _retype(forward=False)
