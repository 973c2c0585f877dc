"""Screen sharing over HTTP: one share at a time, the judge takes over or stops anyone's, an
offer may carry a screen only while its sender shares, observers do not share; every start and
stop is audited and noted in the transcript (docs/protocol.md "Screen sharing")."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hearing_server.context import ServerContext
from hearing_server.models import AuditEvent, CourtRole, Participant
from tests.server.live_client import open_hearing, party_cookie, staff_cookie

pytestmark = pytest.mark.timeout(60)


def screen_audit(ctx: ServerContext) -> list[str]:
    with ctx.session_factory() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.like("screen.%"))
                .order_by(AuditEvent.id)
            )
        )


def test_share_refuse_take_over_stop(ctx, world, make_client, code_sender) -> None:
    make_client()
    open_hearing(ctx, world.hearing_a)
    judge = make_client()
    judge.headers.update({"cookie": staff_cookie(make_client, "judge_a")})
    plaintiff = make_client()
    plaintiff.headers.update({"cookie": party_cookie(make_client, code_sender, world.plaintiff_a)})
    defendant = make_client()
    defendant.headers.update({"cookie": party_cookie(make_client, code_sender, world.defendant_a)})
    api = f"/api/hearings/{world.hearing_a}/screen"

    assert defendant.get(api).json() == {"sharing": None, "version": 0}
    assert defendant.post(f"{api}/stop").status_code == 409  # nobody shares
    # An offer may carry a screen only while its sender shares.
    offer = {"sdp": "v=0\r\n", "type": "offer", "screen_mid": "4"}
    refused = plaintiff.post(f"/api/hearings/{world.hearing_a}/rtc/offer", json=offer)
    assert refused.status_code == 409, refused.text

    started = plaintiff.post(f"{api}/start")
    assert started.status_code == 200, started.text
    sharing = started.json()["sharing"]
    assert (sharing["role"], sharing["name"]) == ("plaintiff", "张伟")
    assert plaintiff.post(f"{api}/start").json()["version"] == 1  # already sharing: no change
    busy = defendant.post(f"{api}/start")
    assert busy.status_code == 409 and "原告 张伟 正在共享屏幕" in busy.text
    assert defendant.post(f"{api}/stop").status_code == 403  # not the sharer, not a judge
    assert plaintiff.post(f"{api}/stop").json() == {"sharing": None, "version": 2}

    assert defendant.post(f"{api}/start").status_code == 200
    taken = judge.post(f"{api}/start").json()  # a judge takes over: the other share ends
    assert taken["sharing"]["key"].startswith("staff-") and taken["version"] == 5
    assert judge.post(f"{api}/stop").json()["sharing"] is None
    assert plaintiff.post(f"{api}/start").status_code == 200
    assert judge.post(f"{api}/stop").json()["sharing"] is None  # a judge stops anyone's
    # Leaving the room ends one's share.
    assert defendant.post(f"{api}/start").status_code == 200
    assert defendant.post(f"/api/hearings/{world.hearing_a}/leave").status_code == 204
    assert defendant.get(api).json()["sharing"] is None

    assert screen_audit(ctx) == [
        "screen.start",
        "screen.stop",
        "screen.start",
        "screen.stop",
        "screen.start",
        "screen.stop",
        "screen.start",
        "screen.stop",
        "screen.start",
        "screen.stop",
    ]
    txt = defendant.get(f"/api/hearings/{world.hearing_a}/transcript.txt").text
    lines = [line.rsplit(" ", 1)[0] for line in txt.splitlines() if line.startswith("【举证】")]
    assert lines == [
        "【举证】原告 张伟 开始共享屏幕",
        "【举证】原告 张伟 结束共享屏幕",
        "【举证】被告 李娜 开始共享屏幕",
        "【举证】被告 李娜 结束共享屏幕（审判员 judge_a 停止）",
        "【举证】审判员 judge_a 开始共享屏幕",
        "【举证】审判员 judge_a 结束共享屏幕",
        "【举证】原告 张伟 开始共享屏幕",
        "【举证】原告 张伟 结束共享屏幕（审判员 judge_a 停止）",
        "【举证】被告 李娜 开始共享屏幕",
        "【举证】被告 李娜 结束共享屏幕",
    ]


def test_observers_outsiders_and_closed_hearings(ctx, world, make_client, code_sender) -> None:
    make_client()
    api = f"/api/hearings/{world.hearing_a}/screen"
    assert make_client().get(api).status_code == 401
    other = make_client()
    other.headers.update({"cookie": party_cookie(make_client, code_sender, world.plaintiff_a2)})
    assert other.post(f"{api}/start").status_code == 403  # another hearing's party
    clerk = make_client()
    clerk.headers.update({"cookie": staff_cookie(make_client, "clerk_a")})
    assert clerk.post(f"{api}/start").status_code == 409  # scheduled, not open

    open_hearing(ctx, world.hearing_a)
    with ctx.session_factory() as session:
        observer = Participant(
            hearing_id=world.hearing_a,
            display_name="赵六",
            court_role=CourtRole.OBSERVER,
            phone="13800000009",
        )
        session.add(observer)
        session.commit()
        observer_id = observer.id
    watcher = make_client()
    watcher.headers.update({"cookie": party_cookie(make_client, code_sender, observer_id)})
    assert watcher.post(f"{api}/start").status_code == 403
    assert watcher.get(api).json()["sharing"] is None
    assert screen_audit(ctx) == []
