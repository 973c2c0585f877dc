"""Revocation reaches open connections: logout, expiry, withdrawn links and removal close the
person's sockets at once (and in another server process), and end their HTTP reads.

Real app and database (SQLite, and PostgreSQL when set); the other process's ``Revocations``
meets this one on a real bus (in memory, and Redis when it runs).
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pycrdt import Array, Doc, Map, Text
from sqlalchemy import delete, func, select
from starlette.websockets import WebSocketDisconnect

from hearing_server.app import create_app
from hearing_server.deps import STAFF_COOKIE
from hearing_server.errors import WS_CLOSE_REMOVED, WS_CLOSE_SESSION_ENDED
from hearing_server.models import Invitation, StaffSession, TranscriptUpdate
from hearing_server.revocation import (
    SESSION_EXPIRED,
    Revocations,
    SocketPrincipal,
    participant_key,
)
from hearing_server.settings import Settings
from tests.conftest import REDIS_URL, _redis_reachable
from tests.server.conftest import FakeClock, World, invite, join_as, login
from tests.server.live_client import open_hearing, presence_of, receive_until
from tingshen_platform.bus import Bus

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def across_processes() -> str:
    """The processes of a test meet on Redis, as a cluster's do: the bus prefix."""
    if not _redis_reachable():
        pytest.skip("Redis is not running on 127.0.0.1:6379 (this machine kind starts it)")
    return f"test-{uuid.uuid4().hex[:12]}:"


@pytest.fixture
def fast_checks() -> float:
    """The periodic session check runs every 20 ms (a test that waits for it blocks on the
    socket's close, not on a sleep)."""
    return 0.02


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Iterator[Settings]:
    """The periodic session check runs once a minute unless a test asks ``fast_checks``: only
    the revocation under test can close a socket in time (the check would find a deleted session
    too, with another reason). On Redis for a test that asks ``across_processes``."""
    check = request.getfixturevalue("fast_checks") if "fast_checks" in request.fixturenames else 60
    update: dict[str, Any] = {"ws_session_check_seconds": check}
    if "across_processes" in request.fixturenames:
        prefix = request.getfixturevalue("across_processes")
        update |= {"redis_url": REDIS_URL, "bus_prefix": prefix}
    yield settings.model_copy(update=update)


def _closed(ws: Any) -> WebSocketDisconnect:
    """Read until the server closes the socket; its close (no ``ack`` may come first)."""
    with pytest.raises(WebSocketDisconnect) as ended:
        for _ in range(50):
            message = ws.receive_json()
            assert message["type"] != "ack", f"acknowledged after revocation: {message}"
    return ended.value


def _opened(ws: Any) -> None:
    assert ws.receive_json()["type"] == "doc"
    assert ws.receive_json()["type"] == "presence"


def _note_edit() -> str:
    """An edit adding a note segment (what an editor's Yjs sends)."""
    doc: Doc[Any] = Doc()
    segments = doc.get("segments", type=Array)
    before = doc.get_state()
    segments.append(Map({"id": "note-x", "kind": "note", "text": Text("追加")}))
    return base64.b64encode(doc.get_update(before)).decode()


def _judge_and_party(ctx: Any, world: World, make_client: Any, code_sender: Any) -> tuple[Any, Any]:
    """Hearing A is open; the judge is logged in and the plaintiff has joined through a link."""
    open_hearing(ctx, world.hearing_a)
    judge = make_client()
    login(judge, "judge_a")
    party = make_client()
    join_as(party, invite(judge, world.plaintiff_a), code_sender, world.plaintiff_a)
    return judge, party


def _clerk_in_open_hearing(ctx: Any, world: World, make_client: Any) -> Any:
    """Hearing A is open and the clerk is logged in."""
    open_hearing(ctx, world.hearing_a)
    clerk = make_client()
    login(clerk, "clerk_a")
    return clerk


@contextmanager
def _document(client: Any, world: World) -> Iterator[Any]:
    """Hearing A's document socket, opened (the document and the presence received)."""
    with client.websocket_connect(f"/ws/hearings/{world.hearing_a}/document") as ws:
        _opened(ws)
        yield ws


