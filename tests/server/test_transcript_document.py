"""The transcript document over its WebSocket: ASR text arrives, editors edit, readers watch.

Real app, real database (SQLite, and PostgreSQL when set), fake ASR streams; the editors are
pycrdt documents speaking the same protocol as the browser's Yjs (docs/protocol.md).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pycrdt import Array, Doc, Map, Text
from sqlalchemy import select

from asr.types import Commit, Gap, Revision, UtteranceEnd
from hearing_server.app import create_app
from hearing_server.models import TranscriptRevision
from hearing_server.transcript.store import SqlUpdateStore
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
from tests.server.live_fakes import FakeStream, FakeStreams

pytestmark = pytest.mark.timeout(60)


class Editor:
    """A client: its own copy of the document, kept current from the socket."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.doc: Doc[Any] = Doc()
        self.seq = 0
        self.sent = 0

    def receive(self) -> dict[str, Any]:
        message: dict[str, Any] = self.ws.receive_json()
        if message["type"] == "doc":
            self.doc.apply_update(base64.b64decode(message["state"]))
            self.seq = message["seq"]
        elif message["type"] == "update":
            self.doc.apply_update(base64.b64decode(message["update"]))
            self.seq = message["seq"]
        return message

    def until(self, kind: str) -> dict[str, Any]:
        for _ in range(20):
            message = self.receive()
            if message["type"] == kind:
                return message
        raise AssertionError(f"no {kind} message")

    def texts(self) -> list[str]:
        segments: Array[Any] = self.doc.get("segments", type=Array)
        return [str(m["text"]) for m in segments if isinstance(m, Map)]

    def type_at_end(self, index: int, text: str) -> str:
        state = self.doc.get_state()
        segments: Array[Any] = self.doc.get("segments", type=Array)
        target: Text = segments[index]["text"]
        target.insert(len(str(target).encode()), text)
        self.sent += 1
        message_id = f"e{self.sent}"
        update = base64.b64encode(self.doc.get_update(state)).decode()
        self.ws.send_json({"type": "edit", "id": message_id, "update": update})
        return message_id


def test_editors_correct_asr_text_readers_watch_and_everything_survives_a_restart(
    app, settings, clock, ctx, world, make_client, code_sender, fast_passwords
) -> None:
    live_client = make_client()
    open_hearing(ctx, world.hearing_a)
    clerk_cookie = {"cookie": staff_cookie(make_client, "clerk_a")}
    party = {"cookie": party_cookie(make_client, code_sender, world.plaintiff_a)}
    base = f"/ws/hearings/{world.hearing_a}"
    with (
        live_client.websocket_connect(f"{base}/transcript", headers=clerk_cookie) as live_ws,
        live_client.websocket_connect(f"{base}/document", headers=clerk_cookie) as clerk_ws,
        live_client.websocket_connect(f"{base}/document", headers=party) as party_ws,
    ):
        clerk, reader = Editor(clerk_ws), Editor(party_ws)
        assert clerk.until("doc")["seq"] == 0 and reader.until("doc")["seq"] == 0
        stream = speak(live_client, live_of(app, world.hearing_a), plaintiff_speaker(world))
        emit(
            live_client,
            stream,
            Commit(words("原告陈述", 1000), "zh", False, 1400),
            Commit(words("借款五万元", 1400), "zh", True, 1900),
        )
        receive_until(live_ws, lambda m: m["type"] == "segment")
        clerk.until("update"), clerk.until("update")
        assert clerk.texts() == ["原告陈述借款五万元"]

        message_id = clerk.type_at_end(0, "。")
        ack = clerk.until("ack")
        assert ack["id"] == message_id and ack["seq"] == 4  # the edit and the "edited" mark
        for _ in range(4):
            reader.until("update")
        assert reader.texts() == ["原告陈述借款五万元。"]

        refused_id = reader.type_at_end(0, "（原告改的）")
        refused = reader.until("refused")
        assert refused["id"] == refused_id and "only the judge" in refused["reason"]
        assert clerk.texts() == ["原告陈述借款五万元。"]
        last_seq = reader.seq

    with ctx.session_factory() as session:
        revision = session.scalars(
            select(TranscriptRevision).where(TranscriptRevision.field == "text")
        ).all()[-1]
        # stored as the change (the full stop added), not as two copies of the segment
        assert (revision.removed, revision.inserted, revision.prefix_chars) == ("", "。", 9)
        assert revision.author_key.startswith("user-")
    (read,) = [
        r
        for r in SqlUpdateStore(ctx.session_factory).revision_page(
            world.hearing_a, after_id=revision.id - 1, limit=1
        )
    ]
    assert (read.before, read.after) == ("原告陈述借款五万元", "原告陈述借款五万元。")

    # Another server process on the same database: the document is all there.
    restarted = create_app(
        settings,
        clock=clock,
        code_sender=code_sender,
        passwords=fast_passwords,
        stream_factory=FakeStreams(),
    )
    try:
        with TestClient(restarted) as again:
            with again.websocket_connect(f"{base}/document", headers=clerk_cookie) as ws:
                fresh = Editor(ws)
                assert fresh.until("doc")["seq"] == 4
                assert fresh.texts() == ["原告陈述借款五万元。"]
            with again.websocket_connect(f"{base}/document?since=2", headers=party) as ws:
                behind = Editor(ws)
                missed = [behind.receive() for _ in range(3)]
                assert [m["type"] for m in missed] == ["update", "update", "synced"]
                assert [m["seq"] for m in missed] == [3, 4, 4]
            assert last_seq == 4
    finally:
        restarted.state.services.context.engine.dispose()


