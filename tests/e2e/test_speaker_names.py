"""Issue 13, defect 6: the transcript page's recording tracks are named by role and name — the
judge's own track (a staff member not on the participant list) included — never by the internal
key (``staff-1``, ``participant-1``).

Runs in a private network namespace like the other browser tests.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np
import pytest
from sqlalchemy import select

from hearing_server.demo import seed_demo
from hearing_server.models import StaffUser
from recordings import LocalDirStore, RecordingJournal, finalize_hearing
from tests.e2e.harness import (
    TIMEOUT_MS,
    assert_private_namespace,
    launch_chromium,
    live_server,
    new_context,
    plaintiff_id,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.server.live_fakes import FakeStreams

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(150)]

RATE = 16_000


def test_speaker_names_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=140)


def test_recording_tracks_are_named_by_role_and_name(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert_private_namespace()
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    with live_server(tmp_path / "data", FakeStreams()) as server:
        seed = seed_demo(server.ctx)
        hearing = seed.hearing_id
        with server.ctx.session_factory() as session:
            judge = session.scalars(select(StaffUser.id).filter_by(username="judge")).one()
        keys = [f"participant-{plaintiff_id(server.ctx, hearing)}", f"staff-{judge}"]
        client = httpx.Client(base_url=server.base_url)
        login = {"username": "clerk", "password": seed.new_passwords["clerk"]}
        assert client.post("/api/auth/login", json=login).status_code == 200
        assert client.post(f"/api/hearings/{hearing}/open").status_code == 200
        store = LocalDirStore(tmp_path / "data" / "recordings")
        origin = datetime.now(UTC).replace(microsecond=0)
        tone = (0.2 * np.sin(2 * np.pi * 440 * np.arange(2 * RATE) / RATE)).astype(np.float32)
        for key in keys:
            journal = RecordingJournal(store, hearing, key)
            journal.write(tone, origin)
            journal.close()
        finalize_hearing(store, hearing)
        assert client.post(f"/api/hearings/{hearing}/close").status_code == 200
        manifest = client.get(f"/api/hearings/{hearing}/recordings").json()
        assert manifest["speakers"] == {
            keys[0]: {"role": "plaintiff", "display_name": "张伟"},
            keys[1]: {"role": "judge", "display_name": "王立明"},
        }
        cookie = client.cookies["tingshen_staff"]
        client.close()

        with sync_playwright() as pw:
            browser = launch_chromium(pw, wav)
            try:
                context = new_context(browser)
                context.add_cookies(
                    [{"name": "tingshen_staff", "value": cookie, "url": server.base_url}]
                )
                page = context.new_page()
                page.goto(f"{server.base_url}/transcript/{hearing}")
                options = page.locator("#player-track option")
                expect(options).to_have_text(
                    ["全场录音", "原告 张伟", "审判员 王立明"], timeout=TIMEOUT_MS
                )
                page.screenshot(path=str(tmp_path / "tracks.png"), full_page=True)
            finally:
                browser.close()
