"""A mute is a fact of the record: the judge mutes the plaintiff, unmutes them 35 s later, and the
gap reaches every editor's document, the exports, and stays out of the editors' reach. A server
restart is one too: the new server puts it into the transcript when the speaker is back.

Real app and database, fake ASR; the recorder's monotonic clock is moved forward by the test
(the mute "lasts" 35 s without the test waiting for it).
"""

from __future__ import annotations

import base64
import json
import re
import time
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pycrdt import Array, Map

from asr.types import Commit
from hearing_server.app import create_app
from hearing_server.live import recorder as recorder_module
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
from tests.server.live_fakes import FakeStreams
from tests.server.test_transcript_document import Editor

pytestmark = pytest.mark.timeout(60)


class OffsetMonotonic:
    """The real monotonic clock plus what the test adds (a mute that lasted longer)."""

    def __init__(self) -> None:
        self.offset_s = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset_s


def _gaps(editor: Editor) -> list[dict[str, Any]]:
    gaps: Array[Any] = editor.doc.get("gaps", type=Array)
    return [m.to_py() or {} for m in gaps if isinstance(m, Map)]


def test_a_mute_appears_in_the_document_and_exports_and_editors_cannot_touch_it(
    app, ctx, world, make_client, monkeypatch
) -> None:
    mono = OffsetMonotonic()
    monkeypatch.setattr(recorder_module, "monotonic", mono)
    live_client = make_client()  # one client, one event loop: requests, sockets, the live session
    open_hearing(ctx, world.hearing_a)
    clerk_cookie = {"cookie": staff_cookie(make_client, "clerk_a")}
    judge = {"cookie": staff_cookie(make_client, "judge_a")}
    api = f"/api/hearings/{world.hearing_a}"
    mute = f"{api}/participants/{world.plaintiff_a}/mute"
    base = f"/ws/hearings/{world.hearing_a}"
    with (
        live_client.websocket_connect(f"{base}/transcript", headers=clerk_cookie) as live_ws,
        live_client.websocket_connect(f"{base}/document", headers=clerk_cookie) as doc_ws,
    ):
        clerk = Editor(doc_ws)
        clerk.until("doc")
        stream = speak(live_client, live_of(app, world.hearing_a), plaintiff_speaker(world))
        emit(live_client, stream, Commit(words("借款五万元", 1000), "zh", True, 1500))
        receive_until(live_ws, lambda m: m["type"] == "segment")
        clerk.until("update")

        # A short mute (a cough) stays in the recording's log only ...
        assert live_client.post(mute, json={"muted": True}, headers=judge).status_code == 200
        mono.offset_s += 1.0
        assert live_client.post(mute, json={"muted": False}, headers=judge).status_code == 200
        # ... and a long one is in the transcript: the next update is this one, not the short.
        assert live_client.post(mute, json={"muted": True}, headers=judge).status_code == 200
        mono.offset_s += 35.0
        assert live_client.post(mute, json={"muted": False}, headers=judge).status_code == 200
        update = clerk.until("update")
        assert update["author"]["key"] == "server"
        (gap,) = _gaps(clerk)
        assert gap["reason"] == "mute" and gap["speaker_name"] == "张伟"
        assert gap["speaker_key"] == f"participant-{world.plaintiff_a}"
        assert 35_000 <= gap["end_ms"] - gap["start_ms"] < 36_000
        assert gap["start_ms"] > 1000  # on the segments' clock, after what was said before

        # An editor's update that shortens the mute is refused, and nobody's copy changes.
        state = clerk.doc.get_state()
        entry = clerk.doc.get("gaps", type=Array)[0]
        entry["end_ms"] = gap["start_ms"] + 1000
        forged = base64.b64encode(clerk.doc.get_update(state)).decode()
        clerk.ws.send_json({"type": "edit", "id": "forge", "update": forged})
        refused = clerk.until("refused")
        assert refused["id"] == "forge" and "server only" in refused["reason"]

    clerk_http = make_client()
    clerk_http.headers.update(clerk_cookie)
    txt = clerk_http.get(f"{api}/transcript.txt").text
    line = re.search(r"^—— 原告张伟 静音 16:0\d:\d\d–16:0\d:\d\d（35 秒）——$", txt, re.M)
    assert line is not None, txt
    assert txt.index("借款五万元") < line.start()
    data = json.loads(clerk_http.get(f"{api}/transcript.json").text)
    (exported,) = data["gaps"]
    assert exported["end_ms"] == gap["end_ms"] and exported["after_segment"] is not None
    assert "NOTE —— 原告张伟 静音" in clerk_http.get(f"{api}/transcript.vtt").text
    revisions = clerk_http.get(f"{api}/transcript/revisions").json()
    assert [r["author"] for r in revisions if r["field"] == "gap"] == ["server"]


