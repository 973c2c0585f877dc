# ruff: noqa: F811  (the hearing server's fixtures are imported by name, then asked for by name)
"""Address service fixtures: the hearing server's app with the address service loaded
(``TINGSHEN_SIDE_SERVICES=["addresses"]``), its world (tests/server/conftest.py), and the two
agencies' simulators as their own processes on 127.0.0.1 (``python -m addresses.simulator``),
sharing their keys with the service through one keys directory.

Each app test runs on SQLite and, with ``TINGSHEN_TEST_DATABASE_URL``, on PostgreSQL.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from addresses.keys import provision
from addresses.service import AddressesService
from court_events.dossier import CASE_FILED, CaseFiled, FiledParty
from hearing_server.context import ServerContext
from hearing_server.models import Case, StaffUser
from tests.serve_process import free_port
from tests.server.conftest import (  # noqa: F401  (fixtures used by the address service's tests)
    PASSWORD,
    START,
    FakeClock,
    World,
    app,
    client,
    clock,
    code_sender,
    ctx,
    fast_passwords,
    login,
    make_client,
    seed_world,
    settings,
    streams,
)
from tingshen_platform.events import publish

DEFENDANT_ID = "440106198503124518"
"""王强 in both simulators' data (addresses/simulator/data)."""
STARTUP_S = 30.0


@dataclass(frozen=True)
class Agencies:
    keys_dir: Path
    urls: dict[str, str]
    logs: dict[str, Path]

    def fault(self, agency: str, mode: str) -> None:
        answer = httpx.post(f"{self.urls[agency]}/sim/faults", json={"mode": mode}, timeout=5)
        assert answer.status_code == 200, answer.text


def _start(agency: str, keys_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "addresses.simulator", "--agency", agency,
               "--port", str(port), "--keys-dir", str(keys_dir)]  # fmt: skip
    with log.open("ab") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_S
    while True:  # poll its health endpoint until it answers
        try:
            if httpx.get(f"{base}/sim/health", timeout=1.0).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"{agency} simulator did not start: {log.read_text()[-2000:]}")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def agencies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agencies]:
    root = tmp_path_factory.mktemp("agencies")
    keys_dir = root / "keys"
    provision(keys_dir, "migrant", "postal")
    procs, urls, logs = [], {}, {}
    try:
        for agency in ("migrant", "postal"):
            logs[agency] = root / f"{agency}.log"
            proc, urls[agency] = _start(agency, keys_dir, logs[agency])
            procs.append(proc)
        yield Agencies(keys_dir, urls, logs)
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(autouse=True)
def _address_env(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Only the address service, its consumer polled by the test, the simulators' URLs."""
    monkeypatch.setenv("TINGSHEN_SIDE_SERVICES", '["addresses"]')
    monkeypatch.setenv("TINGSHEN_ADDRESSES_CONSUMER_POLL_S", "60")
    monkeypatch.setenv("TINGSHEN_ADDRESSES_TIMEOUT_S", "1.5")
    if "agencies" in request.fixturenames:
        agencies: Agencies = request.getfixturevalue("agencies")
        monkeypatch.setenv("TINGSHEN_ADDRESSES_KEYS_DIR", str(agencies.keys_dir))
        monkeypatch.setenv("TINGSHEN_ADDRESSES_MIGRANT_URL", agencies.urls["migrant"])
        monkeypatch.setenv("TINGSHEN_ADDRESSES_POSTAL_URL", agencies.urls["postal"])
        for agency in agencies.urls:
            agencies.fault(agency, "none")


def addresses_service(app: FastAPI) -> AddressesService:
    found = [s for s in app.state.side_services if s.name == "addresses"]
    assert found, "the address service is not loaded"
    service = found[0]
    assert isinstance(service, AddressesService)
    return service


@dataclass(frozen=True)
class AddrWorld:
    hearing: World
    court_id: int
    user_ids: dict[str, int]


@pytest.fixture
def addr_world(app: FastAPI, ctx: ServerContext) -> AddrWorld:
    world = seed_world(ctx)
    with ctx.session_factory() as s:
        case = s.get(Case, world.case_a)
        assert case is not None
        users = {u.username: u.id for u in s.scalars(select(StaffUser))}
        return AddrWorld(world, case.court_id, users)


def file_case(
    app: FastAPI, ctx: ServerContext, world: AddrWorld, *, case_id: int = 701,
    judge: str | None = "judge_a", clerk: str | None = "clerk_a", court_id: int | None = None,
) -> CaseFiled:  # fmt: skip
    """``case.filed`` as the dossier publishes it, handled by the address service's consumer."""
    filed = CaseFiled(
        dossier_case_id=case_id, court_id=court_id or world.court_id,
        court_name="广州市越秀区人民法院", case_number=f"（2026）粤0104民初{case_id}号",
        cause_of_action="民间借贷纠纷", cause_code="C103-3", procedure="ordinary",
        claim_amount_fen=5_000_000,
        judge_user_id=world.user_ids[judge] if judge else None,
        clerk_user_id=world.user_ids[clerk] if clerk else None,
        filed_on=date(2026, 11, 20), filed_at=START,
        parties=[
            FiledParty(party_ref="p-1", role="plaintiff", kind="person", name="陈明"),
            FiledParty(party_ref="p-2", role="defendant", kind="person", name="王强",
                       id_number=DEFENDANT_ID),
        ],
    )  # fmt: skip
    with ctx.engine.begin() as connection:
        publish(connection, CASE_FILED, filed, occurred_at=ctx.clock())
    while addresses_service(app).poll_events():
        pass
    return filed


@pytest.fixture
def staff_client(make_client: Callable[[], TestClient]) -> Callable[[str], TestClient]:
    def make(username: str) -> TestClient:
        browser = make_client()
        login(browser, username)
        return browser

    return make


def ask(browser: TestClient, case_id: int = 701, *, id_number: str = DEFENDANT_ID,
        party_ref: str = "p-2", reason: str = "原告申请，被告下落不明，需核实送达地址") -> Any:  # fmt: skip
    return browser.post(
        f"/api/addresses/cases/{case_id}/lookups",
        json={"party_ref": party_ref, "id_number": id_number, "reason": reason},
    )
