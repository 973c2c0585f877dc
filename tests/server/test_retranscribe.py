"""Re-transcription of a closed hearing with the real model: a job runs in the worker thread,
its progress reaches 1, and its suggestions are decided by a person without ever overwriting what
a person edited. The recording is written as the live server writes it (espeak-ng speech on the
plaintiff's track); the transcript gets the live ASR's (deliberately wrong) text.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pycrdt import Array, Doc, Map, Text
from sqlalchemy import select

from asr.engine import Engine
from hearing_server.models import AuditEvent, Hearing, HearingStatus
from hearing_server.retranscribe.worker import RetranscriptionWorker
from hearing_server.transcript.actions import Author, TranscriptActions
from hearing_server.transcript.fanout import DocumentRooms
from hearing_server.transcript.model import SpeakerRef
from hearing_server.transcript.policy import EditorRole
from recordings import LocalDirStore
from tests.conftest import MakeSpeech
from tests.retranscribe.recording import record_phrases
from tests.server.conftest import PASSWORD

pytestmark = pytest.mark.timeout(300)

ORIGIN = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
LIVE_OFFSET_MS = 3000
PHRASES = (
    "I want the defendant to repay the loan of fifty thousand yuan.",
    "The interest rate is six percent per year.",
    "Please call the first witness.",
)
CLERK = Author("user-2", "clerk_a", EditorRole.CLERK)


def typing(actions: TranscriptActions, segment_id: str, text: str) -> bytes:
    """An editor's Yjs update appending ``text`` to a segment (as the browser sends it)."""
    client: Doc[Any] = Doc()
    client.apply_update(actions.snapshot()[1])
    state = client.get_state()
    for entry in client.get("segments", type=Array):
        if isinstance(entry, Map) and entry["id"] == segment_id:
            target: Text = entry["text"]
            target.insert(len(str(target).encode()), text)
    return bytes(client.get_update(state))


