"""Witnesses over HTTP (the C2SP tlog-witness protocol, the app served in-process by Starlette's
test client): cosigning, a 2-of-3 quorum, and refusals of a forked or rolled-back log with
their reasons; a witness restarted from its state file still remembers."""

from __future__ import annotations

import hashlib
from itertools import count
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from ledger.log.cosign import Quorum, count_cosignatures
from ledger.log.note import NoteSigner
from ledger.store import checkpoint_at
from ledger.witness import Witness, init_state
from ledger.witness_client import Poster, WitnessEndpoint, add_checkpoint_body, witness_checkpoint
from ledger.witness_http import create_witness_app
from ledger.writer import LogWriter
from tests.ledger.conftest import LOG_KEY, ORIGIN, make_entry, prepare
from tingshen_platform.db import make_engine

WITNESS_KEYS = [NoteSigner(f"witness-{n}", hashlib.sha256(b"w%d" % n).digest()) for n in range(3)]
QUORUM = Quorum(tuple(k.verifier() for k in WITNESS_KEYS), 2)


class World:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.ticks = count(1_800_000_000)
        self.witnesses = []
        for key in WITNESS_KEYS:
            state = tmp_path / f"{key.name}.json"
            init_state(state, ORIGIN, LOG_KEY.verifier())
            self.witnesses.append(Witness(key, state, lambda: next(self.ticks)))

    def endpoints(self, which: list[int] | None = None) -> list[WitnessEndpoint]:
        chosen = range(3) if which is None else which
        return [
            WitnessEndpoint(
                WITNESS_KEYS[i].verifier(),
                # Starlette's TestClient is an httpx.Client; mypy does not see its post() as ours.
                cast(
                    Poster,
                    TestClient(create_witness_app(self.witnesses[i]), base_url="http://witness"),
                ),
            )
            for i in chosen
        ]


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def grow(writer: LogWriter, start: int, stop: int, forged_at: int | None = None) -> None:
    for n in range(start, stop):
        writer.append(make_entry(n=n, kind="order.revoked" if n == forged_at else "order.applied"))


def fork_of(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'fork.db'}")
    prepare(engine)
    return engine


def test_three_witnesses_cosign_and_the_quorum_counts(engine, world):
    w = LogWriter(engine, LOG_KEY, ORIGIN, checkpoint_every=4)
    grow(w, 0, 4)
    met, outcomes = witness_checkpoint(engine, w.tree, 4, world.endpoints([0]), QUORUM)
    assert (met, [o.reason for o in outcomes]) == (False, ["cosigned"])
    met, outcomes = witness_checkpoint(engine, w.tree, 4, world.endpoints(), QUORUM)
    assert met and [o.cosigned for o in outcomes] == [True, True, True]
    grow(w, 4, 12)  # witnesses go on from the size they cosigned, with consistency proofs
    met, _ = witness_checkpoint(engine, w.tree, 12, world.endpoints([1, 2]), QUORUM)
    with engine.connect() as connection:
        stored = checkpoint_at(connection, 12)
    assert stored is not None and met
    assert count_cosignatures(stored.note, QUORUM) == (True, ("witness-1", "witness-2"))
    assert world.witnesses[0].state.size == 4 and world.witnesses[1].state.size == 12


def test_a_forked_log_shown_to_two_witnesses_gets_no_second_quorum(engine, world, tmp_path):
    honest = LogWriter(engine, LOG_KEY, ORIGIN, checkpoint_every=4)
    grow(honest, 0, 8)
    fork_engine = fork_of(tmp_path)
    forked = LogWriter(fork_engine, LOG_KEY, ORIGIN, checkpoint_every=4)
    grow(forked, 0, 8, forged_at=5)  # same key, same first checkpoint, another leaf 5
    assert honest.tree.root(4) == forked.tree.root(4) and honest.tree.root() != forked.tree.root()
    assert witness_checkpoint(engine, honest.tree, 4, world.endpoints(), QUORUM)[0]
    assert witness_checkpoint(engine, honest.tree, 8, world.endpoints([0, 1]), QUORUM)[0]
    # The fork's checkpoint 8 is shown to witnesses 1 and 2 (they answer 409 with their sizes).
    met, outcomes = witness_checkpoint(fork_engine, forked.tree, 8, world.endpoints([1, 2]), QUORUM)
    assert not met
    assert outcomes[0].reason.startswith("checkpoint.fork")  # witness 1 cosigned the honest 8
    assert outcomes[1].cosigned  # witness 2 had only seen 4: one cosignature, no quorum


def test_a_rolled_back_log_and_other_refusals(engine, world):
    w = LogWriter(engine, LOG_KEY, ORIGIN, checkpoint_every=4)
    grow(w, 0, 8)
    assert witness_checkpoint(engine, w.tree, 8, world.endpoints([0]), QUORUM)[1][0].cosigned
    witness = world.witnesses[0]
    with engine.connect() as connection:
        four = checkpoint_at(connection, 4)
    assert four is not None
    note = four.note.render()
    claims_four = witness.add_checkpoint(add_checkpoint_body(4, [], note))
    assert (claims_four.status, claims_four.body) == (409, "8\n")
    back = witness.add_checkpoint(add_checkpoint_body(8, [], note))
    assert back.status == 422 and back.body.startswith("checkpoint.rollback")
    stranger = NoteSigner("intermediate-court-log", bytes(32))  # same name, another key
    forged = note.replace(note.split("\n\n")[1], stranger.sign(note.split("\n\n")[0] + "\n").line())
    assert witness.add_checkpoint(add_checkpoint_body(8, [], forged)).status == 403
    assert witness.add_checkpoint("old x\n\n" + note).status == 400
    assert witness.state.size == 8


def test_a_restarted_witness_remembers_what_it_cosigned(engine, world, tmp_path):
    w = LogWriter(engine, LOG_KEY, ORIGIN, checkpoint_every=4)
    grow(w, 0, 8)
    witness_checkpoint(engine, w.tree, 8, world.endpoints([0]), QUORUM)
    fork_engine = fork_of(tmp_path)
    forked = LogWriter(fork_engine, LOG_KEY, ORIGIN, checkpoint_every=4)
    grow(forked, 0, 12, forged_at=2)
    restarted = Witness(WITNESS_KEYS[0], tmp_path / "witness-0.json", lambda: 1)
    with fork_engine.connect() as connection:
        twelve = checkpoint_at(connection, 12)
    assert twelve is not None
    answer = restarted.add_checkpoint(
        add_checkpoint_body(8, forked.tree.consistency_proof(8, 12), twelve.note.render())
    )
    assert answer.status == 422 and answer.body.startswith("checkpoint.fork")
    with pytest.raises(FileExistsError):
        init_state(tmp_path / "witness-0.json", ORIGIN, LOG_KEY.verifier())


def test_the_witness_http_face_refuses_large_and_non_utf8_bodies(world):
    client = TestClient(create_witness_app(world.witnesses[0]), base_url="http://witness")
    assert client.post("/add-checkpoint", content=b"x" * (64 * 1024 + 1)).status_code == 413
    assert client.post("/add-checkpoint", content=b"old 0\n\n\xff").status_code == 400
    assert client.get("/add-checkpoint").status_code == 405
    assert world.witnesses[0].state.size == 0
