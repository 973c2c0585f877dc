"""``GET /api/session`` (``hearing_server.api.whoami``): either kind of session is a 200 that
says which it is, with the fields of ``/api/auth/me`` or ``/api/join/me``; no session is 401.
The pages of staff and parties alike (room, editor, signing page) ask it instead of trying the
staff route first (403 for every party)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.server.closing_flow import closed_hearing
from tests.server.conftest import invite, join_as, login
from tests.server.test_sign_links import _dispatch, _sign_token

PATH = "/api/session"


def test_staff_get_their_staff_record(client, world) -> None:
    login(client, "clerk_a")
    answer = client.get(PATH)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"kind": "staff", **client.get("/api/auth/me").json()}
    assert answer.json()["role"] == "clerk"


def test_a_party_gets_their_participant_not_a_403(
    client, make_client, world, code_sender, clock
) -> None:
    clerk = make_client()
    login(clerk, "clerk_a")
    join_as(client, invite(clerk, world.plaintiff_a), code_sender, world.plaintiff_a)
    assert client.get("/api/auth/me").status_code == 403  # what the pages asked first
    answer = client.get(PATH)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"kind": "party", **client.get("/api/join/me").json()}
    assert (answer.json()["participant_id"], answer.json()["scope"]) == (
        world.plaintiff_a,
        "hearing",
    )
    # Both cookies in one browser: the staff member (as the pages decided before).
    login(client, "judge_a")
    assert client.get(PATH).json()["kind"] == "staff"
    client.post("/api/auth/logout")
    assert client.get(PATH).json()["kind"] == "party"
    client.post("/api/join/logout")
    assert client.get(PATH).status_code == 401


def test_no_session_or_an_expired_one_is_401(client, world, clock) -> None:
    answer = client.get(PATH)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "not_authenticated"
    login(client, "judge_a")
    assert client.get(PATH).status_code == 200
    clock.advance(timedelta(hours=2))
    assert client.get(PATH).status_code == 401


def test_a_signing_links_session_is_a_party_of_record_scope(
    app, ctx, world, make_client, code_sender, clock, tmp_path: Path
) -> None:
    court = closed_hearing(app, ctx, world, make_client, code_sender)
    assert court.judge.client.post(f"{court.api}/freeze").status_code == 200
    token = _sign_token(_dispatch(ctx, clock, tmp_path), "13800000001")
    clock.advance(timedelta(days=1))  # a code was sent to this phone on joining: not just now
    party = make_client()
    assert party.post(f"/api/sign-links/{token}/code").status_code == 202
    code = code_sender.last_code_for(world.plaintiff_a)
    assert party.post(f"/api/sign-links/{token}/verify", json={"code": code}).status_code == 200
    me = party.get(PATH).json()
    assert (me["kind"], me["display_name"], me["scope"]) == ("party", "张伟", "record")


def test_the_schema_names_both_answers(client) -> None:
    operation = client.get("/openapi.json").json()["paths"][PATH]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["discriminator"]["propertyName"] == "kind"
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in schema["oneOf"]} == {
        "StaffSessionOut",
        "PartySessionOut",
    }
    assert "4XX" in operation["responses"]  # the 401, as every route declares its refusals