def test_a_server_restart_is_a_gap_in_the_transcript(
    app, settings, clock, ctx, world, code_sender, fast_passwords
) -> None:
    open_hearing(ctx, world.hearing_a)
    # Logging in needs no running server (no lifespan): the server that runs and stops is `first`.
    clerk_cookie = {"cookie": staff_cookie(lambda: TestClient(app), "clerk_a")}
    judge = {"cookie": staff_cookie(lambda: TestClient(app), "judge_a")}
    api = f"/api/hearings/{world.hearing_a}"
    unmute = (f"{api}/participants/{world.plaintiff_a}/mute", {"muted": False})
    speaker = plaintiff_speaker(world)
    with TestClient(app) as first:
        assert first.post(unmute[0], json=unmute[1], headers=judge).status_code == 200
        with first.websocket_connect(
            f"/ws/hearings/{world.hearing_a}/document", headers=clerk_cookie
        ) as ws:
            editor = Editor(ws)
            editor.until("doc")
            live = live_of(app, world.hearing_a)
            stream = speak(first, live, speaker)
            emit(first, stream, Commit(words("借款五万元", 1000), "zh", True, 1500))
            editor.until("update")
        recorder = live.recorder
        assert recorder is not None
        second = np.full(16_000, 0.1, dtype=np.float32)
        assert first.portal is not None
        first.portal.call(lambda: recorder.feed(speaker.key, second))
    # The server stopped (the TestClient's shutdown flushed the recording); ten minutes later
    # it is back, on the same database and data directory.
    clock.advance(timedelta(minutes=10))
    restarted = create_app(
        settings,
        clock=clock,
        code_sender=code_sender,
        passwords=fast_passwords,
        stream_factory=FakeStreams(),
    )
    try:
        with TestClient(restarted) as again:
            base = f"/ws/hearings/{world.hearing_a}/document"
            with again.websocket_connect(base, headers=clerk_cookie) as ws:
                editor = Editor(ws)
                editor.until("doc")
                assert _gaps(editor) == []
                # The plaintiff is back (here: the judge's controls reach the new live session).
                assert again.post(unmute[0], json=unmute[1], headers=judge).status_code == 200
                assert editor.until("update")["author"]["key"] == "server"
                (gap,) = _gaps(editor)
            assert gap["reason"] == "restart" and gap["speaker_name"] == "张伟"
            # Ten minutes of the test's clock, less the real seconds the first server ran (the
            # recorder's timeline is monotonic from its start): a few on a loaded machine.
            assert 590_000 <= gap["end_ms"] - gap["start_ms"] <= 600_000
            assert gap["start_ms"] >= 0  # the live start of before the restart is kept
            txt = again.get(f"{api}/transcript.txt", headers=clerk_cookie).text
            assert re.search(r"^—— 原告张伟 服务器重启 16:00:\d\d–16:10:00（.+）——$", txt, re.M), (
                txt
            )
    finally:
        restarted.state.services.context.engine.dispose()
