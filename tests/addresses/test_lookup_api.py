"""Looking a party's addresses up through the API, against the two simulators as processes:
merging and ranking, the audit trail, the one-click use of an address, and that the ID number
is nowhere in clear (tables, logs, the simulators' logs)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select

from addresses.tables import AddressLookup
from hearing_server.context import ServerContext
from tests.addresses.conftest import (
    DEFENDANT_ID,
    AddrWorld,
    Agencies,
    addresses_service,
    ask,
    file_case,
)

pytestmark = pytest.mark.usefixtures("agencies")


def test_a_look_up_merges_both_agencies_and_ranks_by_hand_worked_scores(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld,
    staff_client: Callable[[str], TestClient],
) -> None:  # fmt: skip
    file_case(app, ctx, addr_world)
    clerk = staff_client("clerk_a")
    answer = ask(clerk)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["status"] == "done"
    assert body["party_name"] == "王强" and body["id_tail"] == "4518"
    assert {s["name"]: s["status"] for s in body["sources"]} == {"migrant": "ok", "postal": "ok"}
    # Look-up on 2026-11-28 (Beijing). The Tianhe address: residence (migrant, 2026-09-15) and
    # delivered (post, 2026-11-20, 8 days: recency 30) -> 40 + 30 + 20 = 90.
    # Haizhu, mailing 2025-01-10 (687 days: 30 - 22 = 8) -> 25 + 8 = 33.
    # Changsha, registered 2019-03-01 (recency 0) -> 15.
    scores = [(r["rank"], r["score"], r["postal_code"]) for r in body["results"]]
    assert scores == [(1, 90, "510620"), (2, 33, "510310"), (3, 15, "410083")]
    first = body["results"][0]
    assert sorted(rec["source"] for rec in first["records"]) == ["migrant", "postal"]
    assert {rec["observed_on"] for rec in first["records"]} == {"2026-09-15", "2026-11-20"}
    assert first["latest_on"] == "2026-11-20"
    assert "天河区体育西路" in first["address"]

    again = clerk.get(f"/api/addresses/lookups/{body['id']}")
    assert again.status_code == 200 and again.json()["results"] == body["results"]
    case = clerk.get("/api/addresses/cases/701").json()
    assert [lk["id"] for lk in case["lookups"]] == [body["id"]]
    audit = clerk.get("/api/addresses/cases/701/audit").json()["items"]
    actions = [(a["action"], a["actor_name"]) for a in audit]
    assert ("lookup_asked", "clerk_a") in actions and ("lookup_finished", "系统") in actions
    asked = next(a for a in audit if a["action"] == "lookup_asked")
    assert asked["details"]["reason"] == "原告申请，被告下落不明，需核实送达地址"
    assert asked["details"]["id_tail"] == "4518"


def test_the_id_number_is_never_kept_or_logged_in_clear(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld, agencies: Agencies,
    staff_client: Callable[[str], TestClient], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    file_case(app, ctx, addr_world)
    with caplog.at_level(logging.DEBUG):
        answer = ask(staff_client("clerk_a"))
    assert answer.status_code == 201
    assert "address look-up" in caplog.text  # the service did log the look-up …
    assert DEFENDANT_ID not in caplog.text  # … without the number
    assert DEFENDANT_ID not in json.dumps(answer.json(), ensure_ascii=False)
    for log in agencies.logs.values():
        assert DEFENDANT_ID not in log.read_text("utf-8", errors="replace")
    metadata = MetaData()
    metadata.reflect(ctx.engine, only=lambda name, _: name.startswith("address"))
    assert len(metadata.tables) == 6
    with ctx.engine.connect() as connection:
        for table in metadata.tables.values():
            for row in connection.execute(select(table)):
                assert DEFENDANT_ID not in json.dumps([str(v) for v in row], ensure_ascii=False)
    with ctx.engine.connect() as connection:
        hashed = connection.execute(select(AddressLookup.id_hash)).scalar_one()
    assert len(hashed) == 64 and DEFENDANT_ID not in hashed


def test_a_wrong_id_number_asks_no_agency_and_writes_nothing(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld,
    staff_client: Callable[[str], TestClient],
) -> None:  # fmt: skip
    file_case(app, ctx, addr_world)
    clerk = staff_client("clerk_a")
    for bad, fragment in (
        ("440106198503124519", "校验位"),  # the check digit of …4518 is 8
        ("440106198502304518", "出生日期"),  # 30 February
        ("44010619850312451", "18位"),
        ("44010619850312451Y", "18位"),
    ):
        answer = ask(clerk, id_number=bad)
        assert answer.status_code == 422, (bad, answer.text)
        error = answer.json()["error"]
        assert error["reason"] == "addr_id_number" and fragment in error["message_zh"]
        assert bad not in answer.text
    assert ask(clerk, reason="查").status_code == 422  # a reason is required (4+ characters)
    assert clerk.get("/api/addresses/cases/701").json()["lookups"] == []
    assert clerk.get("/api/addresses/cases/701/audit").json()["items"][0]["action"] == (
        "case_entered"
    )


def test_using_an_address_says_how_the_delivery_service_takes_it_and_is_audited(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld,
    staff_client: Callable[[str], TestClient],
) -> None:  # fmt: skip
    file_case(app, ctx, addr_world)
    clerk = staff_client("clerk_a")
    lookup = ask(clerk).json()
    base = f"/api/addresses/lookups/{lookup['id']}/results"
    returned = clerk.post(f"{base}/1/use", json={"service_id": 42})
    assert returned.status_code == 200, returned.text
    delivery = returned.json()["delivery"]
    assert delivery["method"] == "POST"
    assert delivery["path"] == "/api/delivery/services/42/again"
    assert delivery["body"] == {
        "channel": "post",
        "postal_address": lookup["results"][0]["address"],
    }
    fresh = clerk.post(f"{base}/2/use", json={}).json()["delivery"]
    assert fresh["page"] == "/delivery/?" + urlencode(
        {"case": 701, "party": "p-2", "address": lookup["results"][1]["address"]}
    )
    assert clerk.post(f"{base}/4/use", json={}).status_code == 404  # three addresses only
    assert clerk.post(f"{base}/0/use", json={}).status_code == 422
    used = [a for a in clerk.get("/api/addresses/cases/701/audit").json()["items"]
            if a["action"] == "address_used"]  # fmt: skip
    assert [(a["details"]["rank"], a["details"]["service_id"]) for a in used] == [
        (2, None),
        (1, 42),
    ]


def test_looking_up_a_party_is_rate_limited(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld,
    staff_client: Callable[[str], TestClient], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    file_case(app, ctx, addr_world)
    file_case(app, ctx, addr_world, case_id=702)
    service = addresses_service(app)
    settings = service.ctx.settings
    monkeypatch.setattr(settings, "per_party_per_day", 2)
    monkeypatch.setattr(settings, "per_staff_per_hour", 4)
    clerk = staff_client("clerk_a")
    answers = [ask(clerk) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].json()["error"]["reason"] == "addr_party_limit"
    assert answers[2].headers["retry-after"] == "3600"
    # every attempt counts against the staff member, the refused one too: 3 so far
    assert ask(clerk, 702).status_code == 201
    over = ask(clerk, 702)
    assert over.status_code == 429 and over.json()["error"]["reason"] == "addr_staff_limit"
    lookups = clerk.get("/api/addresses/cases/701").json()["lookups"]
    assert len(lookups) == 2  # refused look-ups wrote nothing


def test_a_closed_case_is_not_looked_up(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld,
    staff_client: Callable[[str], TestClient],
) -> None:  # fmt: skip
    from datetime import date

    from court_events.dossier import CASE_CLOSED, CaseClosed
    from tingshen_platform.events import publish

    filed = file_case(app, ctx, addr_world)
    closed = CaseClosed(dossier_case_id=701, court_id=filed.court_id,
                        case_number=filed.case_number, closed_on=date(2026, 11, 27),
                        outcome="judgment")  # fmt: skip
    with ctx.engine.begin() as connection:
        publish(connection, CASE_CLOSED, closed, occurred_at=ctx.clock())
    addresses_service(app).poll_events()
    answer = ask(staff_client("clerk_a"))
    assert answer.status_code == 409
    assert answer.json()["error"]["message_zh"] == "本案已结案，不能再查询当事人地址"


def test_a_number_other_than_the_filed_one_is_refused_and_audited(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld,
    staff_client: Callable[[str], TestClient],
) -> None:  # fmt: skip
    file_case(app, ctx, addr_world)  # 王强 filed with …4518
    clerk = staff_client("clerk_a")
    parties = clerk.get("/api/addresses/cases/701").json()["parties"]
    assert [(p["name"], p["filed_id_tail"]) for p in parties] == [("陈明", None), ("王强", "4518")]
    other = "430104199001012030"  # a valid number: 赵磊's, in the migrant registry's data
    answer = ask(clerk, id_number=other)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["reason"] == "addr_id_not_filed"
    assert (
        error["message_zh"] == "身份证号码与立案登记的该当事人身份证号码（尾号4518）不一致，请核对"
    )
    assert other not in answer.text
    assert clerk.get("/api/addresses/cases/701").json()["lookups"] == []
    refused = [a for a in clerk.get("/api/addresses/cases/701/audit").json()["items"]
               if a["action"] == "lookup_refused"]  # fmt: skip
    assert [(a["actor_name"], a["details"]["id_tail"]) for a in refused] == [("clerk_a", "2030")]
    assert ask(clerk, party_ref="p-1", id_number=other).status_code == 201  # none filed for 陈明


def test_a_malformed_request_does_not_echo_the_number(
    app: FastAPI, ctx: ServerContext, addr_world: AddrWorld,
    staff_client: Callable[[str], TestClient], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    file_case(app, ctx, addr_world)
    clerk = staff_client("clerk_a")
    too_long = DEFENDANT_ID * 2  # 36 characters: refused by the body's bounds, before the check
    with caplog.at_level(logging.DEBUG):
        answer = ask(clerk, id_number=too_long)
        extra = clerk.post("/api/addresses/cases/701/lookups",
                           json={"party_ref": "p-2", "id_number": DEFENDANT_ID, "reason": "核实地址",
                                 "note": "x"})  # fmt: skip
    assert answer.status_code == 422 and extra.status_code == 422
    for text in (answer.text, extra.text, caplog.text):
        assert DEFENDANT_ID not in text
