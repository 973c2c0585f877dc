"""Transcript WebSocket, mute and offer access over HTTP, with a fake (model-free) stream factory.

Every live object runs on the event loop of one ``TestClient`` (``live_client``); requests that
touch the live session go through it with an explicit cookie header, and scripted ASR events are
emitted on that loop through the client's portal. ``live_client`` is created first in every test
so that it is also shut down first: its lifespan closes the live sessions on their own loop.
"""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect

from asr.types import Commit, Partial
from hearing_server.live.registry import LiveRegistry
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


def test_participant_gets_snapshot_then_diffs_attributed_to_the_speaker(
    app, ctx, world, make_client, code_sender
) -> None:
    live_client = make_client()  # first: its lifespan (loop) owns the live session
    open_hearing(ctx, world.hearing_a)
    cookie = party_cookie(make_client, code_sender, world.defendant_a)
    path = f"/ws/hearings/{world.hearing_a}/transcript"
    with live_client.websocket_connect(path, headers={"cookie": cookie}) as ws:
        snapshot = ws.receive_json()
        me = f"participant-{world.defendant_a}"
        assert snapshot == {
            "type": "snapshot",
            "seq": 1,  # the presence change of this very connection
            "live_id": snapshot["live_id"],
            "started_at": snapshot["started_at"],
            "segments": [],
            "partials": {},
            "presence": {me: snapshot["presence"][me]},
            "floor": {"queue": [], "holder": None},
            "recording": snapshot["recording"],
        }
        assert snapshot["presence"][me]["online"] is True
        live = live_of(app, world.hearing_a)
        assert set(live.spec.hotwords) >= {"张伟", "李娜", "民间借贷纠纷"}
        stream = speak(live_client, live, plaintiff_speaker(world))
        assert "张伟" in stream.config.hotwords
        emit(
            live_client,
            stream,
            Partial(words("借款五", 0), "zh", 300),
            Commit(words("借款五万元", 0), "zh", True, 500),
        )
        partial, commit = ws.receive_json(), ws.receive_json()
    assert (partial["type"], partial["seq"]) == ("partial", 2)
    assert partial["partial"]["participant_id"] == world.plaintiff_a
    assert partial["partial"]["text"] == "借款五"
    assert (commit["type"], commit["seq"]) == ("segment", 3)  # the document's segment
    segment = commit["segment"]
    assert (segment["participant_id"], segment["role"], segment["display_name"]) == (
        world.plaintiff_a,
        "plaintiff",
        "张伟",
    )
    assert (segment["text"], segment["start_ms"], segment["end_ms"]) == ("借款五万元", 0, 500)
    assert segment["start_at"].endswith("+00:00")


def test_reconnect_with_since_gets_only_missed_messages(app, ctx, world, make_client) -> None:
    live_client = make_client()  # first: its lifespan (loop) owns the live session
    open_hearing(ctx, world.hearing_a)
    cookie = staff_cookie(make_client, "judge_a")
    path = f"/ws/hearings/{world.hearing_a}/transcript"
    with live_client.websocket_connect(path, headers={"cookie": cookie}) as ws:
        first = ws.receive_json()
        assert first["type"] == "snapshot"
        live = live_of(app, world.hearing_a)
        stream = speak(live_client, live, plaintiff_speaker(world))
        emit(live_client, stream, Commit(words("第一句", 0), "zh", True, 300))
        seen = ws.receive_json()["seq"]
    emit(
        live_client,
        stream,
        Commit(words("第二句", 400), "zh", True, 700),
        Commit(words("第三句", 800), "zh", True, 1100),
    )
    since = f"{path}?since={seen}&live_id={first['live_id']}"
    with live_client.websocket_connect(since, headers={"cookie": cookie}) as ws:
        # Missed: "offline" (the first socket closed), the two commits, then "online" again.
        missed = [ws.receive_json() for _ in range(4)]
        assert [m["seq"] for m in missed] == list(range(seen + 1, seen + 5))
        texts = [m["segment"]["text"] for m in missed if m["type"] == "segment"]
        assert texts == ["第二句", "第三句"]
        presence = [m["presence"]["online"] for m in missed if m["type"] == "presence"]
        assert presence == [False, True]
        emit(live_client, stream, Partial(words("第四", 1200), "zh", 1400))
        last = ws.receive_json()
        assert (last["type"], last["seq"]) == ("partial", seen + 5)
    for stale in (f"{path}?since=99", f"{path}?since={seen}&live_id=another-server-run"):
        with live_client.websocket_connect(stale, headers={"cookie": cookie}) as ws:
            snapshot = ws.receive_json()
            assert snapshot["type"] == "snapshot"
            assert [s["text"] for s in snapshot["segments"]] == ["第一句", "第二句", "第三句"]
            assert list(snapshot["partials"]) == [f"participant-{world.plaintiff_a}"]
            assert snapshot["presence"]["staff-1"]["online"] is True


