"""The ledger as a side service of the hearing server (``TINGSHEN_SIDE_SERVICES=["ledger"]``):
keys made outside production and required in it, and the public read-only API of checkpoints
and consistency proofs, with its refusals."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ledger.entries import Entry, sign_entry
from ledger.keys import load_key
from ledger.log.checkpoint import open_checkpoint
from ledger.log.merkle import verify_consistency
from ledger.service import LedgerService
from tests.ledger.conftest import T0


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