def test_outsiders_are_refused_and_garbage_gets_an_error_not_a_crash(
    app, ctx, world, make_client, code_sender
) -> None:
    client = make_client()
    open_hearing(ctx, world.hearing_a)
    other_court = {"cookie": staff_cookie(make_client, "clerk_b")}
    base = f"/ws/hearings/{world.hearing_a}/document"
    with client.websocket_connect(base, headers=other_court) as ws:
        with pytest.raises(Exception) as refused:
            ws.receive_json()
        assert getattr(refused.value, "code", None) == 4403
    clerk = {"cookie": staff_cookie(make_client, "clerk_a")}
    with client.websocket_connect(base, headers=clerk) as ws:
        assert ws.receive_json()["type"] == "doc"
        assert ws.receive_json()["type"] == "presence"
        ws.send_text("not json")
        assert ws.receive_json() == {"type": "error", "reason": "malformed message"}
        ws.send_json({"type": "edit", "id": "x", "update": base64.b64encode(b"\xff\x00").decode()})
        refused = ws.receive_json()
        assert refused["type"] == "refused" and "not a transcript update" in refused["reason"]


def test_exports_history_and_hotwords(app, ctx, world, make_client, code_sender) -> None:
    import pypdfium2

    live_client = make_client()
    open_hearing(ctx, world.hearing_a)
    clerk_cookie = {"cookie": staff_cookie(make_client, "clerk_a")}
    base = f"/ws/hearings/{world.hearing_a}"
    api = f"/api/hearings/{world.hearing_a}"
    clerk = make_client()
    clerk.headers.update(clerk_cookie)
    party = make_client()
    party.headers.update({"cookie": party_cookie(make_client, code_sender, world.plaintiff_a)})
    before = clerk.post(f"{api}/hotwords", json={"words": ["借条"]})  # before anyone speaks
    assert before.status_code == 200 and "借条" in before.json()["hotwords"]
    with (
        live_client.websocket_connect(f"{base}/transcript", headers=clerk_cookie) as live_ws,
        live_client.websocket_connect(f"{base}/document", headers=clerk_cookie) as doc_ws,
    ):
        editor = Editor(doc_ws)
        editor.until("doc")
        stream = speak(live_client, live_of(app, world.hearing_a), plaintiff_speaker(world))
        emit(live_client, stream, Commit(words("借款五万元", 1400), "zh", True, 1900))
        committed = receive_until(live_ws, lambda m: m["type"] == "segment")["segment"]
        editor.until("update")
        editor.type_at_end(0, "整")
        editor.until("ack")

        added = clerk.post(f"{api}/hotwords", json={"words": [" 民间借贷 ", "张伟"]})
        assert added.status_code == 200, added.text
        assert "民间借贷" in added.json()["hotwords"]
        assert "民间借贷" in stream.config.hotwords  # the running stream uses it now
        assert "借条" in stream.config.hotwords  # stored earlier, read when the stream opened
        assert party.post(f"{api}/hotwords", json={"words": ["x"]}).status_code == 403
        assert clerk.post(f"{api}/hotwords", json={"words": [""]}).status_code == 422

        txt = party.get(f"{api}/transcript.txt")
        assert txt.status_code == 200 and "原告张伟：借款五万元整" in txt.text
        assert "案号：" in txt.text
        srt = clerk.get(f"{api}/transcript.srt").text
        assert "00:00:01,400 --> 00:00:01,900\n原告张伟：借款五万元整" in srt
        data = clerk.get(f"{api}/transcript.json").json()
        assert data["segments"][0]["status"] == "edited" and data["version"] == 3
        assert data["segments"][0]["start_utc"] == committed["start_at"]  # place in the recording
        pdf = party.get(f"{api}/transcript.pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        text = pypdfium2.PdfDocument(pdf.content)[0].get_textpage().get_text_range()
        assert "庭 审 笔 录" in text and "借款五万元整" in text
        assert clerk.get(f"{api}/transcript.doc").status_code == 422

        history = party.get(f"{api}/transcript/revisions", params={"segment": "seg-1"}).json()
        assert [(h["field"], h["after"]) for h in history] == [
            ("created", "借款五万元"),
            ("text", "借款五万元整"),
        ]
        assert history[0]["author"] == "asr" and history[1]["author"].startswith("user-")
    outsider = make_client()
    outsider.headers.update({"cookie": staff_cookie(make_client, "clerk_b")})
    assert outsider.get(f"{api}/transcript.txt").status_code == 404


def test_a_newcomer_sees_who_is_editing_and_a_leaver_takes_their_cursor_along(
    app, ctx, world, make_client
) -> None:
    client = make_client()
    open_hearing(ctx, world.hearing_a)
    clerk = {"cookie": staff_cookie(make_client, "clerk_a")}
    judge = {"cookie": staff_cookie(make_client, "judge_a")}
    path = f"/ws/hearings/{world.hearing_a}/document"
    with client.websocket_connect(path, headers=judge) as judge_ws:
        assert judge_ws.receive_json()["type"] == "doc"
        assert judge_ws.receive_json()["type"] == "presence"
        with client.websocket_connect(path, headers=clerk) as clerk_ws:
            assert clerk_ws.receive_json()["type"] == "doc"
            mine = clerk_ws.receive_json()["you"]
            joined = judge_ws.receive_json()
            assert [p["id"] for p in joined["peers"]] == [mine]
            clerk_ws.send_json({"type": "cursor", "segment": "seg-1", "anchor": 2, "head": 4})
            moved = judge_ws.receive_json()["peers"][0]
            assert moved["cursor"] == {"segment": "seg-1", "anchor": 2, "head": 4}
            with client.websocket_connect(path, headers=judge) as late_ws:
                assert late_ws.receive_json()["type"] == "doc"
                peers = {p["id"]: p for p in late_ws.receive_json()["peers"]}
                assert peers[mine]["cursor"]["segment"] == "seg-1"
                assert peers[mine]["role"] == "clerk"
        # the late judge came and went, then the clerk's socket closed
        seen = [judge_ws.receive_json() for _ in range(3)]
        assert seen[0]["peers"][0]["key"] == "user-1" and "gone" in seen[1]
        assert seen[2] == {"type": "presence", "gone": [mine]}


def test_an_english_hearing_is_recognised_as_english(app, ctx, world, make_client) -> None:
    from tests.server.conftest import login

    live_client = make_client()  # first: its lifespan (loop) owns the live session
    client = make_client()
    login(client, "judge_a")
    body = {
        "scheduled_at": "2026-12-10T02:00:00Z",
        "duration_minutes": 60,
        "place": "Court 3",
        "language": "en",
    }
    created = client.post(f"/api/cases/{world.case_a}/hearings", json=body)
    assert created.status_code == 201 and created.json()["language"] == "en"
    body["language"] = "fr"
    assert client.post(f"/api/cases/{world.case_a}/hearings", json=body).status_code == 422
    hearing_id = created.json()["id"]
    open_hearing(ctx, hearing_id)
    judge = {"cookie": staff_cookie(make_client, "judge_a")}
    with live_client.websocket_connect(f"/ws/hearings/{hearing_id}/transcript", headers=judge):
        stream = speak(live_client, live_of(app, hearing_id), plaintiff_speaker(world))
        assert stream.config.language == "en"
        assert {"民间借贷纠纷", "质证"} <= set(stream.config.hotwords)  # cause, court terms


@contextmanager
def plaintiff_speaking(
    app: Any, ctx: Any, world: Any, make_client: Any
) -> Iterator[tuple[Any, Any, Editor, FakeStream]]:
    """Hearing A open, the clerk on the live socket and the document, the plaintiff's stream:
    (client, live socket, the clerk's document, the fake stream)."""
    live_client = make_client()
    open_hearing(ctx, world.hearing_a)
    clerk_cookie = {"cookie": staff_cookie(make_client, "clerk_a")}
    base = f"/ws/hearings/{world.hearing_a}"
    with (
        live_client.websocket_connect(f"{base}/transcript", headers=clerk_cookie) as live_ws,
        live_client.websocket_connect(f"{base}/document", headers=clerk_cookie) as clerk_ws,
    ):
        clerk = Editor(clerk_ws)
        clerk.until("doc")
        stream = speak(live_client, live_of(app, world.hearing_a), plaintiff_speaker(world))
        yield live_client, live_ws, clerk, stream


def test_an_utterance_that_ends_without_new_words_makes_no_empty_segment(
    app, ctx, world, make_client
) -> None:
    """The recogniser ends an utterance whose final decode added nothing with ``UtteranceEnd``,
    not an empty commit: the open segment is complete, the next words open a new segment, and
    the room hears of voiced audio without text as a gap with its reason."""
    with plaintiff_speaking(app, ctx, world, make_client) as (live_client, live_ws, clerk, stream):
        emit(
            live_client,
            stream,
            Commit(words("没有异议", 1000), "zh", False, 1500),
            UtteranceEnd(2200),
            Gap(2500, 4200, "unrecognised"),
            Commit(words("没有异议", 5000), "zh", True, 5600),
        )
        gap = receive_until(live_ws, lambda m: m["type"] == "gap")
        assert gap["reason"] == "unrecognised" and gap["display_name"] == "张伟"
        commits = [receive_until(live_ws, lambda m: m["type"] == "segment")]
        assert all(c["segment"]["text"] for c in commits)
        clerk.until("update"), clerk.until("update")
        assert clerk.texts() == ["没有异议", "没有异议"]


def test_the_recogniser_corrects_its_own_words_but_never_a_persons(
    app, ctx, world, make_client
) -> None:
    """A Revision (the utterance's final decode reads words differently) corrects the speaker's
    open segment in the transcript of record, attributed to the ASR; once a person has changed
    the segment, a later revision is dropped."""
    with plaintiff_speaking(app, ctx, world, make_client) as (live_client, live_ws, clerk, stream):
        quick = words("几乎停制", 1000)
        emit(live_client, stream, Commit(quick, "zh", False, 1500))
        receive_until(live_ws, lambda m: m["type"] == "segment")
        clerk.until("update")
        fixed = (replace(quick[3], text="滞", end_ms=quick[3].end_ms + 20),)
        tail = words("的情况", 1400)
        emit(
            live_client,
            stream,
            Revision((quick[3],), fixed, "zh", 1800),
            Commit(tail, "zh", False, 1800),
        )
        clerk.until("update"), clerk.until("update")
        assert clerk.texts() == ["几乎停滞的情况"]

        clerk.type_at_end(0, "，")  # the clerk corrects the segment herself
        clerk.until("ack")
        emit(live_client, stream, Revision((tail[2],), (replace(tail[2], text="形"),), "zh", 2000))
        emit(live_client, stream, Commit(words("。", 1700), "zh", True, 2000))
        while clerk.texts() != ["几乎停滞的情况，。"]:
            clerk.receive()

    history = SqlUpdateStore(ctx.session_factory).revision_page(
        world.hearing_a, after_id=0, limit=200
    )
    texts = [r.after for r in history if r.author == "asr"]
    assert "几乎停滞" in texts


def test_the_next_utterance_corrects_the_last_words_of_the_previous_segment(
    app, ctx, world, make_client
) -> None:
    """A Revision of words committed in the speaker's previous utterance (the next utterance's
    final decode read them again with what followed) corrects that segment, not the open one;
    a revision of a previous segment a person has changed is dropped."""
    with plaintiff_speaking(app, ctx, world, make_client) as (live_client, _live_ws, clerk, stream):
        first = words("原告请求返还借款", 1000)
        emit(live_client, stream, Commit(first, "zh", True, 2200))
        clerk.until("update")
        second = words("被告没有异议", 3000)
        fixed = (replace(first[-1], text="欵"),)
        emit(
            live_client,
            stream,
            Commit(second[:3], "zh", False, 3600),
            Revision((first[-1],), fixed, "zh", 4200),
            Commit(second[3:], "zh", True, 4200),
        )
        for _ in range(20):  # a bounded wait: the updates of two commits and a revision
            if clerk.texts() == ["原告请求返还借欵", "被告没有异议"]:
                break
            clerk.receive()
        assert clerk.texts() == ["原告请求返还借欵", "被告没有异议"]

        clerk.type_at_end(1, "。")  # the clerk finishes the second line herself
        clerk.until("ack")
        third = words("请继续", 6000)
        emit(
            live_client,
            stream,
            Revision((second[-1],), (replace(second[-1], text="义"),), "zh", 6800),
            Commit(third, "zh", True, 6800),
        )
        for _ in range(20):
            if len(clerk.texts()) == 3:
                break
            clerk.receive()
        assert clerk.texts() == ["原告请求返还借欵", "被告没有异议。", "请继续"]
