"""Evidence on screen, end to end: the plaintiff uploads a two-page PDF and presents it, the
judge's page shows page 1 then page 2 as the plaintiff turns, the judge takes control, turns
back and stops; every step is a 【举证】 marker in the live transcript and in the TXT export.

Two Chromium contexts (plaintiff, judge) against the real app in a private network namespace
(DESIGN.md §8; the runner re-executes this module with ``unshare -n``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from reportlab.pdfgen.canvas import Canvas

from hearing_server.demo import seed_demo
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
    open_hearing,
    plaintiff_enters,
    plaintiff_id,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.server.live_fakes import FakeStreams

if TYPE_CHECKING:
    from playwright.sync_api import Page

SCREENSHOTS = REPO_ROOT / "out" / "screenshots"

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(240)]


def test_evidence_in_private_network_namespace() -> None:
    run_module_in_namespace(Path(__file__), timeout_s=230)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    if not inside_namespace():
        pytest.skip(f"runs only inside a private network namespace ({NETNS_ENV}=1, see the runner)")
    assert_private_namespace()
    with live_server(tmp_path / "data", FakeStreams()) as live:
        yield live


def iou_pdf(path: Path) -> Path:
    """A two-page PDF whose pages look different (a big number on each)."""
    out = io.BytesIO()
    canvas = Canvas(out)
    for n in (1, 2):
        canvas.setFont("Helvetica-Bold", 160)
        canvas.drawString(220, 420, str(n))
        canvas.setFont("Helvetica", 20)
        canvas.drawString(72, 760, f"IOU - page {n} of 2")
        canvas.showPage()
    canvas.save()
    path.write_bytes(out.getvalue())
    return path


def shown_page(page: Page) -> str:
    """The page number on screen once its image has loaded."""
    image = page.locator("#evidence-view img.ev-page")
    page.wait_for_function(
        "() => { const i = document.querySelector('#evidence-view img.ev-page');"
        " return i && i.complete && i.naturalWidth > 0; }",
        timeout=TIMEOUT_MS,
    )
    return str(image.get_attribute("data-page"))


def test_present_turn_take_control(server: LiveServer, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    seed = seed_demo(server.ctx)
    pid = plaintiff_id(server.ctx, seed.hearing_id)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    wav = write_browser_wav(tmp_path / "quiet.wav", silence(2.0))
    pdf = iou_pdf(tmp_path / "借条.pdf")
    with sync_playwright() as pw:
        browser = launch_chromium(pw, wav)
        try:
            open_hearing(browser, server.base_url, seed)
            judge = judge_enters(browser, server.base_url, seed)
            party = plaintiff_enters(browser, server, seed, pid)
            expect(party.locator("#conn")).to_have_text("已连接", timeout=TIMEOUT_MS)

            # The plaintiff uploads the PDF; a text file is refused with a message in Chinese.
            party.locator("#evidence-open").click()
            panel = party.locator("#evidence-panel")
            expect(panel).to_contain_text("尚无举证材料")
            bad = tmp_path / "note.txt"
            bad.write_text("not evidence")
            panel.locator(".ev-file").set_input_files(bad)
            panel.get_by_role("button", name="上传").click()
            expect(panel.locator(".error")).to_contain_text("只能上传 PDF、PNG 或 JPEG 文件")
            panel.locator(".ev-file").set_input_files(pdf)
            panel.get_by_role("button", name="上传").click()
            item = panel.locator(".ev-item")
            expect(item).to_contain_text("证据1《借条》.pdf")
            expect(item).to_contain_text("原告 张伟 · 2 页")
            party.screenshot(path=str(SCREENSHOTS / "evidence-party-panel.png"))

            # Presented: the judge sees page 1; the plaintiff turns, the judge sees page 2.
            item.get_by_role("button", name="出示").click()
            view = judge.locator("#evidence-view")
            expect(view.locator(".ev-who")).to_have_text("原告 张伟 正在出示 证据1《借条》.pdf")
            expect(view.locator(".ev-pageno")).to_have_text("第 1 / 2 页")
            assert shown_page(judge) == "1"
            expect(view.locator(".ev-next")).to_have_count(0)  # only the presenter turns pages
            party.locator("#evidence-view .ev-next").click()
            expect(view.locator(".ev-pageno")).to_have_text("第 2 / 2 页")
            assert shown_page(judge) == "2"
            judge.screenshot(path=str(SCREENSHOTS / "evidence-judge-page2.png"))

            # The judge takes control: the plaintiff can no longer turn; the judge turns back.
            view.locator(".ev-take").click()
            party_view = party.locator("#evidence-view")
            expect(party_view.locator(".ev-who")).to_have_text(
                "审判员 王立明 正在出示 证据1《借条》.pdf"
            )
            expect(party_view.locator(".ev-next, .ev-prev")).to_have_count(0)
            view.locator(".ev-prev").click()
            expect(party_view.locator(".ev-pageno")).to_have_text("第 1 / 2 页")
            assert shown_page(party) == "1"
            party.screenshot(path=str(SCREENSHOTS / "evidence-party-judge-controls.png"))
            view.locator(".ev-stop").click()
            expect(party_view).to_be_hidden()
            expect(view).to_be_hidden()

            # Every step is a marker of the transcript, on every page and in the export.
            expected = [
                "【举证】原告 张伟 出示 证据1《借条》.pdf 第 1 页",
                "【举证】原告 张伟 翻至 证据1《借条》.pdf 第 2 页",
                "【举证】审判员 王立明 接管展示 证据1《借条》.pdf 第 2 页",
                "【举证】审判员 王立明 翻至 证据1《借条》.pdf 第 1 页",
                "【举证】审判员 王立明 结束展示 证据1《借条》.pdf",
            ]
            markers = party.locator("#committed .line.marker")
            expect(markers).to_have_count(5)
            assert [m.rsplit(" ", 1)[0] for m in markers.all_inner_texts()] == expected
            api = f"{server.base_url}/api/hearings/{seed.hearing_id}"
            txt = party.request.get(f"{api}/transcript.txt").text()
            lines = [x.rsplit(" ", 1)[0] for x in txt.splitlines() if x.startswith("【举证】")]
            assert lines == expected, txt
        finally:
            browser.close()