def test_after_logout_an_open_document_socket_is_closed_and_nothing_sent_later_is_stored(
    app, ctx, world: World, make_client
) -> None:
    clerk = _clerk_in_open_hearing(ctx, world, make_client)
    with _document(clerk, world) as ws:
        assert clerk.post("/api/auth/logout").status_code == 204
        ws.send_json({"type": "edit", "id": "late", "update": _note_edit()})
        ended = _closed(ws)
    assert ended.code == WS_CLOSE_SESSION_ENDED and ended.reason.startswith("logged_out")
    with ctx.session_factory() as session:
        stored = session.scalar(select(func.count()).select_from(TranscriptUpdate))
    assert stored == 0, "an edit sent after logout was stored"


def test_a_party_logout_closes_both_sockets_and_takes_it_out_of_the_room(
    app, ctx, world, make_client, code_sender
) -> None:
    judge, party = _judge_and_party(ctx, world, make_client, code_sender)
    base = f"/ws/hearings/{world.hearing_a}"
    key = f"participant-{world.plaintiff_a}"
    with judge.websocket_connect(f"{base}/transcript") as watcher:
        assert watcher.receive_json()["type"] == "snapshot"
        with (
            party.websocket_connect(f"{base}/document") as doc_ws,
            party.websocket_connect(f"{base}/transcript?tab=t1") as live_ws,
        ):
            _opened(doc_ws)
            assert live_ws.receive_json()["type"] == "snapshot"
            receive_until(watcher, presence_of(key, online=True))
            assert party.post("/api/join/logout").status_code == 204
            assert _closed(doc_ws).code == WS_CLOSE_SESSION_ENDED
            assert _closed(live_ws).code == WS_CLOSE_SESSION_ENDED
        # Its media (none here, but the room's state says so) ended with the session: "left".
        receive_until(watcher, presence_of(key, state="left"))


@pytest.mark.parametrize("how", ["all_links", "one_link"])
def test_withdrawn_links_close_the_party_sockets_and_end_its_reads(
    app, ctx, world, make_client, code_sender, how: str
) -> None:
    judge, party = _judge_and_party(ctx, world, make_client, code_sender)
    hearing = f"/api/hearings/{world.hearing_a}"
    assert party.get(hearing).status_code == 200
    with _document(party, world) as ws:
        if how == "all_links":
            url = f"/api/participants/{world.plaintiff_a}/invitations/revoke"
            assert judge.post(url).status_code == 200
        else:
            with ctx.session_factory() as session:
                used = session.scalars(
                    select(Invitation.id).where(Invitation.participant_id == world.plaintiff_a)
                ).all()
            assert len(used) == 1
            assert judge.post(f"/api/invitations/{used[0]}/revoke").status_code == 204
        ended = _closed(ws)
    assert ended.code == WS_CLOSE_SESSION_ENDED and ended.reason.startswith("link_revoked")
    assert party.get(hearing).status_code == 401
    assert party.get(f"{hearing}/participants").status_code == 401


def test_a_removed_party_is_cut_off_from_the_document_and_every_read(
    app, ctx, world, make_client, code_sender
) -> None:
    judge, party = _judge_and_party(ctx, world, make_client, code_sender)
    hearing = f"/api/hearings/{world.hearing_a}"
    reads = (hearing, f"{hearing}/participants", f"/api/cases/{world.case_a}/documents")
    assert [party.get(url).status_code for url in reads] == [200, 200, 200]
    with _document(party, world) as ws:
        removed = judge.post(f"{hearing}/participants/{world.plaintiff_a}/remove")
        assert removed.status_code == 200, removed.text
        assert _closed(ws).code == WS_CLOSE_REMOVED
    answers = [party.get(url) for url in reads]
    assert [(a.status_code, a.json()["error"]["code"]) for a in answers] == [(403, "removed")] * 3
    assert judge.post(f"{hearing}/participants/{world.plaintiff_a}/readmit").status_code == 200
    assert [party.get(url).status_code for url in reads] == [200, 200, 200]


