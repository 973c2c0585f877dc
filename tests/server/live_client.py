"""Helpers for tests that drive a live session through one ``TestClient`` (its loop owns it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from asr.types import Word
from hearing_server.context import ServerContext
from hearing_server.deps import PARTICIPANT_COOKIE, STAFF_COOKIE
from hearing_server.live.hub import Message, Speaker
from hearing_server.live.registry import LiveRegistry
from hearing_server.live.room import LiveHearing
from hearing_server.models import Hearing, HearingStatus
from hearing_server.notify import RecordingCodeSender
from tests.server.conftest import World, invite, join_as, login
from tests.server.live_fakes import FakeStream


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
    registry = app.state.services.live
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


def receive_until(ws: Any, predicate: Callable[[Message], bool], limit: int = 20) -> Message:
    """The first message that satisfies ``predicate`` (presence messages may come first)."""
    for _ in range(limit):
        message: Message = ws.receive_json()
        if predicate(message):
            return message
    raise AssertionError(f"no matching message among {limit}")


def presence_of(key: str, **expected: Any) -> Callable[[Message], bool]:
    def match(message: Message) -> bool:
        if message["type"] != "presence" or message["presence"]["speaker"] != key:
            return False
        return all(message["presence"][name] == value for name, value in expected.items())

    return match


def plaintiff_speaker(world: World) -> Speaker:
    return Speaker(f"participant-{world.plaintiff_a}", world.plaintiff_a, "plaintiff", "张伟")
