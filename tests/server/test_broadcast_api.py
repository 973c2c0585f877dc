"""Issue 13, public broadcast: the bench's switch (authorised, validated, audited) and the public
endpoints observers use (nothing visible while public viewing is off)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from hearing_server.context import ServerContext
from hearing_server.models import AuditEvent, Hearing, HearingStatus
from tests.server.conftest import World, login
from tests.server.live_client import party_cookie


def _url(world: World) -> str:
    return f"/api/hearings/{world.hearing_a}/broadcast"


def test_judge_allows_public_viewing_and_observers_see_the_hearing(
    client: TestClient, ctx: ServerContext, world: World
) -> None:
    login(client, "judge_a")
    before = client.get(_url(world))
    assert before.status_code == 200, before.text
    assert before.json() == {
        "public_viewing": False,
        "delay_s": 30,
        "watch_url": None,
        "on_air": False,
        "observers": 0,
    }
    on = client.put(_url(world), json={"public_viewing": True, "delay_s": 45})
    assert on.status_code == 200, on.text
    body = on.json()
    assert body["public_viewing"] and body["delay_s"] == 45 and not body["on_air"]
    token = body["watch_url"].rsplit("/watch/", 1)[1]

    observer = TestClient(client.app)
    observer.portal = client.portal  # the same running app
    seen = observer.get(f"/api/watch/{token}", params={"viewer": "v" * 16})
    assert seen.status_code == 200, seen.text
    state = seen.json()
    assert state["public"] and state["delay_s"] == 45 and state["lines"] == []
    assert state["case_number"] == "(2026)粤0104民初123号" and state["playlist"] is None
    assert client.get(_url(world)).json()["observers"] == 1
    assert observer.get(f"/watch/{token}/live.m3u8").status_code == 404  # nothing written yet

    off = client.put(_url(world), json={"public_viewing": False})
    assert off.status_code == 200 and off.json()["delay_s"] == 45
    closed = observer.get(f"/api/watch/{token}").json()
    assert not closed["public"] and closed["lines"] == [] and closed["playlist"] is None
    assert observer.get(f"/watch/{token}/media/1/seg00000.ts").status_code == 404
    # Opening again keeps the same link.
    again = client.put(_url(world), json={"public_viewing": True}).json()
    assert again["watch_url"] == body["watch_url"]
    with ctx.session_factory() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "hearing.public_viewing")
            .order_by(AuditEvent.id)
        ).all()
    assert [e.details["public_viewing"] for e in events] == [True, False, True]
    assert events[0].details["before"] == {"public_viewing": False, "delay_s": None}


def test_bad_input_is_a_clear_4xx_and_changes_nothing(
    client: TestClient, ctx: ServerContext, world: World
) -> None:
    login(client, "clerk_a")
    for body in (
        {"public_viewing": True, "delay_s": 1},
        {"public_viewing": True, "delay_s": 601},
        {"public_viewing": "maybe"},
        {"public_viewing": True, "extra": 1},
        {},
    ):
        assert client.put(_url(world), json=body).status_code == 422, body
    assert client.get("/api/watch/not-a-token").status_code == 404
    assert client.get("/api/watch/" + "x" * 80).status_code == 404
    with ctx.session_factory() as session:
        hearing = session.get(Hearing, world.hearing_a)
        assert hearing is not None and not hearing.public_viewing
        hearing.status = HearingStatus.CLOSED
        session.commit()
    assert client.put(_url(world), json={"public_viewing": True}).status_code == 409


def test_only_the_bench_of_the_court_switches_public_viewing(
    make_client: Callable[[], TestClient], world: World, code_sender
) -> None:
    anonymous = make_client()
    assert anonymous.get(_url(world)).status_code == 401
    assert anonymous.put(_url(world), json={"public_viewing": True}).status_code == 401
    recorder = make_client()
    login(recorder, "recorder_a")
    assert recorder.put(_url(world), json={"public_viewing": True}).status_code == 403
    other_court = make_client()
    login(other_court, "clerk_b")
    assert other_court.put(_url(world), json={"public_viewing": True}).status_code == 404
    party = make_client()
    party.headers["Cookie"] = party_cookie(make_client, code_sender, world.plaintiff_a)
    assert party.put(_url(world), json={"public_viewing": True}).status_code == 403
