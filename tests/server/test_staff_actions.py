"""What the dashboard needs beyond the basics: notice previews before sending, participants added
without an immediate notice, e-mail validation, and withdrawing / reissuing a participant's link."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.testclient import TestClient

from hearing_server.context import ServerContext
from hearing_server.models import AuditEvent, NoticeOutbox
from tests.server.conftest import invite, login

NEW_TIME = "2030-03-04T02:00:00Z"  # 10:00 Beijing time


def _add(client: TestClient, hearing_id: int, **fields: object) -> Any:
    body = {"display_name": "赵六", "court_role": "third_party", **fields}
    return client.post(f"/api/hearings/{hearing_id}/participants", json=body)


def _notices(ctx: ServerContext, hearing_id: int) -> list[NoticeOutbox]:
    with ctx.session_factory() as session:
        query = select(NoticeOutbox).where(NoticeOutbox.hearing_id == hearing_id)
        return list(session.scalars(query))


def test_preview_then_send(client, world, ctx):
    login(client, "clerk_a")
    added = _add(
        client, world.hearing_a, email="zhao@example.cn", phone="13800000009", notify=False
    )
    assert added.status_code == 201, added.text
    assert added.json()["email"] == "zhao@example.cn"
    assert _notices(ctx, world.hearing_a) == []  # nothing went out yet

    preview = client.get(f"/api/hearings/{world.hearing_a}/notices/preview")
    assert preview.status_code == 200
    items = preview.json()
    # Plaintiff and defendant by SMS, the third party by e-mail and SMS.
    assert [(i["participant_name"], i["channel"]) for i in items] == [
        ("张伟", "sms"),
        ("李娜", "sms"),
        ("赵六", "email"),
        ("赵六", "sms"),
    ]
    mail = items[2]
    assert mail["recipient"] != "zhao@example.cn" and mail["recipient"].endswith("@example.cn")
    assert mail["subject"].startswith("【广州市越秀区人民法院】开庭通知")
    assert "赵六（第三人）" in mail["text"] and "/join/…" in mail["text"]
    assert _notices(ctx, world.hearing_a) == []  # previewing sends nothing

    sent = client.post(f"/api/hearings/{world.hearing_a}/notices")
    assert sent.status_code == 202
    assert len(sent.json()) == 4
    log = client.get(f"/api/hearings/{world.hearing_a}/notices").json()
    assert {(n["participant_name"], n["channel"], n["status"]) for n in log} == {
        ("张伟", "sms", "pending"),
        ("李娜", "sms", "pending"),
        ("赵六", "email", "pending"),
        ("赵六", "sms", "pending"),
    }


def test_preview_of_a_rescheduling_and_a_cancellation(client, world):
    login(client, "judge_a")
    base = f"/api/hearings/{world.hearing_a}/notices/preview"
    missing = client.get(base, params={"kind": "rescheduled"})
    assert missing.status_code == 422
    assert missing.json()["error"]["reason"] == "preview_needs_time"
    moved = client.get(base, params={"kind": "rescheduled", "scheduled_at": NEW_TIME})
    assert moved.status_code == 200
    text = moved.json()[0]["text"]
    assert "开庭时间变更通知" in text and "2030年3月4日" in text and "10:00" in text
    cancelled = client.get(base, params={"kind": "cancelled"}).json()
    assert "已取消" in cancelled[0]["text"] and "/join/" not in cancelled[0]["text"]
    bad = client.get(base, params={"kind": "sign_request"})
    assert bad.status_code == 422 and bad.json()["error"]["params"]["field"] == "kind"


def test_preview_is_for_the_courts_judges_and_clerks(make_client, world, code_sender):
    outsider, recorder, anonymous = make_client(), make_client(), make_client()
    login(outsider, "clerk_b")
    login(recorder, "recorder_a")
    path = f"/api/hearings/{world.hearing_a}/notices/preview"
    assert outsider.get(path).status_code == 404
    assert recorder.get(path).status_code == 403
    assert anonymous.get(path).status_code == 401


def test_email_is_validated(client, world, ctx):
    login(client, "clerk_a")
    for bad in ("zhao", "zhao@", "zhao@example", "zhao @example.cn"):
        response = _add(client, world.hearing_a, email=bad)
        assert response.status_code == 422, bad
        error = response.json()["error"]
        assert (error["reason"], error["params"]) == ("field_format", {"field": "email"})
    names = [
        p["display_name"]
        for p in client.get(f"/api/hearings/{world.hearing_a}/participants").json()
    ]
    assert "赵六" not in names  # a refused request adds nothing


def test_reissue_withdraws_the_old_link(make_client, world, ctx, code_sender):
    clerk, party = make_client(), make_client()
    login(clerk, "clerk_a")
    old = invite(clerk, world.plaintiff_a)
    assert party.get(f"/api/join/{old}").status_code == 200
    reissued = clerk.post(f"/api/participants/{world.plaintiff_a}/invitation/reissue")
    assert reissued.status_code == 201
    new = reissued.json()["url"].rsplit("/join/", 1)[1]
    gone = party.get(f"/api/join/{old}")
    assert gone.status_code == 410 and gone.json()["error"]["reason"] == "link_revoked"
    assert party.get(f"/api/join/{new}").status_code == 200

    revoked = clerk.post(f"/api/participants/{world.plaintiff_a}/invitations/revoke")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_invitation_ids"] == [reissued.json()["invitation_id"]]
    assert party.get(f"/api/join/{new}").status_code == 410
    with ctx.session_factory() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("invitation.%"))
        ).all()
    assert actions.count("invitation.revoke") == 2 and actions.count("invitation.create") == 2


def test_links_of_another_court_cannot_be_touched(make_client, world):
    outsider = make_client()
    login(outsider, "clerk_b")
    for path in ("invitation/reissue", "invitations/revoke"):
        response = outsider.post(f"/api/participants/{world.plaintiff_a}/{path}")
        assert response.status_code == 404
