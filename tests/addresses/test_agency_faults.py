"""An agency that hangs, answers garbage, refuses our signature or is down: the look-up ends
with each agency's outcome named, keeps what the others found, and is never left half-done."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from addresses.keys import provision
from hearing_server.context import ServerContext
from tests.addresses.conftest import AddrWorld, Agencies, addresses_service, ask, file_case


def test_a_hanging_agency_times_out_and_the_others_results_are_kept(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld, agencies: Agencies,
    staff_client: Callable[[str], TestClient],
) -> None:  # fmt: skip
    file_case(app, ctx, addr_world)
    agencies.fault("migrant", "hang")
    started = time.monotonic()
    answer = ask(staff_client("clerk_a"))
    took = time.monotonic() - started
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["status"] == "partial"
    outcome = {s["name"]: (s["status"], s["detail"]) for s in body["sources"]}
    assert outcome["migrant"] == ("timeout", "no answer within 1.5 s")
    assert outcome["postal"][0] == "ok"
    assert 1.4 < took < 10  # the timeout (1.5 s), not the simulator's hour
    # the postal records only: delivered 2026-11-20 (40 + 30) and mailing 2025-01-10 (25 + 8)
    assert [(r["score"], [rec["source"] for rec in r["records"]]) for r in body["results"]] == [
        (70, ["postal"]),
        (33, ["postal"]),
    ]


@pytest.mark.parametrize(
    ("mode", "status", "detail"),
    [
        ("garbage", "garbage", "answer of the wrong shape (1 errors)"),  # signed, not JSON
        ("unsigned", "garbage", "answer not signed by the agency"),
        ("wrong_shape", "garbage", "answer of the wrong shape (1 errors)"),
        ("huge", "garbage", "answer too large"),
        ("error", "error", "HTTP 500"),
    ],
)
def test_an_agency_answering_garbage_is_named_and_ignored(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld, agencies: Agencies,
    staff_client: Callable[[str], TestClient], mode: str, status: str, detail: str,
) -> None:  # fmt: skip
    file_case(app, ctx, addr_world)
    agencies.fault("postal", mode)
    body = ask(staff_client("clerk_a")).json()
    assert body["status"] == "partial"
    assert {s["name"]: (s["status"], s["detail"]) for s in body["sources"]}["postal"] == (
        status, detail
    )  # fmt: skip
    assert {rec["source"] for r in body["results"] for rec in r["records"]} == {"migrant"}


def test_when_no_agency_answers_the_look_up_failed_and_is_audited(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld, agencies: Agencies,
    staff_client: Callable[[str], TestClient],
) -> None:  # fmt: skip
    file_case(app, ctx, addr_world)
    agencies.fault("postal", "error")
    agencies.fault("migrant", "garbage")
    clerk = staff_client("clerk_a")
    body = ask(clerk).json()
    assert body["status"] == "failed" and body["results"] == []
    finished = [a for a in clerk.get("/api/addresses/cases/701/audit").json()["items"]
                if a["action"] == "lookup_finished"]  # fmt: skip
    assert finished[0]["details"]["sources"] == {"migrant": "garbage", "postal": "error"}


def test_an_agency_refuses_a_request_signed_with_another_key(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld, agencies: Agencies,
    staff_client: Callable[[str], TestClient], monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:  # fmt: skip
    other_keys = tmp_path_factory.mktemp("other-keys")
    provision(other_keys, "migrant", "postal")
    service = addresses_service(app)
    from addresses.service import load_connectors

    connectors, _ = load_connectors(service.ctx.settings, other_keys, production=False)
    monkeypatch.setattr(service, "ctx", service.ctx.__class__(
        **{**{f: getattr(service.ctx, f) for f in service.ctx.__dataclass_fields__},
           "connectors": connectors}))  # fmt: skip
    monkeypatch.setattr(app.state, "addresses", service.ctx)
    file_case(app, ctx, addr_world)
    body = ask(staff_client("clerk_a")).json()
    assert body["status"] == "failed"
    assert {s["name"]: (s["status"], s["detail"]) for s in body["sources"]} == {
        "migrant": ("refused", "HTTP 401"), "postal": ("refused", "HTTP 401")
    }  # fmt: skip
