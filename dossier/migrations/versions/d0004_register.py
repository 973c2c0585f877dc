"""The register: hearings of each case, time-limit events, and the search indexes.

On PostgreSQL, case numbers, causes and party names get trigram indexes (``pg_trgm``) so that a
"contains" search (``LIKE '%…%'``) does not scan every row; and party names also an index of
their two-character pieces (``dossier_bigrams(name)``, a GIN index over a text array): most
Chinese names are two or three characters, and a trigram index cannot narrow a two-character
search. On SQLite the plain indexes serve.

Revision ID: d0004
Revises: d0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d0004"
down_revision = "d0007"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
TRIGRAM_INDEXES = (
    ("ix_dossier_cases_number_trgm", "dossier_cases", "case_number"),
    ("ix_dossier_parties_name_trgm", "dossier_parties", "name"),
    ("ix_dossier_cases_cause_trgm", "dossier_cases", "cause_name"),
)


def upgrade() -> None:
    op.create_table(
        "dossier_hearings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("hearing_id", sa.Integer(), nullable=False, unique=True),
        sa.Column("case_number", sa.String(100), nullable=False, index=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("scheduled_at", TS, nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "dossier_time_limit_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("dossier_cases.id"), nullable=False,
                  index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("months", sa.Integer()),
        sa.Column("approver", sa.String(16)),
        sa.Column("approved_by_name", sa.String(200)),
        sa.Column("ground", sa.String(32)),
        sa.Column("on_date", sa.Date()),
        sa.Column("until", sa.Date()),
        sa.Column("reason", sa.String(500)),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_name", sa.String(200), nullable=False),
    )  # fmt: skip
    op.create_index("ix_dossier_cases_court_filed", "dossier_cases", ["court_id", "filed_on", "id"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(BIGRAMS_FUNCTION)
        op.execute(
            "CREATE INDEX ix_dossier_parties_name_bigrams ON dossier_parties "
            "USING gin (dossier_bigrams(name))"
        )
        schema = _trigram_schema(bind)
        if schema is not None:
            for name, table, column in TRIGRAM_INDEXES:
                op.execute(
                    f'CREATE INDEX {name} ON {table} USING gin ({column} "{schema}".gin_trgm_ops)'
                )


BIGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION dossier_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr($1, i, 2)), '{}')
  FROM generate_series(1, char_length($1) - 1) AS i
$$
"""
"""The distinct two-character pieces of a text (``'张小明'`` → ``{小明, 张小}``)."""


def _trigram_schema(bind: sa.Connection) -> str | None:
    """The schema of ``pg_trgm`` (created in ``public`` when missing and allowed); ``None``
    when it cannot be had (then "contains" searches scan, as on SQLite)."""
    found = bind.scalar(
        sa.text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'")
    )  # fmt: skip
    if found is not None:
        return str(found)
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except sa.exc.DBAPIError:
        return None
    return "public"


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name, _, _ in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute("DROP INDEX IF EXISTS ix_dossier_parties_name_bigrams")
        op.execute("DROP FUNCTION IF EXISTS dossier_bigrams(text)")
    op.drop_index("ix_dossier_cases_court_filed", "dossier_cases")
    op.drop_table("dossier_time_limit_events")
    op.drop_table("dossier_hearings")
