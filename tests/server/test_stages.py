"""Court stages and identity checks: who may, what is recorded and audited, and the marker rows the
room and every export show (docs/protocol.md "Court stages")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from asr.types import Commit
from hearing_server.context import ServerContext
from hearing_server.models import AuditEvent, HearingStageChange, IdentityCheck
from hearing_server.transcript.model import (
    Change,
    Field,
    SegmentKind,
    SegmentStatus,
    SegmentView,
    SpeakerRef,
)
from hearing_server.transcript.policy import EditorRole, check_changes
from tests.server.live_client import (
    emit,
    live_of,
    open_hearing,
    party_cookie,
    plaintiff_speaker,
    receive_until,
    speak,
    staff_cookie,
    words,
)

pytestmark = pytest.mark.timeout(60)


def audit_actions(ctx: ServerContext, action: str) -> list[dict[str, object]]:
    with ctx.session_factory() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()
        return [dict(e.details) for e in events]


@pytest.mark.parametrize(
    ("who", "status"),
    [("judge", 200), ("clerk", 403), ("party", 403), ("other_court", 403), ("nobody", 401)],
)
def test_only_the_judge_moves_the_stage(ctx, world, make_client, code_sender, who, status) -> None:
    client = make_client()
    open_hearing(ctx, world.hearing_a)
    staff = {"judge": "judge_a", "clerk": "clerk_a", "other_court": "clerk_b"}
    cookie = ""
    if who in staff:
        cookie = staff_cookie(make_client, staff[who])
    elif who == "party":
        cookie = party_cookie(make_client, code_sender, world.plaintiff_a)
    response = client.post(
        f"/api/hearings/{world.hearing_a}/stage",
        json={"stage": "discipline"},
        headers={"cookie": cookie},
    )
    assert response.status_code == status, response.text
    with ctx.session_factory() as session:
        changes = session.scalars(select(HearingStageChange)).all()
    assert len(changes) == (1 if status == 200 else 0)


def test_stages_marked_in_the_transcript_and_audited(
    app, ctx, world, clock, make_client, code_sender
) -> None:
    live_client = make_client()
    open_hearing(ctx, world.hearing_a)
    judge_cookie = {"cookie": staff_cookie(make_client, "judge_a")}
    judge = make_client()
    judge.headers.update(judge_cookie)
    party = make_client()
    party.headers.update({"cookie": party_cookie(make_client, code_sender, world.plaintiff_a)})
    api = f"/api/hearings/{world.hearing_a}"

    listed = party.get(f"{api}/stages").json()
    assert [s["zh"] for s in listed["stages"]] == [
        "宣布法庭纪律",
        "核对身份",
        "法庭调查",
        "举证质证",
        "法庭辩论",
        "最后陈述",
        "调解",
        "宣判",
    ]
    assert "民事诉讼法" in listed["source"] and listed["current"] is None

    with live_client.websocket_connect(
        f"/ws/hearings/{world.hearing_a}/transcript", headers=judge_cookie
    ) as live_ws:
        receive_until(live_ws, lambda m: m["type"] == "snapshot")
        stream = speak(live_client, live_of(app, world.hearing_a), plaintiff_speaker(world))
        emit(live_client, stream, Commit(words("我方请求还款", 400), "zh", True, 900))
        receive_until(live_ws, lambda m: m["type"] == "segment")
        clock.advance(timedelta(minutes=2, seconds=30))  # 08:02:30 UTC = 16:02 court time
        moved = judge.post(f"{api}/stage", json={"stage": "investigation"})
        assert moved.status_code == 200, moved.text
        assert moved.json()["current"] == "investigation"
        marker = receive_until(
            live_ws, lambda m: m["type"] == "segment" and m["segment"]["kind"] == "marker"
        )["segment"]
        assert marker["text"] == "【法庭调查】 16:02"
        assert marker["id"].startswith("stage-investigation-")
        assert marker["speaker"] == "" and marker["start_ms"] >= 900  # after the speech

    again = judge.post(f"{api}/stage", json={"stage": "investigation"})  # already there
    assert again.status_code == 200 and len(again.json()["history"]) == 1
    assert judge.post(f"{api}/stage", json={"stage": "recess"}).status_code == 422
    assert judge.post(f"{api}/stage", json={"stage": "法庭调查"}).status_code == 422
    assert party.get(f"{api}/stages").json()["history"][0]["actor_name"] == "judge_a"
    assert audit_actions(ctx, "hearing.stage") == [
        {"stage": "investigation", "marker_id": marker["id"]}
    ]

    txt = party.get(f"{api}/transcript.txt").text
    assert "原告张伟：我方请求还款\n\n【法庭调查】 16:02\n" in txt  # a heading, not an utterance
    data = party.get(f"{api}/transcript.json").json()
    assert [s["kind"] for s in data["segments"]] == ["speech", "marker"]
    assert "法庭调查" not in party.get(f"{api}/transcript.srt").text  # not spoken: no caption
    assert "NOTE 【法庭调查】 16:02" in party.get(f"{api}/transcript.vtt").text


def test_identity_checked_by_the_clerk_during_the_identity_stage(
    ctx, world, make_client, code_sender
) -> None:
    import pypdfium2

    make_client()
    open_hearing(ctx, world.hearing_a)
    judge = make_client()
    judge.headers.update({"cookie": staff_cookie(make_client, "judge_a")})
    clerk = make_client()
    clerk.headers.update({"cookie": staff_cookie(make_client, "clerk_a")})
    party = make_client()
    party.headers.update({"cookie": party_cookie(make_client, code_sender, world.plaintiff_a)})
    api = f"/api/hearings/{world.hearing_a}"
    url = f"{api}/participants/{world.plaintiff_a}/identity"
    body = {"id_type": "resident_id", "id_last4": "123x", "note": ""}

    assert clerk.post(url, json=body).status_code == 409  # not the identity stage yet
    assert judge.post(f"{api}/stage", json={"stage": "identity"}).status_code == 200
    assert judge.post(url, json=body).status_code == 403  # the clerk records it
    assert party.post(url, json=body).status_code == 403
    assert clerk.post(url, json={**body, "id_last4": "12"}).status_code == 422
    assert clerk.post(url, json={**body, "id_type": "library_card"}).status_code == 422
    other = f"{api}/participants/{world.plaintiff_a2}/identity"  # of another hearing
    assert clerk.post(other, json=body).status_code == 404

    checked = clerk.post(url, json=body)
    assert checked.status_code == 200, checked.text
    mine = {i["participant_id"]: i for i in checked.json()["identities"]}
    assert mine[world.plaintiff_a]["checked"] and mine[world.plaintiff_a]["id_last4"] == "123X"
    assert not mine[world.defendant_a]["checked"]
    note = {"id_type": "passport", "id_last4": "9876", "note": "护照照片页"}
    defendant = f"{api}/participants/{world.defendant_a}/identity"
    assert clerk.post(defendant, json=note).status_code == 200

    with ctx.session_factory() as session:
        assert len(session.scalars(select(IdentityCheck)).all()) == 2
    audited = audit_actions(ctx, "participant.identity_check")
    assert [a["id_type"] for a in audited] == ["resident_id", "passport"]

    txt = party.get(f"{api}/transcript.txt").text
    assert "【核对身份】 16:00" in txt
    assert "核对当事人身份：原告 张伟（身份证 ****123X）已核对 16:00" in txt
    assert "核对当事人身份：被告 李娜（护照 ****9876）已核对 16:00（备注：护照照片页）" in txt
    pdf = pypdfium2.PdfDocument(party.get(f"{api}/transcript.pdf").content)
    text = "".join(page.get_textpage().get_text_range() for page in pdf)
    assert "【核对身份】" in text and "原告 张伟（身份证 ****123X）已核对" in text


def test_no_edit_touches_a_marker() -> None:
    marker = SegmentView(
        "stage-debate-1.0",
        SegmentKind.MARKER,
        SpeakerRef("", "", ""),
        0,
        0,
        "【法庭辩论】 10:32",
        SegmentStatus.COMMITTED,
    )
    edited = Change(marker.id, Field.TEXT, marker.text, "【调解】 10:32")
    deleted = Change(marker.id, Field.DELETED, marker.text, "")
    for role in (EditorRole.JUDGE, EditorRole.CLERK):
        for change in (edited, deleted):
            verdict = check_changes(role, [change], {marker.id: marker})
            assert not verdict.allowed and "server only" in verdict.reason
    created = Change(marker.id, Field.CREATED, "", marker.text)
    assert not check_changes(EditorRole.CLERK, [created], {}, {marker.id: marker}).allowed
