"""The writer over the database: leaves and checkpoints every N, proofs from what is stored,
several courts each with its own key, refused entries, append-only triggers."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from ledger.db import upgrade_ledger
from ledger.entries import EntryError, open_leaf
from ledger.log.checkpoint import open_checkpoint
from ledger.log.merkle import leaf_hash, verify_inclusion
from ledger.log.note import NoteSigner
from ledger.store import LedgerError, checkpoint_at, court_keys, latest_checkpoint, log_size
from ledger.writer import LogWriter
from tests.ledger.conftest import COURTS, LOG_KEY, ORIGIN, MakeEntry


def writer(engine: Engine, every: int = 4) -> LogWriter:
    return LogWriter(engine, LOG_KEY, ORIGIN, checkpoint_every=every)


def test_entries_become_leaves_and_every_fourth_a_checkpoint(engine, entry: MakeEntry):
    w = writer(engine)
    indices = [w.append(entry(court, n)) for n, court in enumerate(list(COURTS) * 5)]
    assert indices == list(range(10))
    with engine.connect() as connection:
        assert log_size(connection) == 10
        latest = latest_checkpoint(connection)
        assert latest is not None and latest.checkpoint.size == 8
        assert [checkpoint_at(connection, s) is not None for s in (4, 8, 10)] == [True, True, False]
        keys = court_keys(connection)
        data = connection.execute(text("SELECT data FROM ledger_leaves WHERE idx = 5")).scalar_one()
    cp, _ = open_checkpoint(latest.render(), LOG_KEY.verifier(), ORIGIN)
    index, step = open_leaf(bytes(data), keys)
    assert (index, step.court) == (5, "dongcheng-district")
    verify_inclusion(5, cp.size, leaf_hash(bytes(data)), w.tree.inclusion_proof(5, 8), cp.root_hash)
    assert w.checkpoint().size == 10  # on demand, for the leaves since the last one


def test_a_second_writer_continues_the_same_log(engine, entry: MakeEntry):
    first, second = writer(engine), writer(engine)
    first.append(entry(n=0))
    assert second.append(entry(n=1)) == 1  # it caught up with the first writer's leaf
    assert first.append_many([entry(n=2), entry(n=3)]) == [2, 3]
    assert writer(engine).tree.root() == first.tree.root()


def test_entries_the_log_refuses(engine, entry: MakeEntry):
    w = writer(engine)
    stranger = NoteSigner("nowhere-court", bytes(32))
    from ledger.entries import Entry, sign_entry

    foreign = sign_entry(
        Entry("nowhere-court", "order.applied", "X1", w._clock(), "0" * 64), stranger
    )
    with pytest.raises(EntryError) as unknown:
        w.append(foreign)
    assert unknown.value.reason == "entry.unknown_court"
    forged = entry("dongcheng-district", 1).replace(b"order.applied", b"order.revoked")
    with pytest.raises(EntryError) as bad:
        w.append(forged)
    assert bad.value.reason == "entry.bad_signature"
    with pytest.raises(EntryError) as wrong:  # a court cannot sign in another court's name
        sign_entry(
            Entry("dongcheng-district", "order.applied", "X1", w._clock(), "0" * 64),
            COURTS["zhongyuan-intermediate"],
        )
    assert wrong.value.reason == "entry.wrong_court"
    with pytest.raises(EntryError):  # all or none: the good entry before it is not kept
        w.append_many([entry(n=2), forged])
    with engine.connect() as connection:
        assert log_size(connection) == 0
    assert w.tree.size == 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_leaves SET kind = 'order.revoked' WHERE idx = 0",
        "DELETE FROM ledger_leaves WHERE idx = 1",
        "UPDATE ledger_checkpoints SET note = 'x' WHERE size = 2",
        "DELETE FROM ledger_checkpoints",
    ],
)
def test_the_database_refuses_to_update_or_delete(engine, entry: MakeEntry, statement):
    writer(engine, every=2).append_many([entry(n=0), entry(n=1)])
    with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    with engine.connect() as connection:
        assert log_size(connection) == 2
        assert latest_checkpoint(connection) is not None


def test_migrations_go_down_and_up_again(engine):
    upgrade_ledger(engine, "base", downgrade=True)
    with engine.connect() as connection:
        assert "ledger_leaves" not in engine.dialect.get_table_names(connection)
    upgrade_ledger(engine)


def test_a_batch_that_fails_half_way_leaves_the_tree_as_the_database_is(engine, entry: MakeEntry):
    """A checkpoint row of size 2 planted after the writer started (as if another writer had
    taken it): the batch's leaves 0 and 1 go in, the checkpoint they complete conflicts, the
    transaction rolls back, the writer forgets the leaves it had added in memory, retries, and
    gives up with ``log.busy``; nothing of the batch is kept."""
    from datetime import UTC, datetime

    from ledger.tables import checkpoints

    w = writer(engine, every=2)
    with engine.begin() as connection:
        connection.execute(
            checkpoints.insert().values(
                size=2, root_hash=bytes(32), note="planted", created_at=datetime.now(UTC)
            )
        )
    with pytest.raises(LedgerError) as busy:
        w.append_many([entry(n=0), entry(n=1)])
    assert busy.value.reason == "log.busy"
    assert w.tree.size == 0
    with engine.connect() as connection:
        assert log_size(connection) == 0