@pytest.mark.parametrize("who", ["other_party", "other_court", "nobody"])
def test_outsiders_are_refused_with_4403(world, make_client, code_sender, who) -> None:
    live_client = make_client()  # first: its lifespan (loop) owns the live session
    cookie = ""
    if who == "other_party":
        cookie = party_cookie(make_client, code_sender, world.plaintiff_a2)
    elif who == "other_court":
        cookie = staff_cookie(make_client, "clerk_b")
    path = f"/ws/hearings/{world.hearing_a}/transcript"
    with (
        live_client.websocket_connect(path, headers={"cookie": cookie}) as ws,
        pytest.raises(WebSocketDisconnect) as refused,
    ):
        ws.receive_json()
    assert refused.value.code == 4403
    assert refused.value.reason


def test_judge_mutes_a_participant(app, ctx, world, make_client, code_sender) -> None:
    live_client = make_client()  # first: its lifespan (loop) owns the live session
    judge = staff_cookie(make_client, "judge_a")
    clerk = staff_cookie(make_client, "clerk_a")
    party = party_cookie(make_client, code_sender, world.defendant_a)
    url = f"/api/hearings/{world.hearing_a}/participants/{world.plaintiff_a}/mute"
    not_open = live_client.post(url, json={"muted": True}, headers={"cookie": judge})
    assert not_open.status_code == 409, not_open.text
    open_hearing(ctx, world.hearing_a)
    for refused, status in ((clerk, 403), (party, 403)):
        response = live_client.post(url, json={"muted": True}, headers={"cookie": refused})
        assert response.status_code == status, response.text
    response = live_client.post(url, json={"muted": True}, headers={"cookie": judge})
    assert response.status_code == 200, response.text
    assert response.json() == {"participant_id": world.plaintiff_a, "muted": True}
    key = f"participant-{world.plaintiff_a}"
    assert live_of(app, world.hearing_a).is_muted(key)
    live_client.post(url, json={"muted": False}, headers={"cookie": judge})
    assert not live_of(app, world.hearing_a).is_muted(key)
    other = f"/api/hearings/{world.hearing_a}/participants/{world.plaintiff_a2}/mute"
    assert live_client.post(other, json={}, headers={"cookie": judge}).status_code == 404


def test_offer_access_and_validation(ctx, world, make_client, code_sender) -> None:
    live_client = make_client()  # first: its lifespan (loop) owns the live session
    judge = staff_cookie(make_client, "judge_a")
    stranger = party_cookie(make_client, code_sender, world.plaintiff_a2)
    url = f"/api/hearings/{world.hearing_a}/rtc/offer"
    garbage = {"sdp": "not an sdp", "type": "offer"}
    assert live_client.post(url, json=garbage, headers={"cookie": judge}).status_code == 409
    open_hearing(ctx, world.hearing_a)
    assert live_client.post(url, json=garbage, headers={"cookie": stranger}).status_code == 403
    assert live_client.post(url, json=garbage).status_code == 401
    response = live_client.post(url, json=garbage, headers={"cookie": judge})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "bad_offer"
    wrong_type = {"sdp": "v=0", "type": "answer"}
    assert live_client.post(url, json=wrong_type, headers={"cookie": judge}).status_code == 422


def test_closing_the_hearing_ends_streams_and_sockets(app, world, make_client, code_sender) -> None:
    live_client = make_client()  # first: its lifespan (loop) owns the live session
    clerk = staff_cookie(make_client, "clerk_a")
    party = party_cookie(make_client, code_sender, world.plaintiff_a)
    base = f"/api/hearings/{world.hearing_a}"
    assert live_client.post(f"{base}/open", headers={"cookie": clerk}).status_code == 200
    path = f"/ws/hearings/{world.hearing_a}/transcript"
    with live_client.websocket_connect(path, headers={"cookie": party}) as ws:
        assert ws.receive_json()["type"] == "snapshot"
        stream = speak(live_client, live_of(app, world.hearing_a), plaintiff_speaker(world))
        closed = live_client.post(f"{base}/close", headers={"cookie": clerk})
        assert closed.status_code == 200, closed.text
        last = receive_until(ws, lambda m: m["type"] != "presence")
        assert {k: last[k] for k in ("type", "status")} == {"type": "hearing", "status": "closed"}
        with pytest.raises(WebSocketDisconnect) as ended:
            ws.receive_json()
    assert ended.value.code == 4410
    assert stream.finished
    registry = app.state.services.live
    assert isinstance(registry, LiveRegistry) and registry.get(world.hearing_a) is None


def test_transcript_of_a_hearing_that_is_not_open_is_refused_with_4409(world, make_client) -> None:
    live_client = make_client()
    judge = staff_cookie(make_client, "judge_a")
    path = f"/ws/hearings/{world.hearing_a}/transcript"
    with (
        live_client.websocket_connect(path, headers={"cookie": judge}) as ws,
        pytest.raises(WebSocketDisconnect) as refused,
    ):
        ws.receive_json()
    assert refused.value.code == 4409
