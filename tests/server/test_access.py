"""Court, hearing and role boundaries beyond the route table's answers (message texts, lists
per court, audit rows, link expiry). Every route × actor answer is in
``tests/server/route_table.py`` (``test_route_table.py``)."""

from __future__ import annotations

from datetime import timedelta

from tests.server.conftest import invite, join_as, login

FUTURE = "2026-12-10T02:00:00Z"


def test_party_cannot_do_staff_actions(make_client, world, code_sender):
    staff, party = make_client(), make_client()
    login(staff, "clerk_a")
    join_as(party, invite(staff, world.plaintiff_a), code_sender, world.plaintiff_a)
    for method, path in (
        ("post", f"/api/hearings/{world.hearing_a}/open"),
        ("post", f"/api/hearings/{world.hearing_a}/cancel"),
        ("get", "/api/cases"),
        ("post", f"/api/participants/{world.defendant_a}/invitation"),
    ):
        response = getattr(party, method)(path)
        assert response.status_code == 403, path
        assert response.json() == {
            "error": {"code": "forbidden", "message": "this action is for court staff only"}
        }


def test_staff_of_another_court_cannot_see_or_touch(client, world):
    login(client, "clerk_b")
    assert client.get(f"/api/cases/{world.case_a}").status_code == 404
    assert client.get(f"/api/hearings/{world.hearing_a}").status_code == 404
    assert client.post(f"/api/hearings/{world.hearing_a}/open").status_code == 404
    body = {"scheduled_at": FUTURE, "duration_minutes": 30, "place": "x"}
    assert client.post(f"/api/cases/{world.case_a}/hearings", json=body).status_code == 404
    assert client.post(f"/api/participants/{world.plaintiff_a}/invitation").status_code == 404
    listed = client.get("/api/cases").json()
    assert [case["id"] for case in listed] == [world.case_b]


def test_only_the_clerk_opens_and_only_judge_or_clerk_schedule(make_client, world):
    judge, recorder = make_client(), make_client()
    login(judge, "judge_a")
    login(recorder, "recorder_a")
    response = judge.post(f"/api/hearings/{world.hearing_a}/open")
    assert response.status_code == 403
    assert "clerk" in response.json()["error"]["message"]
    body = {"scheduled_at": FUTURE, "duration_minutes": 30, "place": "第一法庭"}
    denied = recorder.post(f"/api/cases/{world.case_a}/hearings", json=body)
    assert denied.status_code == 403
    assert judge.post(f"/api/cases/{world.case_a}/hearings", json=body).status_code == 201


def test_expired_invitation_is_gone(client, world, clock):
    login(client, "clerk_a")
    token = invite(client, world.plaintiff_a)
    assert client.get(f"/api/join/{token}").status_code == 200
    clock.advance(timedelta(days=8))
    response = client.get(f"/api/join/{token}")
    assert response.status_code == 410
    assert "expired" in response.json()["error"]["message"]
    assert client.post(f"/api/join/{token}/code").status_code == 410


def test_tampered_or_garbage_invitation_is_401(client, world):
    login(client, "clerk_a")
    token = invite(client, world.plaintiff_a)
    payload, signature = token.split(".")
    forged = f"{payload}.{signature[:-2]}AA"
    for bad in (forged, "garbage", "a.b.c"):
        response = client.get(f"/api/join/{bad}")
        assert response.status_code == 401
        assert response.json()["error"] == {
            "code": "invalid_token",
            "message": "this invitation link is not valid",
            "reason": "link_invalid",
            "params": {},
        }


def test_cancelled_hearing_link_is_gone(client, world):
    login(client, "clerk_a")
    token = invite(client, world.plaintiff_a)
    assert client.post(f"/api/hearings/{world.hearing_a}/cancel").status_code == 200
    response = client.get(f"/api/join/{token}")
    assert response.status_code == 410
    assert "cancelled" in response.json()["error"]["message"]


def test_revoked_invitation_is_gone_and_revoke_is_audited(make_client, world, ctx):
    from sqlalchemy import select

    from hearing_server.models import AuditEvent

    staff, other_court = make_client(), make_client()
    login(staff, "clerk_a")
    login(other_court, "clerk_b")
    created = staff.post(f"/api/participants/{world.plaintiff_a}/invitation").json()
    token = created["url"].rsplit("/join/", 1)[1]
    revoke = f"/api/invitations/{created['invitation_id']}/revoke"
    assert other_court.post(revoke).status_code == 404
    assert staff.post(revoke).status_code == 204
    response = staff.get(f"/api/join/{token}")
    assert response.status_code == 410
    assert "withdrawn" in response.json()["error"]["message"]
    with ctx.session_factory() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.case_id == world.case_a))
        assert list(actions) == ["invitation.create", "invitation.revoke"]


def test_hearing_list_is_per_court(make_client, world):
    court_a, court_b = make_client(), make_client()
    login(court_a, "judge_a")
    login(court_b, "clerk_b")
    assert [h["id"] for h in court_a.get("/api/hearings").json()] == [
        world.hearing_a,
        world.hearing_a2,
    ]
    assert court_b.get("/api/hearings").json() == []


def test_participants_see_names_but_not_contacts_of_their_own_hearing(
    make_client, world, code_sender
):
    staff, party = make_client(), make_client()
    login(staff, "clerk_a")
    join_as(party, invite(staff, world.plaintiff_a), code_sender, world.plaintiff_a)
    seen = party.get(f"/api/hearings/{world.hearing_a}/participants").json()
    assert [(p["display_name"], p["phone"]) for p in seen] == [("张伟", None), ("李娜", None)]
    assert staff.get(f"/api/hearings/{world.hearing_a}/participants").json()[1]["phone"]
    assert party.get(f"/api/hearings/{world.hearing_a2}/participants").status_code == 403
