"""After the hearing closes, a segment's time plays the recording from that moment (Chromium).

The recording is written with the ``recordings`` library as the live server writes it (a 440 Hz
tone for six seconds from a known UTC time), the transcript document gets two segments placed at
1 s and 4 s of it, the clerk closes the hearing. On the transcript page the clerk clicks the
second segment's time: the page's ``<audio>`` (the mix, fetched with HTTP range requests) plays
from 4 s. Runs in a private network namespace like the other browser tests.
"""

from __future__ import annotations

import asyncio
import base64
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import websockets
from pycrdt import Array, Doc

from hearing_server.demo import seed_demo
from hearing_server.transcript.model import SpeakerRef
from hearing_server.transcript.ydoc import NewSegment, segment_map
from recordings import LocalDirStore, RecordingJournal, finalize_hearing
from tests.e2e.harness import (
    TIMEOUT_MS,
    assert_private_namespace,
    inside_namespace,
    launch_chromium,
    live_server,
    new_context,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.server.live_fakes import FakeStreams

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(180)]
RATE = 16_000


def test_playback_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=170)


async def _seed(url: str, cookie: str, origin: datetime, plaintiff: int) -> None:
    async with websockets.connect(url, additional_headers={"Cookie": cookie}) as ws:
        first = json.loads(await ws.recv())
        doc: Doc[Any] = Doc()
        doc.apply_update(base64.b64decode(first["state"]))
        segments: Array[Any] = doc.get("segments", type=Array)
        state = doc.get_state()
        for n, text in enumerate(("我要求被告归还借款。", "利息按年百分之六计算。")):
            at = origin + timedelta(seconds=1 + 3 * n)
            speaker = SpeakerRef(f"participant-{plaintiff}", "plaintiff", "张伟")
            start_ms = 1000 + 3000 * n
            segment = NewSegment(
                f"seg-{n + 1}", speaker, start_ms, start_ms + 2000, text, start_utc=at.isoformat()
            )
            segments.append(segment_map(segment))
        update = base64.b64encode(doc.get_update(state)).decode()
        await ws.send(json.dumps({"type": "edit", "id": "seed", "update": update}))
        while json.loads(await ws.recv())["type"] != "ack":
            pass


def test_a_segments_time_plays_the_recording_from_there(tmp_path: Path) -> None:
    if not inside_namespace():
        pytest.skip("runs only inside a private network namespace (see the runner)")
    assert_private_namespace()
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    with live_server(tmp_path / "data", FakeStreams()) as server:
        seed = seed_demo(server.ctx)
        hearing = seed.hearing_id
        client = httpx.Client(base_url=server.base_url)
        login = {"username": "clerk", "password": seed.new_passwords["clerk"]}
        assert client.post("/api/auth/login", json=login).status_code == 200
        assert client.post(f"/api/hearings/{hearing}/open").status_code == 200
        cookie = client.cookies["tingshen_staff"]
        try:
            _record_and_close(server, client, hearing, cookie, tmp_path)
        finally:
            client.close()
        _click_and_listen(server.base_url, hearing, cookie, wav)


def _record_and_close(
    server: Any, client: httpx.Client, hearing: int, cookie: str, tmp: Path
) -> None:
    origin = datetime.now(UTC).replace(microsecond=0)
    store = LocalDirStore(tmp / "data" / "recordings")
    journal = RecordingJournal(store, hearing, "participant-1")
    t = np.arange(6 * RATE) / RATE
    journal.write((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), origin)
    journal.close()
    assert finalize_hearing(store, hearing).duration_ms == 6000
    url = server.base_url.replace("http", "ws") + f"/ws/hearings/{hearing}/document"
    asyncio.run(_seed(url, f"tingshen_staff={cookie}", origin, 1))
    assert client.post(f"/api/hearings/{hearing}/close").status_code == 200


def _click_and_listen(base_url: str, hearing: int, cookie: str, wav: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw, wav)
        context = new_context(browser)
        context.add_cookies([{"name": "tingshen_staff", "value": cookie, "url": base_url}])
        page = context.new_page()
        page.goto(f"{base_url}/transcript/{hearing}")
        page.locator(".seg-time.play").nth(1).click(timeout=TIMEOUT_MS)
        page.wait_for_function(
            "() => { const a = document.getElementById('player');"
            " return !a.paused && a.currentTime >= 4.0 && a.currentTime < 5.5; }",
            timeout=TIMEOUT_MS,
        )
        assert page.locator("#tools").is_visible()  # closed: the clerk proofreads the record
        # The page offers all of the hearing's recordings as one download.
        link = page.locator("#player-zip")
        assert link.inner_text() == "下载全部录音"
        with page.expect_download(timeout=TIMEOUT_MS) as download:
            link.click()
        with zipfile.ZipFile(download.value.path()) as bundle:
            names = set(bundle.namelist())
        assert {"mix.flac", "participant-1.flac"} <= {n.rsplit("/", 1)[-1] for n in names}
        browser.close()
