"""Per-socket limits on both hearing sockets: every malformed, oversized or flooding client gets a
documented close code (or an error message), never a server exception; refused edits close with
a code that tells the client not to come back (docs/protocol.md, "Close codes")."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from hearing_server.errors import (
    WS_CLOSE_MALFORMED,
    WS_CLOSE_RATE_LIMITED,
    WS_CLOSE_REFUSED,
    WS_CLOSE_TOO_LARGE,
)
from hearing_server.settings import Settings
from hearing_server.socket_limits import MessageBudget, SocketLimitError, SocketLimits, check
from tests.server.conftest import World, invite, join_as, login
from tests.server.live_client import open_hearing

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """SQLite only: the limits are the sockets', not the database's (the suite's time budget)."""
    return Settings(data_dir=tmp_path / "data", login_rate_limit=5, session_ttl_minutes=60)


def _close_of(ws: Any) -> WebSocketDisconnect:
    with pytest.raises(WebSocketDisconnect) as ended:
        for _ in range(600):
            ws.receive_json()
    return ended.value


@pytest.fixture
def sockets(app, ctx, world: World, make_client, code_sender) -> dict[str, Any]:
    """A clerk and a party of an open hearing, with the two socket paths."""
    open_hearing(ctx, world.hearing_a)
    clerk = make_client()
    login(clerk, "clerk_a")
    party = make_client()
    join_as(party, invite(clerk, world.plaintiff_a), code_sender, world.plaintiff_a)
    base = f"/ws/hearings/{world.hearing_a}"
    return {
        "clerk": clerk,
        "party": party,
        "document": f"{base}/document",
        "transcript": f"{base}/transcript?tab=t1",
    }


@pytest.mark.parametrize("path", ["document", "transcript"])
def test_a_binary_frame_closes_with_4400_not_an_exception(sockets, path: str) -> None:
    with sockets["clerk"].websocket_connect(sockets[path]) as ws:
        ws.send_bytes(b"\x00\x01")
        ended = _close_of(ws)
    assert ended.code == WS_CLOSE_MALFORMED


@pytest.mark.parametrize("path", ["document", "transcript"])
def test_an_oversized_message_closes_with_4413(sockets, ctx, path: str) -> None:
    limit = ctx.settings.ws_max_message_kib * 1024
    with sockets["clerk"].websocket_connect(sockets[path]) as ws:
        ws.send_text("x" * (limit + 1))
        assert _close_of(ws).code == WS_CLOSE_TOO_LARGE


@pytest.mark.parametrize("path", ["document", "transcript"])
def test_a_flood_closes_with_4429(sockets, ctx, path: str) -> None:
    """More messages at once than the burst (cursor moves: nothing is sent back to the sender)."""
    flood = 2 * ctx.settings.ws_message_burst + 100  # far over, even on a slow machine
    move = '{"type":"cursor","segment":"seg-1","anchor":1,"head":1}'
    with sockets["clerk"].websocket_connect(sockets[path]) as ws:
        for _ in range(flood):
            ws.send_text(move)
        assert _close_of(ws).code == WS_CLOSE_RATE_LIMITED


MALFORMED = (
    "not json",
    "[]",
    "{}",
    '{"type": "edit"}',
    '{"type": "edit", "id": "x", "update": "!!"}',
    '{"type": "awareness", "update": "AA=="}',
    '{"type": "cursor", "anchor": "1"}',
    '{"type": "cursor", "segment": "seg-1", "anchor": -1}',
    '{"type": "cursor", "segment": "<img>", "anchor": 1}',
    '{"type": "cursor", "segment": "seg-1", "name": "书记员 陈晓(假)"}',
    '{"type": "text"}',
)


def test_malformed_messages_get_an_error_and_the_socket_stays(sockets) -> None:
    with sockets["clerk"].websocket_connect(sockets["document"]) as ws:
        assert ws.receive_json()["type"] == "doc"
        assert ws.receive_json()["type"] == "presence"
        for message in MALFORMED:
            ws.send_text(message)
            answer = ws.receive_json()
            assert answer == {"type": "error", "reason": "malformed message"}, message
        ws.send_text('{"type": "cursor", "segment": null}')  # still served
        ws.send_text("[]")
        assert ws.receive_json() == {"type": "error", "reason": "malformed message"}


def test_refused_edits_close_with_4422_not_too_slow(sockets) -> None:
    """A reader's edits are refused; the fifth closes the socket with "do not reconnect"."""
    update = base64.b64encode(b"\x00\x00").decode()
    with sockets["party"].websocket_connect(sockets["document"]) as ws:
        for n in range(5):
            ws.send_json({"type": "edit", "id": f"e{n}", "update": update})
        refused = [ws.receive_json() for _ in range(7)][2:]  # after doc and presence
        assert [m["type"] for m in refused] == ["refused"] * 5
        ended = _close_of(ws)
    assert ended.code == WS_CLOSE_REFUSED and "do not reconnect" in ended.reason


def test_the_budget_refills_at_its_rate() -> None:
    now = [0.0]
    budget = MessageBudget(SocketLimits(100, messages_per_second=2.0, burst=3), lambda: now[0])
    assert [budget.take() for _ in range(4)] == [True, True, True, False]
    now[0] = 0.5  # one message's worth
    assert [budget.take(), budget.take()] == [True, False]
    now[0] = 100.0  # never more than the burst
    assert [budget.take() for _ in range(4)] == [True, True, True, False]


def test_check_counts_bytes_not_characters() -> None:
    budget = MessageBudget(SocketLimits(6, messages_per_second=1.0, burst=10))
    assert check("123456", budget) == "123456"
    with pytest.raises(SocketLimitError) as over:
        check("书记员", budget)  # 3 characters, 9 bytes
    assert over.value.code == WS_CLOSE_TOO_LARGE
    with pytest.raises(SocketLimitError) as binary:
        check(None, budget)
    assert binary.value.code == WS_CLOSE_MALFORMED
