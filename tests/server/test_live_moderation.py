"""The judge mutes, removes and readmits; everyone else is refused; people leave; all audited.

Live objects run on the loop of ``live_client`` (created first in every test; see
``tests/server/live_client.py``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from hearing_server.context import ServerContext
from hearing_server.models import AuditEvent, CourtRole, Participant, StaffUser
from tests.server.live_client import (
    open_hearing,
    party_cookie,
    presence_of,
    receive_until,
    staff_cookie,
)

pytestmark = pytest.mark.timeout(60)

MINIMAL_OFFER = {"sdp": "v=0\r\n", "type": "offer"}


MODERATION = ("participant.mute", "participant.unmute", "participant.remove", "participant.readmit")


def moderation_audit(ctx: ServerContext, participant_id: int) -> list[str]:
    """The judge's actions on a participant, in order, from the audit trail."""
    with ctx.session_factory() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(
                    AuditEvent.entity_type == "participant",
                    AuditEvent.entity_id == participant_id,
                    AuditEvent.action.in_(MODERATION),
                )
                .order_by(AuditEvent.id)
            )
        )


@pytest.mark.parametrize("action", ["remove", "readmit", "mute"])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("judge", 200),
        ("clerk", 403),
        ("party", 403),
        ("party_of_other_case", 403),
        ("staff_of_other_court", 403),
        ("expired_judge", 401),
        ("nobody", 401),
    ],
)
def test_only_the_judge_moderates(
    ctx, world, clock, make_client, code_sender, action, who, status
) -> None:
    live_client = make_client()  # first: its lifespan (loop) owns the live session
    open_hearing(ctx, world.hearing_a)
    staff_user = {"judge": "judge_a", "expired_judge": "judge_a", "clerk": "clerk_a"}
    party_id = {"party": world.defendant_a, "party_of_other_case": world.plaintiff_a2}
    cookie = ""
    if who in staff_user:
        cookie = staff_cookie(make_client, staff_user[who])
    elif who == "staff_of_other_court":
        cookie = staff_cookie(make_client, "clerk_b")
    elif who in party_id:
        cookie = party_cookie(make_client, code_sender, party_id[who])
    if who == "expired_judge":
        clock.advance(timedelta(minutes=61))  # session_ttl_minutes=60 in the test settings
    url = f"/api/hearings/{world.hearing_a}/participants/{world.plaintiff_a}/{action}"
    response = live_client.post(url, json={}, headers={"cookie": cookie})
    assert response.status_code == status, response.text
    changed = moderation_audit(ctx, world.plaintiff_a)
    if status == 200:
        expected = {"remove": "participant.remove", "mute": "participant.mute"}.get(action)
        assert changed == ([expected] if expected else [])  # readmitting nobody changes nothing
    else:
        assert changed == []
        assert response.json()["error"]["code"] in {"forbidden", "not_authenticated"}


def test_removed_participant_is_cut_off_until_readmitted(
    app, ctx, world, make_client, code_sender
) -> None:
    live_client = make_client()  # first: its lifespan (loop) owns the live session
    open_hearing(ctx, world.hearing_a)
    judge = {"cookie": staff_cookie(make_client, "judge_a")}
    party = {"cookie": party_cookie(make_client, code_sender, world.plaintiff_a)}
    key = f"participant-{world.plaintiff_a}"
    base = f"/api/hearings/{world.hearing_a}"
    path = f"/ws/hearings/{world.hearing_a}/transcript"
    with live_client.websocket_connect(path, headers=judge) as watcher:
        assert watcher.receive_json()["type"] == "snapshot"
        with live_client.websocket_connect(path, headers=party) as removed_ws:
            assert removed_ws.receive_json()["presence"][key]["online"] is True
            receive_until(watcher, presence_of(key, online=True))
            mute = live_client.post(
                f"{base}/participants/{world.plaintiff_a}/mute", json={}, headers=judge
            )
            assert mute.status_code == 200, mute.text
            receive_until(watcher, presence_of(key, muted=True))
            response = live_client.post(
                f"{base}/participants/{world.plaintiff_a}/remove", headers=judge
            )
            assert response.status_code == 200, response.text
            assert response.json() == {"participant_id": world.plaintiff_a, "removed": True}
            with pytest.raises(WebSocketDisconnect) as ended:
                receive_until(removed_ws, lambda _: False)
            assert ended.value.code == 4411
            assert ended.value.reason.startswith("removed")
        receive_until(watcher, presence_of(key, state="removed", online=False, media=False))

        offer = live_client.post(f"{base}/rtc/offer", json=MINIMAL_OFFER, headers=party)
        assert (offer.status_code, offer.json()["error"]["code"]) == (403, "removed")
        assert live_client.post(f"{base}/leave", headers=party).status_code == 403
        with (
            live_client.websocket_connect(path, headers=party) as refused,
            pytest.raises(WebSocketDisconnect) as again,
        ):
            refused.receive_json()
        assert again.value.code == 4411

        readmit = live_client.post(
            f"{base}/participants/{world.plaintiff_a}/readmit", headers=judge
        )
        assert readmit.json() == {"participant_id": world.plaintiff_a, "removed": False}
        receive_until(watcher, presence_of(key, state="absent"))
        with live_client.websocket_connect(path, headers=party) as back:
            presence = back.receive_json()["presence"][key]
            assert (presence["state"], presence["online"], presence["muted"]) == (
                "absent",
                True,
                True,  # the judge's mute belongs to the participant and survives all this
            )
    assert moderation_audit(ctx, world.plaintiff_a) == [
        "participant.mute",
        "participant.remove",
        "participant.readmit",
    ]


