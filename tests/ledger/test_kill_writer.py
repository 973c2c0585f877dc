"""kill -9 of a real writer process in the middle of its appends, three times over: what is left
is whole leaves, a checkpoint every 3 leaves matching them, each consistent with the one before,
and a new writer goes on from there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from ledger.audit import audit_log
from ledger.log.checkpoint import check_extends, open_checkpoint
from ledger.store import log_size
from ledger.tables import checkpoints
from ledger.writer import LogWriter
from tests.ledger.append_forever import CHECKPOINT_EVERY
from tests.ledger.conftest import LOG_KEY, ORIGIN, make_entry

ROOT = Path(__file__).resolve().parents[2]


def run_and_kill(url: str, commits: int) -> int:
    """Start the writer, let it commit ``commits`` batches, kill -9 it; the last size it saw."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.ledger.append_forever", url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    seen = 0
    try:
        for _ in range(commits):
            line = child.stdout.readline()
            assert line.startswith("appended "), f"the writer stopped: {line!r}"
            seen = int(line.split()[1])
        os.kill(child.pid, signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return seen


def check_consistent(engine: Engine, at_least: int) -> int:
    with engine.connect() as connection:
        assert audit_log(connection, LOG_KEY.verifier(), ORIGIN) == []
        size = log_size(connection)
        notes = list(connection.execute(select(checkpoints.c.note).order_by(checkpoints.c.size)))
    assert size >= at_least
    tree = LogWriter(engine, LOG_KEY, ORIGIN, checkpoint_every=CHECKPOINT_EVERY).tree
    sizes = []
    previous = None
    for (note,) in notes:
        cp, _ = open_checkpoint(note, LOG_KEY.verifier(), ORIGIN)
        if previous is not None:
            check_extends(previous, cp, tree.consistency_proof(previous.size, cp.size))
        sizes.append(cp.size)
        previous = cp
    assert sizes == list(range(CHECKPOINT_EVERY, size + 1, CHECKPOINT_EVERY))
    return size


@pytest.mark.slow
def test_kill_9_during_appends_leaves_the_log_and_checkpoints_consistent(engine, database_url):
    size = 0
    for _ in range(3):
        seen = run_and_kill(database_url, commits=15)
        size = check_consistent(engine, at_least=max(seen, size))
    w = LogWriter(engine, LOG_KEY, ORIGIN, checkpoint_every=CHECKPOINT_EVERY)
    assert w.append(make_entry(n=size)) == size
    check_consistent(engine, at_least=size + 1)