async def login(client: httpx.AsyncClient, username: str) -> None:
    response = await client.post(
        "/api/auth/login", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text


async def test_a_real_job_proposes_and_only_accepted_untouched_text_changes(
    app, ctx, world, settings, engine: Engine, espeak_wav: MakeSpeech
) -> None:
    hearing_id = world.hearing_a
    with ctx.session_factory() as session:
        hearing = session.get(Hearing, hearing_id)
        assert hearing is not None
        hearing.status, hearing.language = HearingStatus.CLOSED, "en"
        session.commit()
    track = f"participant-{world.plaintiff_a}"
    store = LocalDirStore(settings.data_dir / "recordings")
    spans = record_phrases(store, hearing_id, track, [espeak_wav(p) for p in PHRASES], ORIGIN)

    # The live transcript: the first phrase misheard, the second misheard and then corrected by a
    # person (touched), the third missed altogether.
    rooms: DocumentRooms = app.state.services.documents
    actions = (await rooms.get(hearing_id)).actions
    assert actions is not None
    plaintiff = SpeakerRef(track, "plaintiff", "张伟")
    for (start, end), text in zip(
        spans[:2], ("I want the defendant to pay.", "The interest rate is six."), strict=True
    ):
        start_utc = (ORIGIN + timedelta(milliseconds=start)).isoformat()
        await actions.commit_asr(
            plaintiff, start + LIVE_OFFSET_MS, end + LIVE_OFFSET_MS, text, start_utc=start_utc
        )
    await actions.edit(CLERK, typing(actions, "seg-2", " (per year?)"))
    edited = "The interest rate is six. (per year?)"
    assert actions.doc.get("seg-2").touched  # type: ignore[union-attr]

    worker: RetranscriptionWorker = app.state.services.retranscription
    worker.inject_engine("base", engine)
    transport = httpx.ASGITransport(app=app)
    base = f"/api/hearings/{hearing_id}/retranscription"
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as clerk:
        await login(clerk, "clerk_a")
        models = (await clerk.get(f"{base}/models")).json()
        assert {m["name"]: m["usable"] for m in models}["base"] is True
        assert (await clerk.post(f"{base}/jobs", json={"model": "large-v9"})).status_code == 422
        started = await clerk.post(f"{base}/jobs", json={"model": "base"})
        assert started.status_code == 201, started.text
        job = started.json()
        assert job["state"] == "queued" and job["progress"] == 0.0
        again = await clerk.post(f"{base}/jobs", json={"model": "base"})
        assert again.status_code == 409  # one job at a time per hearing

        worker.start()  # as the app's lifespan does (ASGITransport runs no lifespan)
        try:
            state = await asyncio.to_thread(worker.wait_for, job["id"], 240)
        finally:
            await asyncio.to_thread(worker.stop)
        assert state is not None and state.value == "done"
        (finished,) = (await clerk.get(f"{base}/jobs")).json()
        assert finished["state"] == "done" and finished["progress"] == 1.0, finished

        suggestions = (await clerk.get(f"{base}/suggestions")).json()
        by_segment = {s["segment_id"]: s for s in suggestions}
        assert set(by_segment) == {"seg-1", "seg-2", None}, suggestions
        first, second, new = by_segment["seg-1"], by_segment["seg-2"], by_segment[None]
        assert "loan" in first["proposed_text"].lower() and not first["segment_touched"]
        assert second["current_text"] == edited and second["segment_touched"]
        assert "witness" in new["proposed_text"].lower()
        assert new["start_utc"] and new["start_ms"] >= spans[2][0] + LIVE_OFFSET_MS - 1000
        # Nothing changed by proposing.
        assert actions.doc.get("seg-1").text == "I want the defendant to pay."  # type: ignore[union-attr]
        assert actions.doc.get("seg-2").text == edited  # type: ignore[union-attr]

        result = (await clerk.post(f"{base}/suggestions/accept-untouched")).json()
        assert result == {"accepted": 1, "stale": 0, "skipped": 2}
        assert actions.doc.get("seg-1").text == first["proposed_text"]  # type: ignore[union-attr]
        assert actions.doc.get("seg-2").text == edited  # type: ignore[union-attr]  # touched: kept
        # A person chose the accepted text: a later re-transcription may only suggest there.
        assert actions.doc.get("seg-1").touched  # type: ignore[union-attr]
        history = (
            await clerk.get(f"/api/hearings/{hearing_id}/transcript/revisions?segment=seg-1")
        ).json()
        assert history[-1]["after"] == first["proposed_text"]
        assert history[-1]["author"].startswith("user-") and history[-1]["author_name"] == "clerk_a"

        # The touched segment's suggestion, accepted one by one, but after another person's edit:
        # refused as stale, and the person's text stays.
        await actions.edit(CLERK, typing(actions, "seg-2", "!"))
        stale = await clerk.post(f"{base}/suggestions/{second['id']}/accept")
        assert stale.status_code == 409 and stale.json()["error"]["code"] == "suggestion_stale"
        assert actions.doc.get("seg-2").text == edited + "!"  # type: ignore[union-attr]

        # Speech the live transcript missed: accepting it inserts a segment of that speaker.
        accepted = await clerk.post(f"{base}/suggestions/{new['id']}/accept")
        assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
        inserted = actions.doc.get(f"rt-{new['id']}")
        assert inserted is not None and inserted.text == new["proposed_text"]
        assert inserted.speaker == plaintiff
        assert [s.id for s in actions.doc.segments()][-1] == inserted.id  # in time order

        states = {s["id"]: s["state"] for s in (await clerk.get(f"{base}/suggestions")).json()}
        assert states == {first["id"]: "accepted", second["id"]: "stale", new["id"]: "accepted"}
    with ctx.session_factory() as session:
        actions_logged = set(session.scalars(select(AuditEvent.action)))
    assert {
        "retranscription.start",
        "retranscription.done",
        "transcript.suggestions_accept_all",
        "transcript.suggestion_stale",
        "transcript.suggestion_accept",
    } <= actions_logged