def test_removal_survives_a_new_live_session(app, ctx, world, make_client, code_sender) -> None:
    """Removal is stored with the participant, not only in the live session's memory."""
    live_client = make_client()  # first: its lifespan (loop) owns the live session
    judge = {"cookie": staff_cookie(make_client, "judge_a")}
    party = {"cookie": party_cookie(make_client, code_sender, world.plaintiff_a)}
    url = f"/api/hearings/{world.hearing_a}/participants/{world.plaintiff_a}/remove"
    assert live_client.post(url, headers=judge).status_code == 200  # scheduled: allowed
    with ctx.session_factory() as session:
        row = session.get(Participant, world.plaintiff_a)
        assert row is not None and row.removed_at is not None
    open_hearing(ctx, world.hearing_a)
    path = f"/ws/hearings/{world.hearing_a}/transcript"
    with live_client.websocket_connect(path, headers=judge) as watcher:
        presence = watcher.receive_json()["presence"]
        assert presence[f"participant-{world.plaintiff_a}"]["state"] == "removed"
    with (
        live_client.websocket_connect(path, headers=party) as refused,
        pytest.raises(WebSocketDisconnect) as again,
    ):
        refused.receive_json()
    assert again.value.code == 4411


def test_removal_refusals(ctx, world, make_client) -> None:
    live_client = make_client()
    judge = {"cookie": staff_cookie(make_client, "judge_a")}
    base = f"/api/hearings/{world.hearing_a}/participants"
    other = live_client.post(f"{base}/{world.plaintiff_a2}/remove", headers=judge)
    assert other.status_code == 404  # a participant of another hearing
    with ctx.session_factory() as session:
        clerk_user = session.scalars(select(StaffUser).where(StaffUser.username == "clerk_a"))
        clerk_entry = Participant(
            hearing_id=world.hearing_a,
            display_name="书记员",
            court_role=CourtRole.CLERK,
            staff_user_id=clerk_user.one().id,
        )
        session.add(clerk_entry)
        session.commit()
        clerk_id = clerk_entry.id
    staff_entry = live_client.post(f"{base}/{clerk_id}/remove", headers=judge)
    assert staff_entry.status_code == 409, staff_entry.text
    clerk = {"cookie": staff_cookie(make_client, "clerk_a")}
    hearing = f"/api/hearings/{world.hearing_a}"
    assert live_client.post(f"{hearing}/open", headers=clerk).status_code == 200
    assert live_client.post(f"{hearing}/close", headers=clerk).status_code == 200
    closed = live_client.post(f"{base}/{world.plaintiff_a}/remove", headers=judge)
    assert closed.status_code == 409, closed.text


def test_leave_outside_the_room_changes_nothing(ctx, world, make_client, code_sender) -> None:
    live_client = make_client()
    open_hearing(ctx, world.hearing_a)
    party = {"cookie": party_cookie(make_client, code_sender, world.defendant_a)}
    stranger = {"cookie": party_cookie(make_client, code_sender, world.plaintiff_a2)}
    url = f"/api/hearings/{world.hearing_a}/leave"
    assert live_client.post(url, headers=party).status_code == 204
    assert live_client.post(url, headers=stranger).status_code == 403
    assert live_client.post(url).status_code == 401
    with ctx.session_factory() as session:
        left = session.scalars(select(AuditEvent).where(AuditEvent.action == "hearing.leave"))
        assert list(left) == []


def test_offer_needs_an_open_hearing_and_an_admitted_person(app, world, make_client) -> None:
    live_client = make_client()
    judge = {"cookie": staff_cookie(make_client, "judge_a")}
    url = f"/api/hearings/{world.hearing_a}/rtc/offer"
    refused = live_client.post(url, json=MINIMAL_OFFER, headers=judge)
    assert refused.status_code == 409 and "not open" in refused.json()["error"]["message"]
    assert app.state.services.live.get(world.hearing_a) is None  # no live session, so no ASR either
