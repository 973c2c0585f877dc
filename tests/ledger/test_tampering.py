"""Someone with the database owner's rights drops the append-only triggers and edits the log:
the audit names each kind of change, and a writer refuses to go on from a tampered log."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from ledger.audit import audit_log
from ledger.log.merkle import leaf_hash
from ledger.store import LedgerError
from ledger.writer import LogWriter
from tests.ledger.conftest import COURTS, LOG_KEY, ORIGIN, MakeEntry


def build(engine: Engine, entry: MakeEntry, n: int = 8) -> LogWriter:
    w = LogWriter(engine, LOG_KEY, ORIGIN, checkpoint_every=4)
    w.append_many([entry(court, i) for i, court in zip(range(n), list(COURTS) * n, strict=False)])
    return w


def drop_triggers(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in ("ledger_leaves", "ledger_checkpoints"):
            if engine.dialect.name == "postgresql":
                connection.execute(text(f"DROP TRIGGER {table}_append_only ON {table}"))
            else:
                connection.execute(text(f"DROP TRIGGER {table}_no_update"))
                connection.execute(text(f"DROP TRIGGER {table}_no_delete"))


def tamper(engine: Engine, *statements: str, **params: object) -> list[tuple[str, int]]:
    drop_triggers(engine)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), params)
    with engine.connect() as connection:
        return [(f.reason, f.index) for f in audit_log(connection, LOG_KEY.verifier(), ORIGIN)]


def data_of(engine: Engine, idx: int) -> bytes:
    with engine.connect() as connection:
        row = connection.execute(text("SELECT data FROM ledger_leaves WHERE idx = :i"), {"i": idx})
        return bytes(row.scalar_one())


def test_an_untouched_log_has_no_findings(engine, entry):
    build(engine, entry)
    with engine.connect() as connection:
        assert audit_log(connection, LOG_KEY.verifier(), ORIGIN) == []


def test_a_changed_leaf(engine, entry):
    build(engine, entry)
    changed = data_of(engine, 2).replace(b"order.applied", b"order.revoked")
    findings = tamper(engine, "UPDATE ledger_leaves SET data = :d WHERE idx = 2", d=changed)
    assert findings == [
        ("leaf.changed", 2),
        ("entry.bad_signature", 2),
        ("checkpoint.mismatch", 4),
        ("checkpoint.mismatch", 8),
    ]


def test_a_changed_leaf_with_its_hash_recomputed(engine, entry):
    build(engine, entry)
    changed = data_of(engine, 5).replace(b"order.applied", b"order.revoked")
    findings = tamper(
        engine,
        "UPDATE ledger_leaves SET data = :d, leaf_hash = :h WHERE idx = 5",
        d=changed,
        h=leaf_hash(changed),
    )
    assert findings == [("entry.bad_signature", 5), ("checkpoint.mismatch", 8)]


def test_a_removed_leaf(engine, entry):
    build(engine, entry)
    assert tamper(engine, "DELETE FROM ledger_leaves WHERE idx = 6") == [
        ("leaf.removed", 6),
        ("log.rolled_back", 8),  # 7 leaves left under a checkpoint of 8
    ]


def test_a_removed_leaf_with_the_rest_renumbered(engine, entry):
    build(engine, entry)
    findings = tamper(
        engine,
        "DELETE FROM ledger_leaves WHERE idx = 1",
        "UPDATE ledger_leaves SET idx = idx - 1 WHERE idx > 1",
    )
    assert ("leaf.moved", 1) in findings and ("checkpoint.mismatch", 4) in findings
    assert ("log.rolled_back", 8) in findings


def test_reordered_leaves(engine, entry):
    build(engine, entry)
    findings = tamper(
        engine,
        "UPDATE ledger_leaves SET idx = 100 WHERE idx = 1",
        "UPDATE ledger_leaves SET idx = 1 WHERE idx = 2",
        "UPDATE ledger_leaves SET idx = 2 WHERE idx = 100",
    )
    assert findings == [
        ("leaf.moved", 1),
        ("leaf.moved", 2),
        ("checkpoint.mismatch", 4),
        ("checkpoint.mismatch", 8),
    ]


def test_a_rolled_back_log(engine, entry):
    build(engine, entry, n=10)
    assert tamper(engine, "DELETE FROM ledger_leaves WHERE idx >= 6") == [("log.rolled_back", 8)]


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("DELETE FROM ledger_leaves WHERE idx = 3", "log.gap"),
        ("DELETE FROM ledger_leaves WHERE idx >= 6", "log.rolled_back"),
        ("UPDATE ledger_leaves SET leaf_hash = :h WHERE idx = 0", "log.tampered"),
    ],
)
def test_the_writer_refuses_to_go_on_from_a_tampered_log(engine, entry, statement, reason):
    build(engine, entry)
    tamper(engine, statement, h=leaf_hash(b"forged"))
    with pytest.raises(LedgerError) as refused:
        LogWriter(engine, LOG_KEY, ORIGIN, checkpoint_every=4)
    assert refused.value.reason == reason
