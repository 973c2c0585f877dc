"""Issue 13, room part, below the browser: the seat book (one page per person holds the seat) and
everyone who took part (for 更改发言人)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from hearing_server import audit
from hearing_server.audit import Actor, EntityRef
from hearing_server.errors import SeatTakenError
from hearing_server.live.hub import TranscriptHub
from hearing_server.live.seats import MAX_DISPLACED, SeatBook
from hearing_server.models import AuditEvent, Hearing, StaffUser
from tests.server.conftest import START, login
from tests.server.live_client import live_of, open_hearing, party_cookie, staff_cookie


def test_newer_page_takes_the_seat_and_the_displaced_one_is_refused() -> None:
    hub = TranscriptHub(started_at=START)
    seats = SeatBook()
    assert seats.claim("participant-1", "a") == []
    _, sub_a = hub.subscribe(key="participant-1")
    seats.subscribed("participant-1", "a", sub_a)
    assert seats.claim("participant-1", "a") == []  # a reconnect of the same page
    assert seats.claim("participant-1", "b") == [sub_a]  # a new page takes over
    assert seats.holder("participant-1") == "b"
    with pytest.raises(SeatTakenError):
        seats.claim("participant-1", "a")  # the displaced page does not take it back by itself
    assert seats.holder("participant-1") == "b"
    assert seats.claim("participant-1", "c") == []  # a reload (new page id) does
    assert seats.claim("participant-2", "a") == []  # seats are per person
    assert seats.claim("participant-1", None) == []  # API clients are not seated
    assert seats.holder("participant-1") == "c"


def test_displaced_pages_are_bounded() -> None:
    seats = SeatBook()
    for n in range(MAX_DISPLACED + 5):
        seats.claim("participant-1", f"p{n}")
    seats.claim("participant-1", "p0")  # forgotten: treated as a new page
    assert seats.holder("participant-1") == "p0"


def test_took_part_lists_participants_and_staff_who_joined(client, world, ctx):
    assert client.get(f"/api/hearings/{world.hearing_a}/took-part").status_code == 401
    with ctx.session_factory() as session:
        judge = session.scalars(select(StaffUser).filter_by(username="judge_a")).one()
        hearing = session.get(Hearing, world.hearing_a)
        assert hearing is not None
        for _ in range(2):  # joined twice (left and came back): listed once
            audit.record(
                session,
                actor=Actor("staff", judge.id),
                action="hearing.join",
                entity=EntityRef("hearing", hearing.id),
                case_id=hearing.case_id,
                details={"speaker": f"staff-{judge.id}", "role": "judge"},
                at=START,
            )
        session.commit()
        judge_id = judge.id
    login(client, "clerk_a")
    people = client.get(f"/api/hearings/{world.hearing_a}/took-part").json()
    assert people == [
        {"key": f"participant-{world.plaintiff_a}", "role": "plaintiff", "name": "张伟"},
        {"key": f"participant-{world.defendant_a}", "role": "defendant", "name": "李娜"},
        {"key": f"staff-{judge_id}", "role": "judge", "name": "judge_a"},
    ]
    assert client.get("/api/hearings/999999/took-part").status_code == 404


def test_took_part_is_for_staff_of_the_court(make_client, world, code_sender):
    other = make_client()
    login(other, "clerk_b")
    assert other.get(f"/api/hearings/{world.hearing_a}/took-part").status_code == 404
    party = party_cookie(make_client, code_sender, world.plaintiff_a)
    path = f"/api/hearings/{world.hearing_a}/took-part"
    response = make_client().get(path, headers={"cookie": party})
    assert response.status_code == 403, response.text  # a party is not court staff


def test_floor_queue_grant_and_who_may(make_client, world, code_sender, ctx) -> None:
    live_client = make_client()  # first: its lifespan (loop) owns the live session
    judge = staff_cookie(make_client, "judge_a")
    clerk = staff_cookie(make_client, "clerk_a")
    plaintiff = party_cookie(make_client, code_sender, world.plaintiff_a)
    defendant = party_cookie(make_client, code_sender, world.defendant_a)
    base = f"/api/hearings/{world.hearing_a}/floor"

    def post(cookie: str, path: str, body: Any) -> int:
        response = live_client.post(path, json=body, headers={"cookie": cookie})
        return int(response.status_code)

    assert post(plaintiff, f"{base}/hand", {"raised": True}) == 409  # not open yet
    open_hearing(ctx, world.hearing_a)
    assert post(plaintiff, f"{base}/hand", {"raised": True}) == 204
    assert post(defendant, f"{base}/hand", {"raised": True}) == 204
    assert post(plaintiff, f"{base}/hand", {"raised": True}) == 204  # once in the queue
    p_key, d_key = f"participant-{world.plaintiff_a}", f"participant-{world.defendant_a}"
    grant = {"action": "grant", "speaker": d_key}
    assert post(plaintiff, base, grant) == 403  # only the bench grants
    assert post(clerk, base, grant) == 403
    assert post(judge, base, {"action": "shout", "speaker": d_key}) == 422
    assert post(judge, base, {"action": "grant", "speaker": "participant-99999"}) == 404
    assert post(judge, base, grant) == 204
    with ctx.session_factory() as session:
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.like("floor.%"))
            .order_by(AuditEvent.id)
        ).all()
    assert list(actions) == ["floor.hand", "floor.hand", "floor.grant"]
    path = f"/ws/hearings/{world.hearing_a}/transcript"
    with live_client.websocket_connect(path, headers={"cookie": judge}) as ws:
        floor = ws.receive_json()["floor"]  # a reload sees the queue and the holder again
    assert floor["holder"]["speaker"] == d_key
    assert floor["holder"]["display_name"] == "李娜"
    assert [s["speaker"] for s in floor["queue"]] == [p_key]
    assert post(judge, base, {"action": "lower", "speaker": p_key}) == 204
    assert post(judge, base, {"action": "end"}) == 204
    floor_state = live_of_hub(live_client, world.hearing_a)
    assert floor_state == {"queue": [], "holder": None}


def live_of_hub(client: object, hearing_id: int) -> object:
    app = client.app  # type: ignore[attr-defined]
    return live_of(app, hearing_id).floor.message()


def test_snapshot_says_whether_the_server_records() -> None:
    hub = TranscriptHub(started_at=START)
    assert hub.snapshot()["recording"] is False
    hub.recording = True
    assert hub.snapshot()["recording"] is True
