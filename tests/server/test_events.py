"""The hearing server tells the side services what happened: case and hearing events in the
platform's outbox, written in the transaction of the change (docs/events.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Connection, select

from hearing_server.context import ServerContext
from hearing_server.errors import ConflictError
from hearing_server.events import CASE_CREATED, HEARING_EVENTS
from hearing_server.models import StaffUser
from hearing_server.scheduling import do_create_case, do_schedule_hearing, do_transition_hearing
from tests.server.conftest import START
from tingshen_platform.events import Event, EventConsumer


def _staff(ctx: ServerContext, username: str) -> StaffUser:
    with ctx.session_factory() as s:
        return s.scalars(select(StaffUser).where(StaffUser.username == username)).one()


def _events(ctx: ServerContext) -> list[Event]:
    seen: list[Event] = []

    def keep(_: Connection, event: Event) -> None:
        seen.append(event)

    EventConsumer(
        ctx.engine, "test", keep, types={"case.created"} | {t.name for t in HEARING_EVENTS.values()}
    ).poll_once()
    return seen


def test_a_case_and_its_hearing_from_scheduling_to_closing_are_events(ctx, world) -> None:
    clerk = _staff(ctx, "clerk_a")
    with ctx.session_factory() as s:
        case = do_create_case(
            s, ctx, staff=clerk, case_number="(2026)粤0104民初777号", cause="买卖合同纠纷"
        )
        hearing = do_schedule_hearing(
            s,
            ctx,
            staff=clerk,
            case_id=case.id,
            scheduled_at=START + timedelta(days=3),
            duration_minutes=60,
            place="第二法庭",
        )
        do_transition_hearing(
            s, ctx, staff=clerk, hearing_id=hearing.id, action="open", expected_version=1
        )
        with pytest.raises(ConflictError):  # refused: nothing happened, nothing is told
            do_transition_hearing(
                s, ctx, staff=clerk, hearing_id=hearing.id, action="close", expected_version=1
            )
        s.rollback()
        do_transition_hearing(
            s, ctx, staff=clerk, hearing_id=hearing.id, action="close", expected_version=2
        )

    events = [e for e in _events(ctx) if e.payload.get("case_id") == case.id]
    assert [e.type for e in events] == [
        "case.created",
        "hearing.scheduled",
        "hearing.opened",
        "hearing.closed",
    ]
    created = events[0].parse(CASE_CREATED)
    assert (
        created.case_number == "(2026)粤0104民初777号" and created.cause_of_action == "买卖合同纠纷"
    )
    closed = events[-1].parse(HEARING_EVENTS["close"])
    assert (closed.hearing_id, closed.status, closed.version) == (hearing.id, "closed", 3)
    assert closed.case_number == "(2026)粤0104民初777号" and closed.place == "第二法庭"
    assert {e.stream for e in events[1:]} == {f"hearing:{hearing.id}"}
