"""Issue 13, room part, below the browser: the seat book (one page per person holds the seat) and
everyone who took part (for 更改发言人)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hearing_server import audit
from hearing_server.audit import Actor, EntityRef
from hearing_server.errors import SeatTakenError
from hearing_server.live.hub import TranscriptHub
from hearing_server.live.seats import MAX_DISPLACED, SeatBook
from hearing_server.models import Hearing, StaffUser
from tests.server.conftest import START, invite, join_as, login


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
    other, staff, party = make_client(), make_client(), make_client()
    login(other, "clerk_b")
    assert other.get(f"/api/hearings/{world.hearing_a}/took-part").status_code == 404
    login(staff, "clerk_a")
    join_as(party, invite(staff, world.plaintiff_a), code_sender, world.plaintiff_a)
    assert party.get(f"/api/hearings/{world.hearing_a}/took-part").status_code == 403
