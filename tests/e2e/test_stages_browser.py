"""Court stages in the room, end to end: the judge moves the hearing through its stages, the
plaintiff's page follows the stage bar, the clerk records the plaintiff's identity during 核对身份,
and the transcript (live panel, editor, TXT and the 笔录 PDF) shows every marker as a heading.

Three Chromium contexts (judge, clerk, plaintiff) against the real app in a private network
namespace (DESIGN.md §8; the runner re-executes this module with ``unshare -n``). Nobody needs to
speak: the fake microphone plays silence and the ASR is the model-free fake.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hearing_server.demo import DemoSeed, seed_demo
from tests.e2e.harness import (
    NETNS_ENV,
    REPO_ROOT,
    TIMEOUT_MS,
    LiveServer,
    assert_private_namespace,
    inside_namespace,
    judge_enters,
    launch_chromium,
    live_server,
    new_context,
    open_hearing,
    plaintiff_enters,
    plaintiff_id,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.server.live_fakes import FakeStreams

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SCREENSHOTS = REPO_ROOT / "out" / "screenshots"

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(240)]


def test_stages_in_private_network_namespace() -> None:
    run_module_in_namespace(Path(__file__), timeout_s=230)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    if not inside_namespace():
        pytest.skip(f"runs only inside a private network namespace ({NETNS_ENV}=1, see the runner)")
    assert_private_namespace()
    with live_server(tmp_path / "data", FakeStreams()) as live:
        yield live


def clerk_enters(browser: Browser, base_url: str, seed: DemoSeed) -> Page:
    from playwright.sync_api import expect

    page = new_context(browser).new_page()
    page.goto(f"{base_url}/login.html?next=/room.html%3Fh%3D{seed.hearing_id}")
    page.fill("#username", "clerk")
    page.fill("#password", seed.new_passwords["clerk"])
    page.click("#submit")
    page.wait_for_url("**/room.html?h=*")
    expect(page.locator("#conn")).to_have_text("已连接", timeout=TIMEOUT_MS)
    return page


def test_judge_moves_stages_clerk_checks_identity(server: LiveServer, tmp_path: Path) -> None:
    import pypdfium2
    from playwright.sync_api import expect, sync_playwright

    seed = seed_demo(server.ctx)
    base = server.base_url
    pid = plaintiff_id(server.ctx, seed.hearing_id)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    wav = write_browser_wav(tmp_path / "quiet.wav", silence(2.0))
    with sync_playwright() as pw:
        browser = launch_chromium(pw, wav)
        try:
            open_hearing(browser, base, seed)
            judge = judge_enters(browser, base, seed)
            clerk = clerk_enters(browser, base, seed)
            party = plaintiff_enters(browser, server, seed, pid)
            expect(party.locator("#conn")).to_have_text("已连接", timeout=TIMEOUT_MS)

            # Everyone sees the stage list; nothing has started. Only the judge gets buttons.
            bar = party.locator("#stage-bar")
            expect(bar.locator("li")).to_have_count(8)
            expect(bar).to_contain_text("尚未开始")
            expect(bar.locator("button")).to_have_count(0)
            expect(judge.locator("#stage-bar button")).to_have_count(8)

            judge.locator('#stage-bar li[data-stage="discipline"] button').click()
            expect(bar.locator("li.current")).to_have_text("1宣布法庭纪律")
            judge.locator('#stage-bar li[data-stage="identity"] button').click()
            expect(bar.locator("li.current")).to_have_text("2核对身份")
            expect(bar.locator('li[data-stage="discipline"]')).to_have_class("done")

            # During 核对身份 the plaintiff is asked to show their document; the clerk records it.
            expect(party.locator("#identity-panel .id-ask")).to_contain_text("请将身份证件")
            expect(party.locator("#identity-panel form")).to_have_count(0)
            row = clerk.locator(f'#identity-panel li[data-participant="{pid}"]')
            expect(row).to_contain_text("原告")
            expect(row).to_contain_text("张伟")
            expect(row).to_contain_text("未核对")
            row.locator(".id-last4").fill("12")
            row.get_by_role("button", name="核对无误").click()
            expect(clerk.locator("#identity-panel .error")).to_contain_text("后四位")
            row.locator(".id-type").select_option("resident_id")
            row.locator(".id-last4").fill("1234")
            clerk.screenshot(path=str(SCREENSHOTS / "stages-clerk-identity.png"))
            row.get_by_role("button", name="核对无误").click()
            party_row = party.locator(f'#identity-panel li[data-participant="{pid}"]')
            expect(party_row).to_contain_text("已核对")
            expect(party_row).to_contain_text("身份证 ****1234")
            expect(party.locator("#identity-panel .id-ask")).to_have_count(0)
            identity_line = "核对当事人身份：原告 张伟（身份证 ****1234）已核对"
            markers = party.locator("#committed .line.marker")
            expect(markers.filter(has_text=identity_line)).to_have_count(1)
            party.screenshot(path=str(SCREENSHOTS / "stages-party-identity.png"))

            judge.locator('#stage-bar li[data-stage="investigation"] button').click()
            expect(bar.locator("li.current")).to_have_text("3法庭调查")
            expect(party.locator("#identity-panel")).to_be_hidden()
            expect(markers).to_have_count(4)
            texts = markers.all_inner_texts()
            assert [t.split(" ")[0] for t in texts] == [
                "【宣布法庭纪律】",
                "【核对身份】",
                identity_line.split(" ")[0],
                "【法庭调查】",
            ], texts
            judge.screenshot(path=str(SCREENSHOTS / "stages-judge.png"))

            # In English the bar speaks English; the record (markers) stays as the court wrote it.
            party.locator("#lang-switch").click()
            expect(party.locator("#stage-bar li.current")).to_have_text("3Investigation")
            expect(party.locator("#stage-bar .stage-bar-label")).to_contain_text("Hearing stage")
            expect(party.locator("#committed .line.marker").nth(3)).to_contain_text("【法庭调查】")
            party.screenshot(path=str(SCREENSHOTS / "stages-party-en.png"))

            # The exported record: headings of their own, never an utterance.
            api = f"{base}/api/hearings/{seed.hearing_id}"
            txt = party.request.get(f"{api}/transcript.txt").text()
            for heading in ("\n【宣布法庭纪律】 ", "\n【核对身份】 ", "\n【法庭调查】 "):
                assert heading in txt, txt
            assert f"\n{identity_line} " in txt, txt
            pdf = pypdfium2.PdfDocument(party.request.get(f"{api}/transcript.pdf").body())
            text = "".join(page.get_textpage().get_text_range() for page in pdf)
            assert "【核对身份】" in text and "原告 张伟（身份证 ****1234）已核对" in text, text

            # The clerk's editor shows the markers as headings nobody can type into.
            editor = clerk.context.new_page()
            editor.goto(f"{base}/transcript/{seed.hearing_id}")
            rows = editor.locator(".seg.seg-marker")
            expect(rows).to_have_count(4, timeout=TIMEOUT_MS)
            expect(rows.locator("textarea")).to_have_count(0)
            expect(rows.nth(3)).to_contain_text("【法庭调查】")
            # Replace-all passes over markers (the server would refuse the whole update).
            editor.fill("#find", "张伟")
            editor.fill("#replace", "张玮")
            editor.click("#replace-all")
            expect(editor.locator("#ed-notice")).to_have_text("已替换 0 处")
            expect(rows.nth(2)).to_contain_text("原告 张伟（身份证 ****1234）")
            editor.screenshot(path=str(SCREENSHOTS / "stages-editor.png"))
        finally:
            browser.close()
