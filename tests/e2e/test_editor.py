"""Two editors correct the same segment at once in headless Chromium; a party watches, read-only.

The real app (fake ASR; the document is seeded over its WebSocket by a pycrdt client, as the ASR
would fill it) runs inside a private network namespace: ``test_editor_in_private_network_namespace``
re-executes this module with ``unshare -n`` (see :mod:`tests.e2e.harness`) and asserts that it
passed. Inside, the clerk and the judge open the transcript page and type into the same segment,
keystroke by keystroke interleaved, one at its start and one at its end: both pages end with both
changes, character-merged by the CRDT. The plaintiff's transcript page shows the same text, has no
text box and no editing tools, and the server recorded who changed what. A gap of the plaintiff's
recording (a 35 s mute, written by the server) is a plain row between the two segments on every
page, and editing around it works as before.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from pycrdt import Array, Doc

from hearing_server.demo import seed_demo
from hearing_server.transcript.actions import TranscriptActions
from hearing_server.transcript.model import GapView, SpeakerRef
from hearing_server.transcript.store import SqlUpdateStore
from hearing_server.transcript.ydoc import NewSegment, segment_map
from tests.e2e.harness import (
    TIMEOUT_MS,
    assert_private_namespace,
    inside_namespace,
    launch_chromium,
    live_server,
    new_context,
    plaintiff_enters,
    plaintiff_id,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.server.live_fakes import FakeStreams

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(240)]

FIRST = "我要求被告归还借款五万元。"
SECOND = "借款是事实，但是已经还了两万元。"


GAP_ROW = "—— 原告 张伟 静音 14:03:05–14:03:40（35 秒）——"


def test_editor_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=220)


async def _seed_gap(ctx: Any, hearing_id: int, plaintiff: int) -> None:
    """The server's own write (as the recorder's report of a mute makes it), into the store the
    server loads the document from when its first editor connects."""
    actions = await TranscriptActions.load(
        hearing_id, SqlUpdateStore(ctx.session_factory), lambda _message: None
    )
    speaker = SpeakerRef(f"participant-{plaintiff}", "plaintiff", "张伟")
    gap = GapView(
        "gap-e2e", speaker, "mute", 7500, 42_500, "2026-11-28T06:03:05Z", "2026-11-28T06:03:40Z"
    )
    assert await actions.commit_gap(gap) is not None


async def _seed(base_ws: str, cookie: str, plaintiff: int) -> None:
    async with websockets.connect(base_ws, additional_headers={"Cookie": cookie}) as ws:
        first = json.loads(await ws.recv())
        doc: Doc[Any] = Doc()
        doc.apply_update(base64.b64decode(first["state"]))
        segments: Array[Any] = doc.get("segments", type=Array)
        state = doc.get_state()
        for n, (role, text) in enumerate((("plaintiff", FIRST), ("defendant", SECOND)), start=1):
            speaker = SpeakerRef(
                f"participant-{plaintiff + n - 1}", role, "张伟" if n == 1 else "李娜"
            )
            segments.append(
                segment_map(NewSegment(f"seg-{n}", speaker, n * 4000, n * 4000 + 3000, text))
            )
        update = base64.b64encode(doc.get_update(state)).decode()
        await ws.send(json.dumps({"type": "edit", "id": "seed", "update": update}))
        while json.loads(await ws.recv())["type"] != "ack":
            pass


def _staff_page(browser: Any, base_url: str, username: str, password: str, hearing_id: int) -> Any:
    page = new_context(browser).new_page()
    page.goto(f"{base_url}/login.html?next=/transcript/{hearing_id}")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#submit")
    page.wait_for_url(f"**/transcript/{hearing_id}")
    page.wait_for_selector('.seg[data-id="seg-1"] textarea', timeout=TIMEOUT_MS)
    return page


def test_two_editors_type_into_one_segment_and_a_party_watches(tmp_path: Path) -> None:
    if not inside_namespace():
        pytest.skip("runs only inside a private network namespace (see the runner)")
    assert_private_namespace()
    from playwright.sync_api import sync_playwright

    wav = write_browser_wav(tmp_path / "silence.wav", silence(2.0))
    with live_server(tmp_path / "data", FakeStreams()) as server:
        seed = seed_demo(server.ctx)
        pid = plaintiff_id(server.ctx, seed.hearing_id)
        with httpx.Client(base_url=server.base_url) as client:
            client.post(
                "/api/auth/login",
                json={"username": "clerk", "password": seed.new_passwords["clerk"]},
            )
            assert client.post(f"/api/hearings/{seed.hearing_id}/open").status_code == 200
            cookie = f"tingshen_staff={client.cookies['tingshen_staff']}"
        ws_url = server.base_url.replace("http", "ws") + f"/ws/hearings/{seed.hearing_id}/document"
        asyncio.run(_seed_gap(server.ctx, seed.hearing_id, pid))
        asyncio.run(_seed(ws_url, cookie, pid))
        with sync_playwright() as pw:
            _watch(pw, server, seed, pid, wav, cookie)


def _watch(pw: Any, server: Any, seed: Any, pid: int, wav: Path, cookie: str) -> None:
    from playwright.sync_api import expect

    browser = launch_chromium(pw, wav)
    clerk = _staff_page(
        browser, server.base_url, "clerk", seed.new_passwords["clerk"], seed.hearing_id
    )
    judge = _staff_page(
        browser, server.base_url, "judge", seed.new_passwords["judge"], seed.hearing_id
    )
    # The mute is a row of its own between the segments (7.5 s: after seg-1, before seg-2).
    gap = clerk.locator(".gap-row")
    expect(gap).to_have_text(GAP_ROW, timeout=TIMEOUT_MS)
    assert gap.locator("textarea").count() == 0
    order = clerk.eval_on_selector_all(
        "#segments > *", "nodes => nodes.map(n => n.dataset.id || n.dataset.gapId)"
    )
    assert order == ["seg-1", "gap-e2e", "seg-2"], order
    at_clerk = clerk.locator('.seg[data-id="seg-1"] textarea')
    at_judge = judge.locator('.seg[data-id="seg-1"] textarea')
    at_clerk.click()
    clerk.keyboard.press("End")
    at_judge.click()
    judge.keyboard.press("Home")
    for clerk_text, judge_text in (("（含", "原告"), ("利息", "陈述"), ("）", "：")):
        clerk.keyboard.insert_text(clerk_text)  # as an input method commits Chinese text
        judge.keyboard.insert_text(judge_text)
    expected = "原告陈述：" + FIRST + "（含利息）"
    expect(at_clerk).to_have_value(expected, timeout=TIMEOUT_MS)
    expect(at_judge).to_have_value(expected, timeout=TIMEOUT_MS)
    expect(clerk.locator("#save-state")).to_have_text("已保存", timeout=TIMEOUT_MS)
    expect(judge.locator("#save-state")).to_have_text("已保存", timeout=TIMEOUT_MS)
    expect(clerk.locator('.seg[data-id="seg-1"] .badge')).to_have_text("已校对")
    # Each editor sees the other's cursor (awareness) in the segment.
    expect(clerk.locator('.seg[data-id="seg-1"] .caret-name')).to_have_text(
        "王立明", timeout=TIMEOUT_MS
    )
    # Presence is the server's: a palette class from its colour index, no style attribute.
    caret = clerk.locator('.seg[data-id="seg-1"] .caret')
    assert caret.get_attribute("style") is None
    assert re.fullmatch(r"caret presence-c[0-7]", caret.get_attribute("class") or "")
    expect(clerk.locator("#editors li")).to_have_count(2, timeout=TIMEOUT_MS)

    party = plaintiff_enters(browser, server, seed, pid)
    party.goto(f"{server.base_url}/transcript/{seed.hearing_id}")
    row = party.locator('.seg[data-id="seg-1"] .seg-text')
    expect(row).to_have_text(expected, timeout=TIMEOUT_MS)
    assert party.locator(".seg textarea").count() == 0
    expect(party.locator(".gap-row")).to_have_text(GAP_ROW)
    expect(party.locator("#tools")).to_be_hidden()
    # A correction made now appears on the party's page.
    at_clerk.click()
    clerk.keyboard.press("End")
    clerk.keyboard.insert_text("。")
    expect(row).to_have_text(expected + "。", timeout=TIMEOUT_MS)

    # Keyboard commands: split, merge back, a note, find and replace (offering a hotword).
    second = clerk.locator('.seg[data-id="seg-2"] textarea')
    second.click()
    clerk.keyboard.press("Home")
    for _ in range(6):  # after 借款是事实，
        clerk.keyboard.press("ArrowRight")
    clerk.keyboard.press("Control+Enter")
    expect(clerk.locator(".seg")).to_have_count(3, timeout=TIMEOUT_MS)
    tail = clerk.locator(".seg").nth(2)
    expect(tail.locator("textarea")).to_have_value("但是已经还了两万元。")
    expect(party.locator(".seg")).to_have_count(3, timeout=TIMEOUT_MS)
    clerk.keyboard.press("Control+Backspace")  # the cursor is at the start of the new segment
    expect(clerk.locator(".seg")).to_have_count(2, timeout=TIMEOUT_MS)
    expect(second).to_have_value(SECOND)
    # Alt+↑ from seg-2 goes to seg-1's text, over the gap row (it has nothing to edit).
    second.click()
    clerk.keyboard.press("Alt+ArrowUp")
    expect(at_clerk).to_be_focused()
    expect(clerk.locator(".gap-row")).to_have_text(GAP_ROW)
    clerk.once("dialog", lambda dialog: dialog.accept("原告出示证据三"))
    clerk.keyboard.press("Alt+n")
    note = clerk.locator(".seg-note")
    expect(note.locator("textarea")).to_have_value("原告出示证据三", timeout=TIMEOUT_MS)
    expect(party.locator(".seg-note .seg-text")).to_have_text("原告出示证据三", timeout=TIMEOUT_MS)
    clerk.fill("#find", "两万元")
    clerk.fill("#replace", "贰万元")
    clerk.once("dialog", lambda dialog: dialog.accept())  # add 贰万元 to the hotwords
    clerk.click("#replace-all")
    expect(party.locator('.seg[data-id="seg-2"] .seg-text')).to_have_text(
        "借款是事实，但是已经还了贰万元。", timeout=TIMEOUT_MS
    )
    expect(clerk.locator("#ed-notice")).to_contain_text("贰万元", timeout=TIMEOUT_MS)
    expect(clerk.locator("#save-state")).to_have_text("已保存", timeout=TIMEOUT_MS)
    shots = Path(__file__).resolve().parents[2] / "out" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    clerk.screenshot(path=str(shots / "editor-two-editors.png"))
    party.screenshot(path=str(shots / "editor-party.png"))
    party.click("#lang-switch")  # reloads the page in English
    expect(party.locator(".gap-row")).to_have_text(
        "—— Plaintiff 张伟 muted 14:03:05–14:03:40 (35 s) ——", timeout=TIMEOUT_MS
    )
    party.screenshot(path=str(shots / "editor-party-en.png"))
    # Logging out (from the page's own script, as another tab of the party would) closes the
    # open document socket at once, and the page says why, in its language.
    party.evaluate("fetch('/api/join/logout', {method: 'POST'})")
    expect(party.locator("#ed-notice")).to_contain_text("You logged out", timeout=TIMEOUT_MS)

    history = httpx.get(
        f"{server.base_url}/api/hearings/{seed.hearing_id}/transcript/revisions",
        params={"segment": "seg-1"},
        headers={"cookie": cookie},
    ).json()
    authors = {h["author_name"] for h in history if h["field"] == "text"}
    assert {"陈晓", "王立明"} <= authors, authors
    browser.close()
