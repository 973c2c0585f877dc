"""Transcript WebSocket, mute and offer access over HTTP, with a fake (model-free) stream factory.

Every live object runs on the event loop of one ``TestClient`` (``live_client``); requests that
touch the live session go through it with an explicit cookie header, and scripted ASR events are
emitted on that loop through the client's portal. ``live_client`` is created first in every test
so that it is also shut down first: its lifespan closes the live sessions on their own loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from asr.types import Commit, Partial, Word
from hearing_server.context import ServerContext
from hearing_server.deps import PARTICIPANT_COOKIE, STAFF_COOKIE
from hearing_server.live.hub import Speaker
from hearing_server.live.room import LiveHearing, LiveRegistry
from hearing_server.models import Hearing, HearingStatus
from hearing_server.notify import RecordingCodeSender
from tests.server.conftest import World, invite, join_as, login
from tests.server.live_fakes import FakeStream

pytestmark = pytest.mark.timeout(60)


def party_cookie(
    make_client: Callable[[], TestClient], sender: RecordingCodeSender, pid: int
) -> str:
    staff = make_client()
    login(staff, "judge_a")
    party = make_client()
    join_as(party, invite(staff, pid), sender, pid)
    return f"{PARTICIPANT_COOKIE}={party.cookies[PARTICIPANT_COOKIE]}"


def staff_cookie(make_client: Callable[[], TestClient], username: str) -> str:
    staff = make_client()
    login(staff, username)
    return f"{STAFF_COOKIE}={staff.cookies[STAFF_COOKIE]}"


def open_hearing(ctx: ServerContext, hearing_id: int) -> None:
    with ctx.session_factory() as session:
        hearing = session.get(Hearing, hearing_id)
        assert hearing is not None
        hearing.status = HearingStatus.OPEN
        session.commit()


def live_of(app: FastAPI, hearing_id: int) -> LiveHearing:
    registry = app.state.live
    assert isinstance(registry, LiveRegistry)
    live = registry.get(hearing_id)
    assert live is not None
    return live


def speak(client: TestClient, live: LiveHearing, speaker: Speaker) -> FakeStream:
    """Open the speaker's stream on the server loop (as the first audio would)."""
    assert client.portal is not None
    stream = client.portal.call(live.open_stream, speaker)
    assert isinstance(stream, FakeStream)
    return stream


def emit(client: TestClient, stream: FakeStream, *events: Any) -> None:
    assert client.portal is not None
    client.portal.call(lambda: stream.emit(*events))


def words(text: str, start_ms: int) -> tuple[Word, ...]:
    return tuple(
        Word(c, start_ms + 100 * i, start_ms + 100 * (i + 1), 0.8) for i, c in enumerate(text)
    )


def plaintiff_speaker(world: World) -> Speaker:
    return Speaker(f"participant-{world.plaintiff_a}", world.plaintiff_a, "plaintiff", "张伟")


def test_participant_gets_snapshot_then_diffs_attributed_to_the_speaker(
    app, ctx, world, make_client, code_sender
) -> None:
    live_client = make_client()  # first: its lifespan (loop) owns the live session
    open_hearing(ctx, world.hearing_a)
    cookie = party_cookie(make_client, code_sender, world.defendant_a)
    path = f"/ws/hearings/{world.hearing_a}/transcript"
    with live_client.websocket_connect(path, headers={"cookie": cookie}) as ws:
        snapshot = ws.receive_json()
        assert snapshot == {
            "type": "snapshot",
            "seq": 0,
            "started_at": snapshot["started_at"],
            "segments": [],
            "partials": {},
        }
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
    assert (partial["type"], partial["seq"]) == ("partial", 1)
    assert partial["partial"]["participant_id"] == world.plaintiff_a
    assert partial["partial"]["text"] == "借款五"
    assert (commit["type"], commit["seq"]) == ("commit", 2)
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
        assert ws.receive_json()["type"] == "snapshot"
        live = live_of(app, world.hearing_a)
        stream = speak(live_client, live, plaintiff_speaker(world))
        emit(live_client, stream, Commit(words("第一句", 0), "zh", True, 300))
        assert ws.receive_json()["seq"] == 1
    emit(
        live_client,
        stream,
        Commit(words("第二句", 400), "zh", True, 700),
        Commit(words("第三句", 800), "zh", True, 1100),
    )
    with live_client.websocket_connect(f"{path}?since=1", headers={"cookie": cookie}) as ws:
        missed = [ws.receive_json(), ws.receive_json()]
        assert [(m["type"], m["seq"], m["segment"]["text"]) for m in missed] == [
            ("commit", 2, "第二句"),
            ("commit", 3, "第三句"),
        ]
        emit(live_client, stream, Partial(words("第四", 1200), "zh", 1400))
        assert ws.receive_json()["seq"] == 4
    with live_client.websocket_connect(f"{path}?since=99", headers={"cookie": cookie}) as ws:
        snapshot = ws.receive_json()
        assert (snapshot["type"], snapshot["seq"], len(snapshot["segments"])) == ("snapshot", 4, 3)
        assert list(snapshot["partials"]) == [f"participant-{world.plaintiff_a}"]


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
        with pytest.raises(WebSocketDisconnect) as ended:
            ws.receive_json()
    assert ended.value.code == 4410
    assert stream.finished
    registry = app.state.live
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