def test_a_session_that_expires_while_connected_closes_its_sockets(
    fast_checks, app, ctx, world, make_client, clock: FakeClock
) -> None:
    clerk = _clerk_in_open_hearing(ctx, world, make_client)
    with _document(clerk, world) as ws:
        clock.advance(timedelta(minutes=59))
        ws.send_json({"type": "cursor", "segment": "seg-1", "anchor": 0, "head": 0})
        ws.send_text("not json")  # answered in order: the socket is still open
        assert ws.receive_json() == {"type": "error", "reason": "malformed message"}
        clock.advance(timedelta(minutes=2))  # the session's 60 minutes are over
        ended = _closed(ws)
    assert ended.code == WS_CLOSE_SESSION_ENDED and ended.reason.startswith("session_expired")


def test_logout_through_one_process_closes_a_socket_held_by_another(
    across_processes,
    app,
    ctx,
    world,
    make_client,
    settings,
    clock,
    code_sender,
    fast_passwords,
    streams,
) -> None:
    """Two server processes on one database and one Redis: the clerk's socket is held by the
    second, the logout reaches the first."""
    clerk = _clerk_in_open_hearing(ctx, world, make_client)
    cookie = {"cookie": f"{STAFF_COOKIE}={clerk.cookies[STAFF_COOKIE]}"}
    other = create_app(
        settings, clock=clock, code_sender=code_sender, passwords=fast_passwords,
        stream_factory=streams,
    )  # fmt: skip
    try:
        with (
            TestClient(other) as there,
            there.websocket_connect(
                f"/ws/hearings/{world.hearing_a}/document", headers=cookie
            ) as ws,
        ):
            _opened(ws)
            assert clerk.post("/api/auth/logout").status_code == 204
            ended = _closed(ws)
    finally:
        other.state.services.context.engine.dispose()
    assert ended.code == WS_CLOSE_SESSION_ENDED and ended.reason.startswith("logged_out")


def test_a_session_deleted_without_a_bus_message_is_closed_by_the_check(
    fast_checks, app, ctx, world, make_client
) -> None:
    """Defence behind the bus: the database says the session is gone (a logout through a
    process whose bus message was lost), and the periodic check closes the socket."""
    clerk = _clerk_in_open_hearing(ctx, world, make_client)
    with _document(clerk, world) as ws:
        with ctx.session_factory() as session:
            session.execute(delete(StaffSession))
            session.commit()
        ended = _closed(ws)
    assert ended.code == WS_CLOSE_SESSION_ENDED and ended.reason.startswith("session_ended")


class _Socket:
    def __init__(self) -> None:
        self.closed: list[tuple[int, str]] = []
        self.done = asyncio.Event()

    def close(self, code: int, reason: str) -> None:
        self.closed.append((code, reason))
        self.done.set()


async def test_revocation_reaches_sockets_held_by_another_process(
    make_bus: Callable[[], Bus], clock: FakeClock
) -> None:
    here = Revocations(make_bus(), "p1", clock, check_seconds=60)
    there = Revocations(make_bus(), "p2", clock, check_seconds=60)
    mine, theirs, bystander = _Socket(), _Socket(), _Socket()
    principal = SocketPrincipal(frozenset({participant_key(7), "party-session:x"}), None)
    here.register(principal, mine.close)
    there.register(principal, theirs.close)
    there.register(SocketPrincipal(frozenset({participant_key(8)}), None), bystander.close)
    async with here.running(), there.running():  # both listening once entered
        assert await here.revoke([participant_key(7)], WS_CLOSE_REMOVED, "removed") == 1
        await asyncio.wait_for(theirs.done.wait(), 10)
    assert mine.closed == [(WS_CLOSE_REMOVED, "removed")]
    assert theirs.closed == [(WS_CLOSE_REMOVED, "removed")]
    assert bystander.closed == []
    assert here.open_sockets == 0 and there.open_sockets == 1


async def test_expired_sessions_are_closed_and_others_stay(make_bus, clock: FakeClock) -> None:
    revocations = Revocations(make_bus(), "p1", clock, check_seconds=60)
    soon, later = _Socket(), _Socket()
    revocations.register(
        SocketPrincipal(frozenset({"a"}), clock() + timedelta(minutes=1)), soon.close
    )
    revocations.register(
        SocketPrincipal(frozenset({"b"}), clock() + timedelta(hours=1)), later.close
    )
    assert revocations.expire() == 0
    clock.advance(timedelta(minutes=1))
    assert revocations.expire() == 1
    assert soon.closed == [(WS_CLOSE_SESSION_ENDED, SESSION_EXPIRED)] and later.closed == []
