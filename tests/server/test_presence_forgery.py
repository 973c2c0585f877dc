"""Presence in the transcript editor is built by the server from who each socket is: a forged
awareness message names the real sender, a read-only party shows up nowhere, and the newcomer's
snapshot stays small however many messages a client sends (issue 14)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Awareness, Doc

from hearing_server.models import StaffUser
from hearing_server.settings import Settings
from hearing_server.transcript.presence import PALETTE_SIZE
from tests.server.conftest import World, invite, join_as, login
from tests.server.live_client import open_hearing

pytestmark = pytest.mark.timeout(60)

FORGED_NAME = "书记员 陈晓(假)"
FORGED_COLOUR = "red;background:url(//other.example/x)"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """SQLite only (nothing here is the database's), and a rate limit that lets 2,000 through."""
    return Settings(
        data_dir=tmp_path / "data",
        login_rate_limit=5,
        session_ttl_minutes=60,
        ws_message_burst=5000,
    )


def _forged_awareness() -> str:
    """What the hostile page sent: a y-protocols awareness update naming itself the clerk."""
    awareness = Awareness(Doc())
    awareness.set_local_state(
        {"user": {"name": FORGED_NAME, "role": "clerk", "color": FORGED_COLOUR}}
    )
    return base64.b64encode(awareness.encode_awareness_update([awareness.client_id])).decode()


def _opened(ws: Any) -> dict[str, Any]:
    assert ws.receive_json()["type"] == "doc"
    presence: dict[str, Any] = ws.receive_json()
    assert presence["type"] == "presence"
    return presence


def _round_trip(ws: Any) -> None:
    """Everything this socket sent before is handled: its messages are handled in order."""
    ws.send_text("[]")
    while ws.receive_json() != {"type": "error", "reason": "malformed message"}:
        pass


def test_a_forged_awareness_message_names_the_real_sender(
    app, ctx, world: World, make_client, code_sender
) -> None:
    open_hearing(ctx, world.hearing_a)
    judge, recorder, party = make_client(), make_client(), make_client()
    login(judge, "judge_a")
    login(recorder, "recorder_a")
    join_as(party, invite(judge, world.plaintiff_a), code_sender, world.plaintiff_a)
    with ctx.session_factory() as session:
        real = session.query(StaffUser).filter_by(username="recorder_a").one().display_name
    path = f"/ws/hearings/{world.hearing_a}/document"
    with (
        judge.websocket_connect(path) as judge_ws,
        party.websocket_connect(path) as party_ws,
    ):
        _opened(judge_ws)
        assert _opened(party_ws)["you"] is None  # a reader has no entry of its own
        # The read-only party: the old awareness message, and the new cursor with extra fields.
        party_ws.send_json({"type": "awareness", "update": _forged_awareness()})
        assert party_ws.receive_json()["type"] == "error"
        party_ws.send_json(
            {"type": "cursor", "segment": "seg-1", "anchor": 1, "head": 1, "name": FORGED_NAME}
        )
        assert party_ws.receive_json()["type"] == "error"
        party_ws.send_json({"type": "cursor", "segment": "seg-1", "anchor": 1, "head": 1})
        _round_trip(party_ws)  # its cursor was handled: and shown to nobody
        with recorder.websocket_connect(path) as recorder_ws:
            mine = _opened(recorder_ws)["you"]
            recorder_ws.send_json({"type": "awareness", "update": _forged_awareness()})
            assert recorder_ws.receive_json()["type"] == "error"
            recorder_ws.send_json({"type": "cursor", "segment": "seg-1", "anchor": 2, "head": 5})
            joined = judge_ws.receive_json()  # the first thing the judge hears after the party
            moved = judge_ws.receive_json()
        assert [p["id"] for p in joined["peers"]] == [mine]
        sender = moved["peers"][0]
        assert sender["id"] == mine and sender["name"] == real and sender["role"] == "recorder"
        assert sender["cursor"] == {"segment": "seg-1", "anchor": 2, "head": 5}
        assert isinstance(sender["colour"], int) and 0 <= sender["colour"] < PALETTE_SIZE
        assert FORGED_NAME not in json.dumps([joined, moved], ensure_ascii=False)
        assert judge_ws.receive_json() == {"type": "presence", "gone": [mine]}


def test_the_snapshot_stays_bounded_after_2000_messages(app, ctx, world, make_client) -> None:
    open_hearing(ctx, world.hearing_a)
    clerk, judge = make_client(), make_client()
    login(clerk, "clerk_a")
    login(judge, "judge_a")
    path = f"/ws/hearings/{world.hearing_a}/document"
    forged = _forged_awareness()
    with clerk.websocket_connect(path) as clerk_ws:
        _opened(clerk_ws)
        for n in range(2000):
            clerk_ws.send_json({"type": "cursor", "segment": f"seg-{n}", "anchor": n, "head": n})
        for _ in range(20):  # each answered with an error (20: the queue holds them all)
            clerk_ws.send_json({"type": "awareness", "update": forged})
        _round_trip(clerk_ws)
        with judge.websocket_connect(path) as late_ws:
            assert late_ws.receive_json()["type"] == "doc"
            raw = late_ws.receive_text()
    snapshot = json.loads(raw)
    assert len(snapshot["peers"]) == 2  # the clerk's socket and the newcomer's own
    clerk_entry = next(p for p in snapshot["peers"] if p["key"] != "user-1")
    assert clerk_entry["cursor"] == {"segment": "seg-1999", "anchor": 1999, "head": 1999}
    assert len(raw.encode()) < 1024, len(raw.encode())
