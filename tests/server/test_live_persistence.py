"""One path for a committed utterance: ASR commit → transcript document (persisted) → the
document's change on the room's live panel; a correction made in the document shows there too,
and a restarted server rebuilds the panel from the document, on the same clock."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pycrdt import Array, Doc, Map, Text
from starlette.websockets import WebSocketDisconnect

from asr.types import Commit
from hearing_server.app import create_app
from hearing_server.live.hub import Message, Speaker
from hearing_server.live.registry import LiveRegistry
from hearing_server.live.room import LiveHearing, LiveSpec
from hearing_server.rtc.ice import IceSettings
from tests.server.conftest import START
from tests.server.live_client import (
    emit,
    live_of,
    open_hearing,
    plaintiff_speaker,
    receive_until,
    speak,
    staff_cookie,
    words,
)
from tests.server.live_fakes import FakeStream, FakeStreams

pytestmark = pytest.mark.timeout(60)
TIMEOUT_S = 5.0
PLAINTIFF = Speaker("participant-1", 1, "plaintiff", "张伟")


async def test_a_commit_reaches_the_panel_only_as_the_document_changes(caplog) -> None:
    """The hub publishes no committed text of its own: what it shows is what the document
    (the sink) stored; a failed write is logged, without the words, and shows nothing."""
    entered, release, both = asyncio.Event(), asyncio.Event(), asyncio.Event()
    stored: list[Message] = []

    async def document_sink(hearing_id: int, speaker: Speaker, segment: Message) -> None:
        entered.set()
        await release.wait()
        if segment["text"] == "磁盘已满":
            raise OSError("disk full")
        stored.append(segment)
        if len(stored) == 2:
            both.set()

    live = LiveHearing(
        LiveSpec(hearing_id=1),
        ice=IceSettings(host_addresses=("127.0.0.1",)),
        streams=FakeStreams(),
        clock=lambda: START,
        on_commit=document_sink,
    )
    await live.ready()
    _, subscription = live.hub.subscribe()
    stream = live.open_stream(PLAINTIFF)
    assert isinstance(stream, FakeStream)
    stream.emit(Commit(words("本院受理", 0), "zh", True, 400))
    async with asyncio.timeout(TIMEOUT_S):
        await entered.wait()
    assert live.hub.seq == 0  # being stored: nothing on the wire
    release.set()
    stream.emit(Commit(words("磁盘已满", 500), "zh", True, 900))
    stream.emit(Commit(words("继续", 1000), "zh", True, 1400))
    async with asyncio.timeout(TIMEOUT_S):
        await both.wait()
    assert [s["text"] for s in stored] == ["本院受理", "继续"]
    assert live.hub.seq == 0  # still nothing: the document's listener publishes, not the hub
    row = {"id": "seg-1", "speaker": PLAINTIFF.key, "text": "本院受理", "start_ms": 0}
    live.document_changed([row])
    async with asyncio.timeout(TIMEOUT_S):
        message = await subscription.next()
    assert message is not None and message["type"] == "segment" and message["segment"] == row
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert errors and "NOT added to the transcript document" in errors[0].getMessage()
    assert "磁盘已满" not in errors[0].getMessage()  # transcript text is never logged above DEBUG
    await live.close()


def _correction(doc_message: Message, text: str) -> str:
    doc: Doc[Any] = Doc()
    doc.apply_update(base64.b64decode(doc_message["state"]))
    before = doc.get_state()
    segment = doc.get("segments", type=Array)[0]
    assert isinstance(segment, Map)
    target: Text = segment["text"]
    target.insert(len(str(target).encode()), text)
    return base64.b64encode(doc.get_update(before)).decode()


def test_the_panel_shows_the_document_its_corrections_and_survives_a_restart(
    app, settings, clock, ctx, world, make_client, code_sender, fast_passwords
) -> None:
    live_client = make_client()  # first: its lifespan (loop) owns the live session
    open_hearing(ctx, world.hearing_a)
    judge = {"cookie": staff_cookie(make_client, "judge_a")}
    clerk = {"cookie": staff_cookie(make_client, "clerk_a")}
    path = f"/ws/hearings/{world.hearing_a}/transcript"
    with live_client.websocket_connect(path, headers=judge) as ws:
        first = ws.receive_json()
        assert first["type"] == "snapshot" and first["segments"] == []
        stream = speak(live_client, live_of(app, world.hearing_a), plaintiff_speaker(world))
        emit(
            live_client,
            stream,
            Commit(words("原告陈述", 1000), "zh", False, 1400),
            Commit(words("借款五万元", 1400), "zh", True, 1900),
        )
        # One segment per utterance, growing: the document's, not a line per commit.
        grown = receive_until(
            ws, lambda m: m["type"] == "segment" and m["segment"]["text"] == "原告陈述借款五万元"
        )["segment"]
        assert grown["display_name"] == "张伟" and grown["role"] == "plaintiff"
        assert grown["participant_id"] == world.plaintiff_a
        assert (grown["start_ms"], grown["end_ms"]) == (1000, 1900) and not grown["edited"]

        # The clerk corrects it in the document: the live panel shows the correction.
        document = f"/ws/hearings/{world.hearing_a}/document"
        with live_client.websocket_connect(document, headers=clerk) as editor:
            update = _correction(editor.receive_json(), "（含利息）")
            editor.send_text(json.dumps({"type": "edit", "id": "e1", "update": update}))
            corrected = receive_until(
                ws, lambda m: m["type"] == "segment" and m["segment"]["edited"]
            )["segment"]
        assert corrected["id"] == grown["id"]
        assert corrected["text"] == "原告陈述借款五万元（含利息）"

        registry = app.state.services.live
        assert isinstance(registry, LiveRegistry) and live_client.portal is not None
        live_client.portal.call(lambda: registry.close(world.hearing_a, shutdown=True))
        with pytest.raises(WebSocketDisconnect) as restarting:
            receive_until(ws, lambda _: False)
        assert restarting.value.code == 1012

    # A new server process on the same database: a late joiner gets the document's segments,
    # and the live start they count from.
    restarted = create_app(
        settings,
        clock=clock,
        code_sender=code_sender,
        passwords=fast_passwords,
        stream_factory=FakeStreams(),
    )
    try:
        with (
            TestClient(restarted) as again,
            again.websocket_connect(
                f"{path}?since=3&live_id={first['live_id']}", headers=judge
            ) as ws,
        ):
            snapshot = ws.receive_json()
    finally:
        restarted.state.services.context.engine.dispose()
    assert snapshot["type"] == "snapshot" and snapshot["live_id"] != first["live_id"]
    assert snapshot["started_at"] == first["started_at"]  # times keep their origin
    assert snapshot["segments"] == [corrected]
