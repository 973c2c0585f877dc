"""Who may look addresses up: the case's judge and clerk only; other staff of the court are
refused, staff of another court and unknown ids get "not found", a party and anyone without a
session nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hearing_server.context import ServerContext
from hearing_server.notify import RecordingCodeSender
from tests.addresses.conftest import AddrWorld, ask, file_case
from tests.server.conftest import invite, join_as

pytestmark = pytest.mark.usefixtures("agencies")


def test_only_the_cases_judge_and_clerk_look_up(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld,
    staff_client: Callable[[str], TestClient], client: TestClient,
) -> None:  # fmt: skip
    file_case(app, ctx, addr_world, judge=None, clerk="clerk_a")
    clerk = staff_client("clerk_a")
    lookup = ask(clerk).json()
    assert ask(clerk).status_code == 201

    judge = staff_client("judge_a")  # a judge of the court, not of this case
    refused = ask(judge)
    assert refused.status_code == 403
    assert refused.json()["error"]["message_zh"] == "仅本案承办审判员、书记员可以查询当事人地址"
    assert judge.get(f"/api/addresses/lookups/{lookup['id']}").status_code == 403

    recorder = staff_client("recorder_a")
    answer = ask(recorder)
    assert answer.status_code == 403 and "记录员" in answer.json()["error"]["message_zh"]

    other_court = staff_client("clerk_b")
    assert ask(other_court).status_code == 404
    assert other_court.get(f"/api/addresses/lookups/{lookup['id']}").status_code == 404
    assert other_court.get("/api/addresses/cases/701").status_code == 404
    assert other_court.get("/api/addresses/cases/701/audit").status_code == 404
    assert clerk.get("/api/addresses/lookups/999999").status_code == 404
    assert clerk.get("/api/addresses/cases/999999").status_code == 404
    assert ask(clerk, 999999).status_code == 404
    assert ask(clerk, party_ref="p-9").status_code == 404

    assert client.get("/api/addresses/cases/701").status_code == 401
    assert ask(client).status_code == 401
    assert clerk.get("/api/addresses/cases/701").json()["lookups"][0]["requested_by"] == "clerk_a"


def test_a_party_gets_nothing(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld,
    staff_client: Callable[[str], TestClient], make_client: Callable[[], TestClient],
    code_sender: RecordingCodeSender,
) -> None:  # fmt: skip
    file_case(app, ctx, addr_world)
    token = invite(staff_client("clerk_a"), addr_world.hearing.plaintiff_a)
    party = make_client()
    join_as(party, token, code_sender, addr_world.hearing.plaintiff_a)
    answer = ask(party)
    assert answer.status_code == 403
    assert answer.json()["error"]["reason"] == "addr_staff_only"
    assert party.get("/api/addresses/cases/701").status_code == 403


def test_finding_a_case_by_number_is_limited_to_the_court(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld,
    staff_client: Callable[[str], TestClient],
) -> None:  # fmt: skip
    filed = file_case(app, ctx, addr_world)
    clerk = staff_client("clerk_a")
    found = clerk.get("/api/addresses/cases", params={"number": filed.case_number})
    assert found.status_code == 200
    assert [(p["role"], p["name"]) for p in found.json()["parties"]] == [
        ("plaintiff", "陈明"), ("defendant", "王强")
    ]  # fmt: skip
    assert staff_client("clerk_b").get(
        "/api/addresses/cases", params={"number": filed.case_number}
    ).status_code == 404  # fmt: skip
    sources = clerk.get("/api/addresses/sources").json()["items"]
    assert [(s["name"], s["configured"]) for s in sources] == [("migrant", True), ("postal", True)]
