"""Transcript revisions stored as changes: transcript_revisions -> transcript_revision_changes.

Each revision kept the whole segment text before and after the edit (issue 14: history grew with
the square of a note's length). The new table keeps the change (common prefix and suffix lengths,
removed and inserted text) and the full text only where a chain of a segment's revisions starts
again (:mod:`hearing_server.transcript.revdiff`, whose format this table stores). Existing rows
are converted with their ids, in order, every detail kept (no budget applies to the past);
downgrading rebuilds the texts (revisions stored without detail come back as empty texts).

Revision ID: 0014_revision_changes
Revises: 0009_broadcast
Create Date: 2026-12-05
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from hearing_server.transcript.revdiff import ChainState, TextChange, plan, replay

revision: str = "0014_revision_changes"
down_revision: str | Sequence[str] | None = "0009_broadcast"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = "transcript_revision_changes"
OLD = "transcript_revisions"
BATCH = 500
_COMMON = ("id", "hearing_id", "seq", "segment_id", "field", "author_key", "author_name")


def _new_table() -> sa.Table:
    return op.create_table(
        NEW,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("author_key", sa.String(length=64), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prefix_chars", sa.Integer(), nullable=False),
        sa.Column("suffix_chars", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Text(), nullable=False),
        sa.Column("inserted", sa.Text(), nullable=False),
        sa.Column("base", sa.Text(), nullable=True),
        sa.Column("detail", sa.Boolean(), nullable=False),
        sa.Column("before_chars", sa.Integer(), nullable=False),
        sa.Column("after_chars", sa.Integer(), nullable=False),
        sa.Column("after_digest", sa.String(length=32), nullable=False),
        sa.Column("rows_since_base", sa.Integer(), nullable=False),
        sa.Column("bytes_since_base", sa.Integer(), nullable=False),
        sa.Column("spent_bytes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.PrimaryKeyConstraint("id"),
    )


def _old_table() -> sa.Table:
    return op.create_table(
        OLD,
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


def _rows(table: sa.Table) -> Iterator[Any]:
    bind = op.get_bind()
    query = sa.select(table).order_by(table.c.hearing_id, table.c.id)
    yield from bind.execute(query.execution_options(stream_results=True, yield_per=BATCH))


def _insert(table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        op.get_bind().execute(table.insert(), rows)
        rows.clear()


def _reset_sequence(name: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
        )


def upgrade() -> None:
    new = _new_table()
    old = sa.Table(OLD, sa.MetaData(), autoload_with=op.get_bind())
    batch: list[dict[str, Any]] = []
    hearing, spent = None, 0
    chains: dict[tuple[str, str], ChainState] = {}
    for row in _rows(old):
        if row.hearing_id != hearing:
            hearing, spent, chains = row.hearing_id, 0, {}
        key = (row.segment_id, row.field)
        step = plan(
            row.before, row.after, chain=chains.get(key), spent_bytes=spent, budget_bytes=None
        )
        spent += step.cost_bytes
        chains[key] = ChainState(
            step.after_digest, step.detail, step.rows_since_base, step.bytes_since_base
        )
        batch.append(
            {
                **{name: getattr(row, name) for name in _COMMON},
                "created_at": row.created_at,
                "prefix_chars": step.change.prefix,
                "suffix_chars": step.change.suffix,
                "removed": step.change.removed,
                "inserted": step.change.inserted,
                "base": step.base,
                "detail": step.detail,
                "before_chars": step.before_chars,
                "after_chars": step.after_chars,
                "after_digest": step.after_digest,
                "rows_since_base": step.rows_since_base,
                "bytes_since_base": step.bytes_since_base,
                "spent_bytes": spent,
            }
        )
        if len(batch) >= BATCH:
            _insert(new, batch)
    _insert(new, batch)
    op.drop_index("ix_transcript_revision_segment", table_name=OLD)
    op.drop_table(OLD)
    _reset_sequence(NEW)
    op.create_index("ix_revision_change_hearing", NEW, ["hearing_id", "id"])
    op.create_index("ix_revision_change_chain", NEW, ["hearing_id", "segment_id", "field", "id"])


def downgrade() -> None:
    old = _old_table()
    new = sa.Table(NEW, sa.MetaData(), autoload_with=op.get_bind())
    batch: list[dict[str, Any]] = []
    hearing = None
    texts: dict[tuple[str, str], str | None] = {}
    for row in _rows(new):
        if row.hearing_id != hearing:
            hearing, texts = row.hearing_id, {}
        key = (row.segment_id, row.field)
        change = TextChange(row.prefix_chars, row.suffix_chars, row.removed, row.inserted)
        (pair,) = replay(texts.get(key), [(change, row.base, row.detail)])
        texts[key] = None if pair is None else pair[1]
        before, after = pair if pair is not None else ("", "")
        batch.append(
            {
                **{name: getattr(row, name) for name in _COMMON},
                "created_at": row.created_at,
                "before": before,
                "after": after,
            }
        )
        if len(batch) >= BATCH:
            _insert(old, batch)
    _insert(old, batch)
    op.drop_index("ix_revision_change_chain", table_name=NEW)
    op.drop_index("ix_revision_change_hearing", table_name=NEW)
    op.drop_table(NEW)
    _reset_sequence(OLD)
    op.create_index("ix_transcript_revision_segment", OLD, ["hearing_id", "segment_id"])
