"""Scheduling actions, their audit trail, lifecycle and input validation."""

from __future__ import annotations

from sqlalchemy import select

from hearing_server.models import AuditEvent
from tests.server.conftest import login

WHEN = "2026-12-10T10:00:00+08:00"


def _audit(ctx, action: str) -> list[AuditEvent]:
    with ctx.session_factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_schedule_reschedule_cancel_are_audited(client, world, ctx):
    login(client, "judge_a")
    body = {"scheduled_at": WHEN, "duration_minutes": 90, "place": "第三法庭"}
    created = client.post(f"/api/cases/{world.case_a}/hearings", json=body)
    assert created.status_code == 201
    hearing = created.json()
    assert hearing["scheduled_at"] == "2026-12-10T02:00:00Z"
    assert hearing["status"] == "scheduled"
    assert hearing["version"] == 1

    moved = client.post(
        f"/api/hearings/{hearing['id']}/reschedule",
        json={"scheduled_at": "2026-12-11T02:00:00Z", "expected_version": 1},
    )
    assert moved.status_code == 200
    assert moved.json()["version"] == 2
    cancelled = client.post(f"/api/hearings/{hearing['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"

    (schedule,) = _audit(ctx, "hearing.schedule")
    assert schedule.actor_kind == "staff"
    assert schedule.case_id == world.case_a
    assert schedule.entity_id == hearing["id"]
    (reschedule,) = _audit(ctx, "hearing.reschedule")
    assert reschedule.details["before"]["scheduled_at"].startswith("2026-12-10T02:00")
    assert reschedule.details["after"]["scheduled_at"].startswith("2026-12-11T02:00")
    (cancel,) = _audit(ctx, "hearing.cancel")
    assert cancel.details["after"]["status"] == "cancelled"


def test_stale_version_conflicts(client, world):
    login(client, "clerk_a")
    body = {"scheduled_at": "2026-12-11T02:00:00Z", "expected_version": 7}
    response = client.post(f"/api/hearings/{world.hearing_a}/reschedule", json=body)
    assert response.status_code == 409
    assert "reload" in response.json()["error"]["message"]


def test_open_close_lifecycle(client, world, ctx):
    login(client, "clerk_a")
    path = f"/api/hearings/{world.hearing_a}"
    assert client.post(f"{path}/close").status_code == 409
    assert client.post(f"{path}/open").json()["status"] == "open"
    refused = client.post(f"{path}/cancel")
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "cannot cancel a hearing that is open"
    assert client.post(f"{path}/close").json()["status"] == "closed"
    assert [e.action for e in _audit(ctx, "hearing.open")] == ["hearing.open"]


def test_cases_create_list_get(client, world, ctx):
    login(client, "clerk_a")
    body = {"case_number": "（2026）粤0104民初200号", "cause_of_action": "买卖合同纠纷"}
    created = client.post("/api/cases", json=body)
    assert created.status_code == 201
    assert client.post("/api/cases", json=body).status_code == 409
    case_id = created.json()["id"]
    assert client.get(f"/api/cases/{case_id}").json()["cause_of_action"] == "买卖合同纠纷"
    assert case_id in [case["id"] for case in client.get("/api/cases").json()]
    assert len(_audit(ctx, "case.create")) == 1


def test_participants_add_and_list(client, world):
    login(client, "clerk_a")
    body = {"display_name": "赵律师", "court_role": "agent", "phone": "+8613900000000"}
    added = client.post(f"/api/hearings/{world.hearing_a}/participants", json=body)
    assert added.status_code == 201
    assert added.json()["role_label_zh"] == "诉讼代理人"
    listed = client.get(f"/api/hearings/{world.hearing_a}/participants").json()
    assert [p["court_role"] for p in listed] == ["plaintiff", "defendant", "agent"]


def test_malformed_input_is_422_with_a_clear_message(client, world):
    login(client, "judge_a")
    naive = {"scheduled_at": "2026-12-10T10:00:00", "duration_minutes": 90, "place": "x"}
    response = client.post(f"/api/cases/{world.case_a}/hearings", json=naive)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert "scheduled_at" in error["message"]
    assert "timezone" in error["message"]

    bad_case = client.post("/api/cases", json={"case_number": "123", "cause_of_action": "x"})
    assert bad_case.status_code == 422
    assert "case_number" in bad_case.json()["error"]["message"]

    missing = client.post(f"/api/cases/{world.case_a}/hearings", json={"place": "x"})
    assert "duration_minutes" in missing.json()["error"]["message"]

    bad_role = client.post(
        f"/api/hearings/{world.hearing_a}/participants",
        json={"display_name": "x", "court_role": "king"},
    )
    assert bad_role.status_code == 422
    assert "court_role" in bad_role.json()["error"]["message"]

    not_json = client.post(
        "/api/auth/login", content=b"{", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 422

    assert client.get("/api/cases/abc").status_code == 422


def test_scheduling_in_the_past_is_refused(client, world):
    login(client, "judge_a")
    body = {"scheduled_at": "2020-01-01T00:00:00Z", "duration_minutes": 30, "place": "x"}
    response = client.post(f"/api/cases/{world.case_a}/hearings", json=body)
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid_input",
        "message": "scheduled_at must be in the future",
        "reason": "scheduled_in_past",
        "params": {},
    }


def test_unknown_route_has_the_error_shape(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
