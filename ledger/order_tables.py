"""The order workflow's tables (migration ``l0003``), beside the log's in :mod:`ledger.tables`.

- ``ledger_cases`` / ``ledger_case_parties``: the cases the ledger learnt of from ``case.filed``
  (its judge, its parties and their lawyers' licence numbers), never the dossier's tables.
- ``ledger_orders``: one application and, once decided, the order: its scope (canonical JSON,
  :mod:`ledger.order_rules`), state, the hash of its QR token (never the token), its sealed PDF.
- ``ledger_order_steps``: each step's canonical record and the index of its leaf in the log.
- ``ledger_order_responses``: an institution's answer (documents given, or a refusal).

Order rows change with the workflow; what happened is what the log's leaves say.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ledger.tables import metadata
from tingshen_platform.sqltypes import UTCDateTime

__all__ = ["case_parties", "cases", "order_responses", "order_steps", "orders"]

cases = Table(
    "ledger_cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dossier_case_id", Integer, nullable=False, unique=True),
    Column("court_id", Integer, nullable=False),
    Column("court_name", String(200), nullable=False),
    Column("case_number", String(100), nullable=False),
    Column("cause", String(200), nullable=False),
    Column("judge_user_id", Integer),
    Column("filed_at", UTCDateTime(), nullable=False),
)

case_parties = Table(
    "ledger_case_parties",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("ledger_cases.id"), nullable=False),
    Column("party_ref", String(40), nullable=False),
    Column("role", String(40), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("licence_number", String(32), index=True),
    Column("phone", String(40)),
    Column("email", String(200)),
    UniqueConstraint("case_id", "party_ref", name="uq_ledger_case_parties_ref"),
)

orders = Table(
    "ledger_orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(100), nullable=False, unique=True),
    Column("case_id", Integer, ForeignKey("ledger_cases.id"), nullable=False),
    Column("lawyer_licence", String(32), nullable=False, index=True),
    Column("lawyer_name", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("scope_json", Text, nullable=False),
    Column("applied_json", Text, nullable=False),
    Column("decision_reason", Text),
    Column("judge_name", String(200)),
    Column("token_sha256", String(64), unique=True),
    Column("pdf_key", String(300)),
    Column("pdf_sha256", String(64)),
    Column("revoke_reason", Text),
    Column("applied_at", UTCDateTime(), nullable=False),
    Column("decided_at", UTCDateTime()),
    Column("issued_at", UTCDateTime()),
    Column("revoked_at", UTCDateTime()),
)

order_steps = Table(
    "ledger_order_steps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("ledger_orders.id"), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("leaf_idx", BigInteger, nullable=False, unique=True),
    Column("record_json", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
)

order_responses = Table(
    "ledger_order_responses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("ledger_orders.id"), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("responder", String(200), nullable=False),
    Column("reason", Text),
    Column("files_json", Text, nullable=False),
    Column("leaf_idx", BigInteger, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
)
