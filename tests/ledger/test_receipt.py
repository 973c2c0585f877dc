"""Receipts checked offline: a good one, and each way one can be wrong named — a changed entry,
another leaf's proof, too few witnesses, a checkpoint the log did not sign, a later log that
forked or went back."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ledger.log.errors import LogError
from ledger.log.note import NoteSigner
from ledger.receipt import Receipt, verify_receipt
from ledger.store import checkpoint_at, court_keys, make_receipt
from ledger.witness_client import witness_checkpoint
from ledger.writer import LogWriter
from tests.ledger.conftest import LOG_KEY, ORIGIN
from tests.ledger.test_witness import QUORUM, World, fork_of, grow


def setup(engine: Engine, world: World) -> tuple[LogWriter, Receipt]:
    w = LogWriter(engine, LOG_KEY, ORIGIN, checkpoint_every=4)
    grow(w, 0, 8)
    assert witness_checkpoint(engine, w.tree, 8, world.endpoints(), QUORUM)[0]
    with engine.connect() as connection:
        return w, make_receipt(connection, w.tree, 5, 8)


def check(engine: Engine, receipt: Receipt, **kwargs):
    with engine.connect() as connection:
        keys = court_keys(connection)
    return verify_receipt(
        receipt, log_key=LOG_KEY.verifier(), origin=ORIGIN, court_keys=keys, quorum=QUORUM, **kwargs
    )


def reason_of(engine: Engine, receipt: Receipt, **kwargs) -> str:
    with pytest.raises(LogError) as failed:
        check(engine, receipt, **kwargs)
    return failed.value.reason


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def test_a_good_receipt_survives_json_and_verifies(engine, world):
    _, receipt = setup(engine, world)
    verified = check(engine, Receipt.from_json(receipt.to_json()))
    assert verified.entry.subject == "2026调令00005号" and verified.checkpoint.size == 8
    assert verified.witnesses == ("witness-0", "witness-1", "witness-2")


def test_a_changed_entry_or_another_leafs_proof(engine, world):
    w, receipt = setup(engine, world)
    changed = receipt.leaf.replace(b"order.applied", b"order.revoked")
    assert reason_of(engine, Receipt(5, changed, receipt.inclusion, receipt.checkpoint)) == (
        "entry.bad_signature"
    )
    wrong_proof = tuple(w.tree.inclusion_proof(4, 8))
    assert reason_of(engine, Receipt(5, receipt.leaf, wrong_proof, receipt.checkpoint)) == (
        "inclusion.root_mismatch"
    )
    assert (
        reason_of(engine, Receipt(4, receipt.leaf, wrong_proof, receipt.checkpoint)) == "leaf.moved"
    )
    with pytest.raises(LogError) as malformed:
        Receipt.from_json('{"version": 1, "index": "5"}')
    assert malformed.value.reason == "receipt.malformed"


def test_too_few_witnesses_or_a_checkpoint_the_log_did_not_sign(engine, world):
    w, receipt = setup(engine, world)
    grow(w, 8, 12)
    witness_checkpoint(engine, w.tree, 12, world.endpoints([0]), QUORUM)
    with engine.connect() as connection:
        lonely = make_receipt(connection, w.tree, 5, 12)
    assert reason_of(engine, lonely) == "quorum.not_met"
    impostor = NoteSigner(LOG_KEY.name, bytes(32))
    text = receipt.checkpoint.split("\n\n")[0] + "\n"
    forged = text + "\n" + impostor.sign(text).line()
    assert reason_of(engine, Receipt(5, receipt.leaf, receipt.inclusion, forged)) == (
        "checkpoint.unsigned"
    )


def test_a_later_checkpoint_consistent_forked_or_rolled_back(engine, world, tmp_path):
    w, receipt = setup(engine, world)
    grow(w, 8, 12)
    with engine.connect() as connection:
        twelve = checkpoint_at(connection, 12)
        four = checkpoint_at(connection, 4)
    assert twelve is not None and four is not None
    check(engine, receipt, later=(twelve.render(), w.tree.consistency_proof(8, 12)))
    fork_engine = fork_of(tmp_path)
    forked = LogWriter(fork_engine, LOG_KEY, ORIGIN, checkpoint_every=4)
    grow(forked, 0, 12, forged_at=5)  # the same log key signs a history without step 5
    with fork_engine.connect() as connection:
        other = checkpoint_at(connection, 12)
    assert other is not None
    later = (other.render(), forked.tree.consistency_proof(8, 12))
    assert reason_of(engine, receipt, later=later) == "checkpoint.fork"
    assert reason_of(engine, receipt, later=(four.render(), [])) == "checkpoint.rollback"


def test_the_command_checks_a_receipt_and_names_a_failure(engine, world, tmp_path):
    from typer.testing import CliRunner

    from hearing_server.cli import app
    from tests.ledger.conftest import COURTS
    from tests.ledger.test_witness import WITNESS_KEYS

    w, receipt = setup(engine, world)
    path = tmp_path / "receipt.json"
    path.write_text(receipt.to_json())
    args = [
        "ledger",
        "verify-receipt",
        str(path),
        "--origin",
        ORIGIN,
        "--log-key",
        LOG_KEY.verifier().vkey(),
        "--quorum",
        "2",
    ]
    for court in COURTS.values():
        args += ["--court-key", court.verifier().vkey()]
    for witness in WITNESS_KEYS:
        args += ["--witness-key", witness.verifier().vkey()]
    ok = CliRunner().invoke(app, args)
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.startswith("ok: order.applied 2026调令00005号 by zhongyuan-intermediate")
    grow(w, 8, 12)
    fork_engine = fork_of(tmp_path)
    forked = LogWriter(fork_engine, LOG_KEY, ORIGIN, checkpoint_every=4)
    grow(forked, 0, 12, forged_at=5)
    with fork_engine.connect() as connection:
        other = checkpoint_at(connection, 12)
    assert other is not None
    (tmp_path / "later.txt").write_text(other.render())
    (tmp_path / "proof.txt").write_text(
        "\n".join(base64.b64encode(h).decode() for h in forked.tree.consistency_proof(8, 12))
    )
    bad = CliRunner().invoke(
        app, [*args, "--later", str(tmp_path / "later.txt"), "--proof", str(tmp_path / "proof.txt")]
    )
    assert bad.exit_code == 1 and bad.stdout.startswith("FAILED checkpoint.fork")
