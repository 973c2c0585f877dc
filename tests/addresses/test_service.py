"""The service's start and its consumer: keys made outside production and required in it, no
connector without a URL, and a re-delivered ``case.filed`` that changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from addresses.keys import read_key
from addresses.lookup import settle_abandoned
from addresses.service import load_connectors
from addresses.settings import AddressesSettings
from addresses.tables import AddressLookup
from hearing_server.context import ServerContext
from tests.addresses.conftest import AddrWorld, addresses_service, ask, file_case
from tests.server.conftest import FakeClock


def test_keys_are_made_outside_production_and_required_in_it(tmp_path: Path) -> None:
    settings = AddressesSettings(migrant_url="http://127.0.0.1:9", postal_url=None)
    with pytest.raises(RuntimeError, match="ID-number hash key is missing"):
        load_connectors(settings, tmp_path / "prod", production=True)
    off = AddressesSettings(migrant_url=None, postal_url=None)
    assert load_connectors(off, tmp_path / "prod", production=True) == ((), None)  # look-ups off
    assert not (tmp_path / "prod").exists()  # nothing made in production
    connectors, id_key = load_connectors(settings, tmp_path / "dev", production=False)
    assert [c.name for c in connectors] == ["migrant"]
    assert id_key is not None and len(id_key) == 32
    assert read_key(tmp_path / "dev", "migrant") == connectors[0].key
    assert not (tmp_path / "dev" / "postal.key").exists()  # no URL, no connector, no key
    (tmp_path / "dev" / "migrant.key").unlink()
    with pytest.raises(RuntimeError, match="connector migrant: its key is missing"):
        load_connectors(settings, tmp_path / "dev", production=True)
    assert oct((tmp_path / "dev" / "id-hash.key").stat().st_mode & 0o777) == "0o600"


def test_without_a_connector_a_look_up_is_refused_and_nothing_is_written(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld,
    staff_client: Callable[[str], TestClient],
) -> None:  # fmt: skip
    file_case(app, ctx, addr_world)
    clerk = staff_client("clerk_a")
    answer = ask(clerk)
    assert answer.status_code == 503
    assert answer.json()["error"]["message_zh"] == "尚未接入任何外部地址数据库，请联系技术人员"
    assert clerk.get("/api/addresses/cases/701").json()["lookups"] == []
    sources = clerk.get("/api/addresses/sources").json()["items"]
    assert [s["configured"] for s in sources] == [False, False]


def test_a_redelivered_filing_changes_nothing(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld,
    staff_client: Callable[[str], TestClient],
) -> None:  # fmt: skip
    file_case(app, ctx, addr_world)
    file_case(app, ctx, addr_world)  # the same event published again
    assert addresses_service(app).poll_events() == 0
    clerk = staff_client("clerk_a")
    case = clerk.get("/api/addresses/cases/701").json()
    assert [p["party_ref"] for p in case["parties"]] == ["p-1", "p-2"]
    entered = [a for a in clerk.get("/api/addresses/cases/701/audit").json()["items"]
               if a["action"] == "case_entered"]  # fmt: skip
    assert len(entered) == 1


def test_a_look_up_left_running_by_a_stopped_process_is_settled_as_failed(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld,
    staff_client: Callable[[str], TestClient], clock: FakeClock,
) -> None:  # fmt: skip
    file_case(app, ctx, addr_world)
    service = addresses_service(app)
    actx = service.ctx
    with actx.session_factory.begin() as session:
        for minutes_ago in (5, 0):  # one long stale (timeout 1.5 s), one just asked
            session.add(AddressLookup(
                dossier_case_id=701, party_ref="p-2", party_name="王强", id_hash="0" * 64,
                id_tail="4518", reason="核实地址", requested_by_id=1, requested_by="clerk_a",
                requested_role="clerk", requested_at=clock.now - timedelta(minutes=minutes_ago),
                status="running", finished_at=None,
            ))  # fmt: skip
    assert settle_abandoned(actx) == 1
    assert settle_abandoned(actx) == 0
    lookups = staff_client("clerk_a").get("/api/addresses/cases/701").json()["lookups"]
    assert sorted(lk["status"] for lk in lookups) == ["failed", "running"]
    audit = staff_client("clerk_a").get("/api/addresses/cases/701/audit").json()["items"]
    assert [a["actor_name"] for a in audit if a["action"] == "lookup_abandoned"] == ["系统"]
