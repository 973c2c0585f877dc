"""Signing links (issue 13, defect 2): the signing request's SMS carries a link of its own,
``/sign/<token>``, that works after closing for a party with no earlier session: the one-time code,
then a session that reads and signs the record and nothing else. The join link stays dead for the
closed hearing, and the signing token is no join token.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from hearing_server.models import AuditEvent, NoticeKind, NoticeOutbox, ParticipantSession
from hearing_server.notices.dispatcher import NoticeDispatcher, RetryPolicy
from hearing_server.notices.email import FileEmailSender
from hearing_server.notices.sms import LocalSmsProvider
from tests.server.closing_flow import Browser, closed_hearing
from tests.server.conftest import invite, login

PLAINTIFF_PHONE = "13800000001"
SIGN_LINK = re.compile(r"https?://\S+/sign/([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)")


def _dispatch(ctx, clock, tmp_path: Path) -> LocalSmsProvider:
    sms = LocalSmsProvider(tmp_path / "sms")
    dispatcher = NoticeDispatcher(
        session_factory=ctx.session_factory,
        secret_key=ctx.link_key,
        public_base_url=ctx.settings.public_base_url,
        email_sender=FileEmailSender(tmp_path / "mail", sender="court@example.com"),
        sms_provider=sms,
        policy=RetryPolicy(max_attempts=3, base_seconds=30, max_seconds=3600),
    )
    report = dispatcher.dispatch_due(clock())
    assert report.failed == 0 and report.retrying == 0
    return sms


def _sign_token(sms: LocalSmsProvider, phone: str) -> str:
    texts = [m["text"] for m in sms.messages() if m["to"] == phone]
    requests = [t for t in texts if "庭审笔录已完成，请阅读并签名" in t]
    assert requests, texts
    match = SIGN_LINK.search(requests[-1])
    assert match is not None, requests[-1]
    assert "/join/" not in requests[-1]
    return match.group(1)


def test_a_party_without_a_session_signs_through_the_link_of_the_request(
    app, ctx, world, make_client, code_sender, clock, tmp_path
) -> None:
    court = closed_hearing(app, ctx, world, make_client, code_sender)
    old_join = invite(court.clerk.client, world.plaintiff_a)  # a join link the party still holds
    assert court.judge.client.post(f"{court.api}/freeze").status_code == 200
    token = _sign_token(_dispatch(ctx, clock, tmp_path), PLAINTIFF_PHONE)

    clock.advance(timedelta(days=3))  # days later, in a browser that never joined
    party = make_client()
    assert party.get(f"/api/join/{old_join}").status_code == 410  # the hearing is closed
    assert party.get(f"/api/join/{token}").status_code == 401  # a signing token joins nothing
    assert party.post(f"/api/join/{token}/code").status_code == 401
    assert party.get(f"/api/sign-links/{old_join}").status_code == 401  # nor the other way
    summary = party.get(f"/api/sign-links/{token}")
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert (body["participant_name"], body["role_label_zh"]) == ("张伟", "原告")
    assert body["complete"] is False and body["phone_hint"].endswith("0001")
    assert party.get(f"{court.api}").status_code == 401  # nothing without the code

    assert party.post(f"/api/sign-links/{token}/code").status_code == 202
    code = code_sender.last_code_for(world.plaintiff_a)
    wrong = "000000" if code != "000000" else "111111"
    assert party.post(f"/api/sign-links/{token}/verify", json={"code": wrong}).status_code == 401
    verified = party.post(f"/api/sign-links/{token}/verify", json={"code": code})
    assert verified.status_code == 200, verified.text
    assert verified.json()["scope"] == "record"
    me = party.get("/api/join/me").json()
    assert (me["display_name"], me["scope"]) == ("张伟", "record")

    # reads and signs the record ...
    status = party.get(court.api)
    assert status.status_code == 200 and status.json()["me"]["may_sign"] is True
    assert "我方要求被告归还借款五万元" in party.get(f"{court.api}/transcript.json").text
    assert party.get(f"/api/hearings/{world.hearing_a}").status_code == 200
    Browser(party, world.hearing_a).sign()
    slots = {s["key"]: s for s in party.get(court.api).json()["slots"]}
    assert slots[f"participant-{world.plaintiff_a}"]["status"] == "signed"

    # ... and nothing else: not the live room, the live document, the editor's exports
    offer = party.post(
        f"/api/hearings/{world.hearing_a}/rtc/offer", json={"sdp": "x", "type": "offer"}
    )
    assert offer.status_code == 403 and offer.json()["error"]["code"] == "record_only"
    export = party.get(f"/api/hearings/{world.hearing_a}/transcript.txt")
    assert export.status_code == 403
    live = f"/ws/hearings/{world.hearing_a}/transcript"
    with pytest.raises(WebSocketDisconnect), party.websocket_connect(live) as ws:
        ws.receive_json()
    with ctx.session_factory() as session:
        scopes = session.scalars(
            select(ParticipantSession.scope).where(
                ParticipantSession.participant_id == world.plaintiff_a
            )
        ).all()
        assert "record" in scopes
        verified_events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "participant.verified")
        ).all()
        assert verified_events[-1].details["scope"] == "record"


def test_reminders_carry_a_fresh_signing_link_and_it_opens_the_finished_record(
    app, ctx, world, make_client, code_sender, clock, tmp_path
) -> None:
    court = closed_hearing(app, ctx, world, make_client, code_sender)
    assert court.judge.client.post(f"{court.api}/freeze").status_code == 200
    _dispatch(ctx, clock, tmp_path)
    clock.advance(timedelta(days=2))
    login(court.clerk.client, "clerk_a")
    key = f"participant-{world.plaintiff_a}"
    assert court.clerk.client.post(f"{court.api}/slots/{key}/remind").status_code == 202
    with ctx.session_factory() as session:
        rows = session.scalars(
            select(NoticeOutbox).where(
                NoticeOutbox.kind == NoticeKind.SIGN_REQUEST,
                NoticeOutbox.participant_id == world.plaintiff_a,
            )
        ).all()
        assert all("sign_invitation_id" in r.payload and "invitation_id" not in r.payload
                   for r in rows)  # fmt: skip
    token = _sign_token(_dispatch(ctx, clock, tmp_path / "again"), PLAINTIFF_PHONE)

    party = make_client()
    assert party.post(f"/api/sign-links/{token}/code").status_code == 202
    code = code_sender.last_code_for(world.plaintiff_a)
    assert party.post(f"/api/sign-links/{token}/verify", json={"code": code}).status_code == 200
    Browser(party, world.hearing_a).sign()
    login(court.judge.client, "judge_a")  # the staff sessions expired meanwhile
    for pid in (world.defendant_a, court.agent_id):  # the others are excused by the clerk
        resolved = court.clerk.client.post(
            f"{court.api}/slots/participant-{pid}/resolve",
            json={"status": "excused", "note": "未能联系"},
        )
        assert resolved.status_code == 200, resolved.text
    court.judge.sign()
    court.clerk.sign()
    finished = party.get(f"/api/sign-links/{token}")
    assert finished.status_code == 200 and finished.json()["complete"] is True
    assert party.get(court.api).json()["state"] == "complete"
    pdf = party.get(f"{court.api}/document.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
