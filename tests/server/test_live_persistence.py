"""Committed segments are stored before they are broadcast and come back after a restart."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from asr.types import Commit
from hearing_server.app import create_app
from hearing_server.live.hub import Message, Speaker
from hearing_server.live.registry import LiveRegistry
from hearing_server.live.room import LiveHearing, LiveSpec
from hearing_server.models import LiveSegment
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


class GatedStore:
    """Holds every save until the test releases it."""

    def __init__(self) -> None:
        self.saved: list[Message] = []
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    def load(self, hearing_id: int) -> tuple[datetime | None, list[Message]]:
        return None, []

    async def save(self, hearing_id: int, live_started_at: datetime, segment: Message) -> None:
        self.entered.set()
        await self.release.wait()
        self.saved.append(segment)


async def test_a_commit_is_broadcast_only_after_it_is_stored() -> None:
    store = GatedStore()
    live = LiveHearing(
        LiveSpec(hearing_id=1),
        ice=IceSettings(host_addresses=("127.0.0.1",)),
        streams=FakeStreams(),
        clock=lambda: START,
        store=store,
    )
    _, subscription = live.hub.subscribe()
    stream = live.open_stream(PLAINTIFF)
    assert isinstance(stream, FakeStream)
    stream.emit(Commit(words("本院受理", 0), "zh", True, 400))
    async with asyncio.timeout(TIMEOUT_S):
        await store.entered.wait()
    assert live.hub.seq == 0 and store.saved == []  # being stored: not yet on the wire
    store.release.set()
    async with asyncio.timeout(TIMEOUT_S):
        message = await subscription.next()
    assert message is not None and message["type"] == "commit"
    assert store.saved == [message["segment"]]
    await live.close()


class FailingStore(GatedStore):
    async def save(self, hearing_id: int, live_started_at: datetime, segment: Message) -> None:
        raise OSError("disk full")


async def test_a_failed_write_is_logged_and_the_live_text_goes_on(caplog) -> None:
    live = LiveHearing(
        LiveSpec(hearing_id=1),
        ice=IceSettings(host_addresses=("127.0.0.1",)),
        streams=FakeStreams(),
        clock=lambda: START,
        store=FailingStore(),
    )
    _, subscription = live.hub.subscribe()
    stream = live.open_stream(PLAINTIFF)
    assert isinstance(stream, FakeStream)
    stream.emit(Commit(words("本院受理", 0), "zh", True, 400))
    async with asyncio.timeout(TIMEOUT_S):
        message = await subscription.next()
    assert message is not None and message["segment"]["text"] == "本院受理"
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert errors and "NOT persisted" in errors[0].getMessage()
    assert "本院受理" not in errors[0].getMessage()  # transcript text is never logged above DEBUG
    await live.close()


def test_restart_and_late_joiners_get_the_stored_transcript(
    app, settings, clock, ctx, world, make_client, code_sender, fast_passwords
) -> None:
    live_client = make_client()  # first: its lifespan (loop) owns the live session
    open_hearing(ctx, world.hearing_a)
    judge = {"cookie": staff_cookie(make_client, "judge_a")}
    path = f"/ws/hearings/{world.hearing_a}/transcript"
    with live_client.websocket_connect(path, headers=judge) as ws:
        first = ws.receive_json()
        stream = speak(live_client, live_of(app, world.hearing_a), plaintiff_speaker(world))
        emit(
            live_client,
            stream,
            Commit(words("原告陈述", 1000), "zh", False, 1400),
            Commit(words("借款五万元", 1400), "zh", True, 1900),
        )
        committed = [
            receive_until(ws, lambda m: m["type"] == "commit")["segment"] for _ in range(2)
        ]
        with ctx.session_factory() as session:
            rows = session.scalars(select(LiveSegment).order_by(LiveSegment.position)).all()
            assert [(r.hearing_id, r.position, r.text) for r in rows] == [
                (world.hearing_a, 0, "原告陈述"),
                (world.hearing_a, 1, "借款五万元"),
            ]
            assert rows[1].participant_id == world.plaintiff_a
            assert (rows[1].start_ms, rows[1].end_ms) == (1400, 1900)
            assert rows[1].start_at.isoformat() == committed[1]["start_at"]
        registry = app.state.services.live
        assert isinstance(registry, LiveRegistry) and live_client.portal is not None
        live_client.portal.call(lambda: registry.close(world.hearing_a, shutdown=True))
        with pytest.raises(WebSocketDisconnect) as restarting:
            receive_until(ws, lambda _: False)
        assert restarting.value.code == 1012

    # A new server process on the same database: a late joiner gets the whole transcript.
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
    assert snapshot["segments"] == committed
