"""Who may do what with re-transcription, and when the transcript takes edits (no model here:
suggestions are written to the database as a finished job would write them).

- After the hearing closes, the judge, the clerk and recorders keep editing (proofreading before
  signing); parties stay read-only; before it opens nobody edits.
- The API is for the hearing's court's editors only; a start needs a closed hearing with a
  finalised recording; a decision is made once; a locked segment's suggestion goes stale.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
from pycrdt import Array, Map

from hearing_server.models import (
    Hearing,
    HearingStatus,
    RetranscriptionJob,
    RetranscriptionState,
    SuggestionState,
    TranscriptSuggestion,
)
from hearing_server.transcript.model import SpeakerRef
from hearing_server.transcript.ydoc import NewSegment, segment_map
from tests.server.live_client import party_cookie, staff_cookie
from tests.server.test_transcript_document import Editor

pytestmark = pytest.mark.timeout(60)
AT = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def set_status(ctx: Any, hearing_id: int, status: HearingStatus) -> None:
    with ctx.session_factory() as session:
        hearing = session.get(Hearing, hearing_id)
        assert hearing is not None
        hearing.status = status
        session.commit()


def send(editor: Editor, change: Any) -> dict[str, Any]:
    """Apply ``change(segments)`` to the editor's copy and send it; the server's answer."""
    state = editor.doc.get_state()
    change(editor.doc.get("segments", type=Array))
    update = base64.b64encode(editor.doc.get_update(state)).decode()
    editor.sent += 1
    editor.ws.send_json({"type": "edit", "id": f"e{editor.sent}", "update": update})
    for _ in range(20):
        message = editor.receive()
        if message["type"] in ("ack", "refused"):
            return message
    raise AssertionError("no answer to the edit")


def add_segment(segment_id: str, text: str) -> Any:
    speaker = SpeakerRef("participant-1", "plaintiff", "张伟")
    segment = NewSegment(segment_id, speaker, 1000, 2000, text, start_utc=AT.isoformat())
    return lambda segments: segments.append(segment_map(segment))


def add_suggestions(ctx: Any, hearing_id: int, *items: tuple[str | None, str, str]) -> list[int]:
    with ctx.session_factory() as session:
        job = RetranscriptionJob(
            hearing_id=hearing_id,
            model="base",
            language="zh",
            requested_by=1,
            state=RetranscriptionState.DONE,
            progress=1.0,
            created_at=AT,
        )
        session.add(job)
        session.flush()
        rows = [
            TranscriptSuggestion(
                job_id=job.id,
                hearing_id=hearing_id,
                segment_id=segment_id,
                speaker_key="participant-1",
                start_ms=1000,
                end_ms=2000,
                start_utc=AT.isoformat(),
                current_text=current,
                proposed_text=proposed,
                words=[],
                state=SuggestionState.PENDING,
                created_at=AT,
            )
            for segment_id, current, proposed in items
        ]
        session.add_all(rows)
        session.commit()
        return [row.id for row in rows]


def test_editors_keep_editing_after_closing_parties_never_and_nobody_before_opening(
    app, ctx, world, make_client, code_sender
) -> None:
    client = make_client()
    party = {"cookie": party_cookie(make_client, code_sender, world.plaintiff_a)}
    clerk = {"cookie": staff_cookie(make_client, "clerk_a")}
    set_status(ctx, world.hearing_a, HearingStatus.CLOSED)
    base = f"/ws/hearings/{world.hearing_a}/document"
    with (
        client.websocket_connect(base, headers=clerk) as clerk_ws,
        client.websocket_connect(base, headers=party) as party_ws,
    ):
        editor, reader = Editor(clerk_ws), Editor(party_ws)
        editor.until("doc"), reader.until("doc")
        assert send(editor, add_segment("seg-1", "闭庭后校对"))["type"] == "ack"
        reader.until("update")
        refused = send(reader, add_segment("seg-2", "当事人改的"))
        assert refused["type"] == "refused" and "only the judge" in refused["reason"]
    set_status(ctx, world.hearing_a, HearingStatus.SCHEDULED)
    with client.websocket_connect(base, headers=clerk) as clerk_ws:
        editor = Editor(clerk_ws)
        editor.until("doc")
        refused = send(editor, add_segment("seg-3", "开庭前"))
        assert refused["type"] == "refused" and "cannot be edited now" in refused["reason"]


def test_only_the_courts_editors_may_use_it_and_a_start_needs_a_recording(
    app, ctx, world, make_client, code_sender
) -> None:
    api = f"/api/hearings/{world.hearing_a}/retranscription"
    party = make_client()
    party.headers.update({"cookie": party_cookie(make_client, code_sender, world.plaintiff_a)})
    other_court, clerk, nobody = make_client(), make_client(), make_client()
    other_court.headers.update({"cookie": staff_cookie(make_client, "clerk_b")})
    clerk.headers.update({"cookie": staff_cookie(make_client, "clerk_a")})
    assert nobody.get(f"{api}/jobs").status_code == 401
    assert party.get(f"{api}/jobs").status_code == 403
    assert party.get(f"{api}/suggestions").status_code == 403
    assert other_court.get(f"{api}/jobs").status_code == 404
    assert other_court.post(f"{api}/jobs", json={"model": "base"}).status_code == 404
    still_open = clerk.post(f"{api}/jobs", json={"model": "base"})
    assert still_open.status_code == 409 and "closed" in still_open.json()["error"]["message"]
    set_status(ctx, world.hearing_a, HearingStatus.CLOSED)
    unrecorded = clerk.post(f"{api}/jobs", json={"model": "base"})
    assert unrecorded.status_code == 409 and "recording" in unrecorded.json()["error"]["message"]
    assert clerk.post(f"{api}/jobs", json={"model": ""}).status_code == 422
    assert clerk.get(f"{api}/jobs").json() == []
    assert clerk.post(f"{api}/jobs/999/cancel").status_code == 404


def test_decisions_are_made_once_and_a_locked_segments_suggestion_goes_stale(
    app, ctx, world, make_client, code_sender
) -> None:
    client = make_client()
    set_status(ctx, world.hearing_a, HearingStatus.CLOSED)
    judge = {"cookie": staff_cookie(make_client, "judge_a")}
    api = f"/api/hearings/{world.hearing_a}/retranscription"
    with client.websocket_connect(f"/ws/hearings/{world.hearing_a}/document", headers=judge) as ws:
        editor = Editor(ws)
        editor.until("doc")
        assert send(editor, add_segment("seg-1", "借款五万"))["type"] == "ack"
        assert send(editor, add_segment("seg-2", "利率六"))["type"] == "ack"
        first, second, third = add_suggestions(
            ctx,
            world.hearing_a,
            ("seg-1", "借款五万", "借款五万元"),
            ("seg-2", "利率六", "利率百分之六"),
            ("seg-9", "不存在", "删掉了"),
        )

        def lock(segments: Array[Any]) -> None:
            entry = segments[1]
            assert isinstance(entry, Map)
            entry["locked"] = True

        assert send(editor, lock)["type"] == "ack"
        judge_api = make_client()
        judge_api.headers.update(judge)
        rejected = judge_api.post(f"{api}/suggestions/{first}/reject")
        assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
        assert judge_api.post(f"{api}/suggestions/{first}/accept").status_code == 409
        for gone in (second, third):  # locked; deleted
            stale = judge_api.post(f"{api}/suggestions/{gone}/accept")
            assert stale.status_code == 409, stale.text
            assert stale.json()["error"]["code"] == "suggestion_stale"
        listed = {s["id"]: s for s in judge_api.get(f"{api}/suggestions").json()}
        assert [listed[i]["state"] for i in (first, second, third)] == [
            "rejected",
            "stale",
            "stale",
        ]
        assert listed[second]["segment_locked"] and listed[third]["segment_text_now"] is None
        assert editor.texts() == ["借款五万", "利率六"]  # nothing was changed
        assert judge_api.get(f"{api}/suggestions?state=bogus").status_code == 422
        assert judge_api.post(f"{api}/suggestions/12345/reject").status_code == 404
