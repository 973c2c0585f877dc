"""Issue 13, interpreters, as people see them (headless Chromium, private network namespace).

The clerk adds an interpreter for the defendant on the dashboard (language Mandarin, interprets
被告 李娜) and sees it on the participant list; the interpreter joins through the invitation; the
judge's live transcript shows the interpreter's words as "翻译 陈译（为 被告 李娜 翻译）". The ASR is
the model-free fake of ``test_room.py`` (one sentence per voiced second); what is checked is the
labelling and the language the server opened the interpreter's stream in.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hearing_server.demo import seed_demo
from hearing_server.notify import RecordingCodeSender
from tests.e2e.harness import (
    NETNS_ENV,
    REPO_ROOT,
    TIMEOUT_MS,
    assert_private_namespace,
    inside_namespace,
    live_server,
    run_module_in_namespace,
)
from tests.e2e.test_room import Running, SpeakingStreams, _chromium, _tone_wav

SCREENSHOTS = REPO_ROOT / "out" / "screenshots"

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(180)]


def test_interpreting_in_private_network_namespace() -> None:
    if inside_namespace():
        pytest.skip("already inside the private network namespace")
    run_module_in_namespace(__file__, timeout_s=170, passed=1)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Running, RecordingCodeSender]]:
    if not inside_namespace():
        pytest.skip(f"runs only inside a private network namespace ({NETNS_ENV}=1, see the runner)")
    assert_private_namespace()
    streams = SpeakingStreams()
    with live_server(tmp_path / "data", streams) as live:
        yield Running(live.base_url, live.ctx, streams), live.sender


def test_clerk_adds_an_interpreter_and_the_judge_sees_their_words_as_interpretation(
    server: tuple[Running, RecordingCodeSender], tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    running, sender = server
    seed = seed_demo(running.ctx)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = _chromium(pw, _tone_wav(tmp_path / "speech.wav"))
        try:
            viewport = {"width": 1366, "height": 820}
            clerk = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
            clerk.goto(f"{running.base_url}/login.html")
            clerk.fill("#username", "clerk")
            clerk.fill("#password", seed.new_passwords["clerk"])
            clerk.click("#submit")
            clerk.wait_for_url("**/dashboard.html")
            row = clerk.locator(f'[data-hearing="{seed.hearing_id}"]')
            row.get_by_role("button", name="参加人").click()
            expect(row.locator(".plist li")).to_have_count(2)
            form = row.locator("form")
            form.get_by_placeholder("姓名").fill("陈译")
            form.get_by_label("诉讼地位").select_option("interpreter")
            form.get_by_label("发言语言").select_option("zh")
            form.get_by_label("为谁翻译").select_option(label="被告 李娜")
            form.get_by_placeholder("手机号").fill("13800000009")
            form.get_by_role("button", name="添加").click()
            added = row.locator(".plist li").nth(2)
            expect(added).to_contain_text("翻译")
            expect(added).to_contain_text("普通话 · 为 被告 李娜 翻译")
            clerk.screenshot(path=str(SCREENSHOTS / "dashboard-interpreter.png"), full_page=True)
            pid = int(added.get_attribute("data-participant") or "0")
            added.get_by_role("button", name="生成邀请链接").click()
            link = added.locator(".invite-url")
            expect(link).to_contain_text("/join/")
            join_url = link.inner_text()
            row.get_by_role("button", name="开庭").click()
            expect(row.get_by_text("庭审中")).to_be_visible()

            key = f"participant-{pid}"
            running.streams.phrases[key] = "翻译发言"
            interpreter = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
            interpreter.goto(join_url)
            expect(interpreter.locator("#f-you")).to_have_text("翻译 陈译")
            interpreter.click("#get-code")
            expect(interpreter.locator("#sent")).to_be_visible()
            interpreter.fill("#code", sender.last_code_for(pid))
            interpreter.click("#enter")
            interpreter.wait_for_url("**/room.html?h=*")

            judge = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
            judge.goto(f"{running.base_url}/login.html?next=/room.html%3Fh%3D{seed.hearing_id}")
            judge.fill("#username", "judge")
            judge.fill("#password", seed.new_passwords["judge"])
            judge.click("#submit")
            judge.wait_for_url("**/room.html?h=*")
            line = judge.locator(f'#committed .line[data-speaker="{key}"]').first
            expect(line).to_contain_text("翻译发言", timeout=TIMEOUT_MS)
            expect(line.locator(".who")).to_contain_text("翻译陈译（为 被告 李娜 翻译）")
            judge.screenshot(path=str(SCREENSHOTS / "room-interpreter.png"))
            assert running.streams.streams[key].config.language == "zh"
        finally:
            browser.close()
