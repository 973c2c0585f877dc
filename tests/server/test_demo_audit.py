"""Demo seeding is idempotent; audit events cannot be changed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hearing_server.demo import CASE_NUMBER, seed_demo
from hearing_server.models import AuditEvent, Case, Participant, StaffUser
from tests.server.conftest import login


def test_demo_seed_is_idempotent_and_usable(ctx, make_client, code_sender):
    first = seed_demo(ctx)
    second = seed_demo(ctx)
    assert set(first.new_passwords) == {"judge", "clerk", "filing", "admin", "finance"}
    assert second.new_passwords == {}
    assert set(second.join_links) == {"原告", "被告"}
    with ctx.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 1
        assert s.scalar(select(func.count()).select_from(StaffUser)) == 5
        assert s.scalar(select(func.count()).select_from(Participant)) == 2
    staff = make_client()
    login(staff, "clerk", first.new_passwords["clerk"])
    assert [c["case_number"] for c in staff.get("/api/cases").json()] == [CASE_NUMBER]
    party = make_client()
    token = second.join_links["原告"].rsplit("/join/", 1)[1]
    summary = party.get(f"/api/join/{token}").json()
    assert summary["hearing"]["cause_of_action"] == "民间借贷纠纷"


def test_audit_events_are_append_only(ctx, client, world):
    login(client, "clerk_a")
    client.post(f"/api/hearings/{world.hearing_a}/open")
    with ctx.session_factory() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "hearing.open")).one()
        event.action = "hearing.close"
        with pytest.raises(RuntimeError, match="append-only"):
            s.commit()
        s.rollback()
        s.delete(event)
        with pytest.raises(RuntimeError, match="append-only"):
            s.commit()
