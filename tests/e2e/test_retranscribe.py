"""Re-transcription in the browser (Chromium): after the hearing closes, the clerk starts a job
with the base model on the transcript page, watches it finish, and accepts a suggestion; the
segment's text changes in the page through the document socket, as for every open editor.

The recording is written with the ``recordings`` library as the live server writes it (espeak-ng
English on the plaintiff's track) and the transcript document gets the live ASR's misheard text.
The server loads the model itself, as in production (``TINGSHEN_RETRANSCRIBE_CPU_THREADS`` 1).
"""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from pycrdt import Array, Doc

from hearing_server.demo import seed_demo
from hearing_server.models import Hearing
from hearing_server.transcript.model import SpeakerRef
from hearing_server.transcript.ydoc import NewSegment, segment_map
from recordings import LocalDirStore
from tests.conftest import MakeSpeech
from tests.e2e.harness import (
    TIMEOUT_MS,
    assert_private_namespace,
    inside_namespace,
    launch_chromium,
    live_server,
    new_context,
    plaintiff_id,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.retranscribe.recording import record_phrases
from tests.server.live_fakes import FakeStreams

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]
PHRASES = ("I want the defendant to repay the loan of fifty thousand yuan.", "Thank you.")
MISHEARD = ("I want the defendant to pay.", "Thank you.")
JOB_TIMEOUT_MS = 180_000


def test_retranscription_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=290)


async def _seed(url: str, cookie: str, segments_in: list[NewSegment]) -> None:
    async with websockets.connect(url, additional_headers={"Cookie": cookie}) as ws:
        first = json.loads(await ws.recv())
        doc: Doc[Any] = Doc()
        doc.apply_update(base64.b64decode(first["state"]))
        segments: Array[Any] = doc.get("segments", type=Array)
        state = doc.get_state()
        for segment in segments_in:
            segments.append(segment_map(segment))
        update = base64.b64encode(doc.get_update(state)).decode()
        await ws.send(json.dumps({"type": "edit", "id": "seed", "update": update}))
        while json.loads(await ws.recv())["type"] != "ack":
            pass


def test_the_clerk_re_transcribes_and_accepts_a_suggestion(
    tmp_path: Path, espeak_wav: MakeSpeech
) -> None:
    if not inside_namespace():
        pytest.skip("runs only inside a private network namespace (see the runner)")
    assert_private_namespace()
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    with live_server(tmp_path / "data", FakeStreams()) as server:
        seed = seed_demo(server.ctx)
        hearing = seed.hearing_id
        with server.ctx.session_factory() as session:
            row = session.get(Hearing, hearing)
            assert row is not None
            row.language = "en"
            session.commit()
        client = httpx.Client(base_url=server.base_url)
        login = {"username": "clerk", "password": seed.new_passwords["clerk"]}
        assert client.post("/api/auth/login", json=login).status_code == 200
        assert client.post(f"/api/hearings/{hearing}/open").status_code == 200
        cookie = client.cookies["tingshen_staff"]
        origin = datetime.now(UTC).replace(microsecond=0)
        track = f"participant-{plaintiff_id(server.ctx, hearing)}"
        store = LocalDirStore(tmp_path / "data" / "recordings")
        spans = record_phrases(store, hearing, track, [espeak_wav(p) for p in PHRASES], origin)
        speaker = SpeakerRef(track, "plaintiff", "张伟")
        segments = [
            NewSegment(
                f"seg-{n + 1}",
                speaker,
                start,
                end,
                text,
                start_utc=(origin + timedelta(milliseconds=start)).isoformat(),
            )
            for n, ((start, end), text) in enumerate(zip(spans, MISHEARD, strict=True))
        ]
        url = server.base_url.replace("http", "ws") + f"/ws/hearings/{hearing}/document"
        asyncio.run(_seed(url, f"tingshen_staff={cookie}", segments))
        assert client.post(f"/api/hearings/{hearing}/close").status_code == 200
        client.close()
        _start_and_accept(server.base_url, hearing, cookie, wav)


def _start_and_accept(base_url: str, hearing: int, cookie: str, wav: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw, wav)
        context = new_context(browser)
        context.add_cookies([{"name": "tingshen_staff", "value": cookie, "url": base_url}])
        page = context.new_page()
        page.goto(f"{base_url}/transcript/{hearing}")
        page.locator("#suggestions").wait_for(state="visible", timeout=TIMEOUT_MS)
        assert page.locator("#tools").is_visible()  # closed: the clerk proofreads the record
        page.wait_for_function(
            "() => document.getElementById('rt-model').value === 'base'", timeout=TIMEOUT_MS
        )
        page.locator("#rt-start").click()
        page.locator("#rt-job[data-state='done']").wait_for(timeout=JOB_TIMEOUT_MS)
        item = page.locator(".rt-item[data-segment='seg-1']")
        item.wait_for(timeout=TIMEOUT_MS)
        assert item.locator("ins").count() >= 1  # the difference is highlighted
        assert page.locator(".rt-item[data-segment='seg-2']").count() == 0  # same text
        textarea = page.locator(".seg[data-id='seg-1'] textarea")
        assert textarea.input_value() == MISHEARD[0]
        item.locator(".rt-accept").click()
        page.wait_for_function(
            "() => document.querySelector(\".seg[data-id='seg-1'] textarea\")"
            ".value.toLowerCase().includes('loan')",
            timeout=TIMEOUT_MS,
        )
        page.locator(".rt-item[data-segment='seg-1']").wait_for(
            state="detached", timeout=TIMEOUT_MS
        )
        browser.close()
