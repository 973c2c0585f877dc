"""The ledger as a side service of the hearing server (``TINGSHEN_SIDE_SERVICES=["ledger"]``):
keys made outside production and required in it, and the public read-only API of checkpoints
and consistency proofs, with its refusals."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from subprocess import Popen

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ledger.entries import Entry, sign_entry
from ledger.keys import load_key, write_private_key
from ledger.log.checkpoint import open_checkpoint
from ledger.log.cosign import count_cosignatures
from ledger.log.merkle import verify_consistency
from ledger.log.note import NoteSigner, parse_note
from ledger.service import LedgerService
from ledger.settings import LedgerSettings
from ledger.witness import init_state
from tests.ledger.conftest import T0
from tests.ledger.test_cli import start_witness
from tests.serve_process import free_port


@pytest.fixture(autouse=True)
def _ledger_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINGSHEN_SIDE_SERVICES", '["ledger"]')
    monkeypatch.setenv("TINGSHEN_LEDGER_CHECKPOINT_EVERY", "16")


def ledger_of(app: FastAPI) -> LedgerService:
    found = [s for s in app.state.side_services if s.name == "ledger"]
    assert found and isinstance(found[0], LedgerService)
    return found[0]


def test_keys_are_made_outside_production_and_required_in_it(tmp_path: Path):
    with pytest.raises(RuntimeError, match="missing"):
        load_key(tmp_path / "prod", "tingshen-ledger", production=True)
    made = load_key(tmp_path / "dev", "tingshen-ledger", production=False)
    assert load_key(tmp_path / "dev", "tingshen-ledger", production=True) == made
    assert oct((tmp_path / "dev" / "tingshen-ledger.key").stat().st_mode & 0o777) == "0o600"


def test_the_public_api_serves_checkpoints_and_consistency_proofs(app: FastAPI, client: TestClient):
    ledger = ledger_of(app)
    empty = client.get("/api/ledger/checkpoint")
    assert empty.status_code == 404 and empty.json()["error"]["message_zh"] == "账本尚无检查点"
    for n in range(40):
        entry = Entry("court", "order.applied", f"调令{n}", T0 + timedelta(minutes=n),
                      hashlib.sha256(b"%d" % n).hexdigest())  # fmt: skip
        ledger.writer.append(sign_entry(entry, ledger.court))
    latest = client.get("/api/ledger/checkpoint")
    assert latest.status_code == 200
    new, _ = open_checkpoint(latest.text, ledger.log_key, ledger.settings.origin)
    assert new.size == 32
    old, _ = open_checkpoint(
        client.get("/api/ledger/checkpoints/16").text, ledger.log_key, ledger.settings.origin
    )
    answer = client.get("/api/ledger/proof/consistency", params={"old": 16, "new": 32})
    assert answer.status_code == 200
    proof = [base64.b64decode(line) for line in answer.text.split()]
    verify_consistency(16, 32, old.root_hash, new.root_hash, proof)


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/ledger/checkpoints/0", {}, 422),
        ("/api/ledger/checkpoints/17", {}, 404),
        ("/api/ledger/checkpoints/x", {}, 422),
        ("/api/ledger/proof/consistency", {"old": 0, "new": 16}, 422),
        ("/api/ledger/proof/consistency", {"old": 32, "new": 16}, 422),
        ("/api/ledger/proof/consistency", {"old": 16, "new": 48}, 404),
        ("/api/ledger/proof/consistency", {"old": "a", "new": 16}, 422),
    ],
)
def test_bad_requests_are_refused(app: FastAPI, client: TestClient, path, params, status):
    ledger = ledger_of(app)
    for n in range(32):
        entry = Entry(
            "court", "order.applied", f"调令{n}", T0, hashlib.sha256(b"%d" % n).hexdigest()
        )
        ledger.writer.append(sign_entry(entry, ledger.court))
    assert client.get(path, params=params).status_code == status


@pytest.fixture
def witness_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[Popen[str]]]:
    """Three ``tingshen witness serve`` processes on loopback, named in TINGSHEN_LEDGER_WITNESSES
    (before the app is made: ask for this fixture before ``app``)."""
    log_key = load_key(tmp_path / "keys", "tingshen-ledger", production=False)
    monkeypatch.setenv("TINGSHEN_LEDGER_KEYS_DIR", str(tmp_path / "keys"))
    lines, children = [], []
    try:
        for name in ("witness-a", "witness-b", "witness-c"):
            key = NoteSigner.generate(name)
            write_private_key(tmp_path / f"{name}.key", key)
            init_state(tmp_path / f"{name}.json", LedgerSettings().origin, log_key.verifier())
            port = free_port()
            children.append(
                start_witness(tmp_path / f"{name}.json", tmp_path / f"{name}.key", port)
            )
            lines.append(f"{key.verifier().vkey()} http://127.0.0.1:{port}")
        monkeypatch.setenv("TINGSHEN_LEDGER_WITNESSES", json.dumps(lines))
        yield children
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
                child.wait(timeout=30)
            assert child.stdout is not None
            child.stdout.close()


def append(ledger: LedgerService, start: int, stop: int) -> None:
    for n in range(start, stop):
        entry = Entry(
            "court", "order.applied", f"调令{n}", T0, hashlib.sha256(b"%d" % n).hexdigest()
        )
        ledger.writer.append(sign_entry(entry, ledger.court))


def test_three_witness_processes_cosign_and_one_down_still_makes_a_quorum(
    witness_processes: list[Popen[str]], app: FastAPI, client: TestClient
):
    ledger = ledger_of(app)
    assert ledger.witness_now() == (False, [])  # nothing to witness yet
    append(ledger, 0, 20)
    met, outcomes = ledger.witness_now()
    assert met and [o.reason for o in outcomes] == ["cosigned"] * 3
    assert ledger.quorum is not None
    served = parse_note(client.get("/api/ledger/checkpoint").text)
    assert served.text.split("\n")[1] == "20"  # checkpointed on demand, beyond every 16th
    assert count_cosignatures(served, ledger.quorum)[0]
    witness_processes[1].terminate()
    witness_processes[1].wait(timeout=30)
    append(ledger, 20, 25)
    met, outcomes = ledger.witness_now()
    assert met and [o.cosigned for o in outcomes] == [True, False, True]
    assert outcomes[1].reason.startswith("witness.unreachable")
