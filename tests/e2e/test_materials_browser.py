"""The dossier's materials page in headless Chromium: the court administrator uploads a scan
(Chinese text drawn into an image with noise, no text layer) into the demo case's dossier; it
shows "processing", the service's worker converts and reads it by OCR in the background, the
page shows it ready, and a word read from the scan is found by the case's search and by the
court-wide search page, highlighted. Every message the pages print is read: none may be an
error. Runs in a private network namespace like the other browser tests.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from hearing_server.demo import seed_demo
from hearing_server.events import publish_case_created
from hearing_server.models import Case
from tests.dossier.material_files import scan_png
from tests.e2e.harness import (
    TIMEOUT_MS,
    assert_private_namespace,
    launch_chromium,
    live_server,
    new_context,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.server.live_fakes import FakeStreams

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(200)]
SHOTS = Path(os.environ.get("TINGSHEN_E2E_SHOTS", "/tmp"))
SCAN_LINES = ["民事起诉状", "原告王五，被告赵六。", "诉讼请求：判令被告归还借款本金叁万元。"]


def test_materials_page_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=190)


def test_upload_a_scan_and_find_a_word_from_it(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert_private_namespace()
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    scan = tmp_path / "起诉状扫描件.png"
    scan.write_bytes(scan_png(SCAN_LINES))
    with live_server(tmp_path / "data", FakeStreams()) as server, sync_playwright() as pw:
        seed = seed_demo(server.ctx)
        with server.ctx.session_factory() as s:  # the demo's case, announced as the API does
            case = s.get(Case, seed.case_id)
            assert case is not None
            publish_case_created(s, case, at=server.ctx.clock())
            s.commit()
        browser = launch_chromium(pw, wav)
        try:
            context = new_context(browser)
            page = context.new_page()
            messages: list[str] = []
            page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
            page.on(
                "response",
                lambda r: (
                    messages.append(f"response {r.status}: {r.url}") if r.status >= 400 else None
                ),
            )
            page.goto(f"{server.base_url}/login.html")
            page.fill("#username", "admin")
            page.fill("#password", seed.new_passwords["admin"])
            page.click("#submit")
            page.wait_for_load_state("networkidle")
            # The dossier learns of the demo case from the hearing server's case.created.
            deadline = time.monotonic() + 20
            while page.request.get(f"{server.base_url}/api/dossier/cases/1").status != 200:
                assert time.monotonic() < deadline, "the dossier never imported the demo case"
                page.wait_for_timeout(200)

            page.goto(f"{server.base_url}/dossier/materials.html?case=1")
            expect(page.locator("#hdr-case")).not_to_be_empty(timeout=TIMEOUT_MS)
            expect(page.locator("#upload")).to_be_visible()
            expect(page.get_by_text("本卷暂无材料。").first).to_be_visible()
            page.set_input_files("#u-file", str(scan))
            page.select_option("#u-type", "complaint")
            page.fill("#u-title", "民事起诉状（扫描件）")
            page.click("#upload button[type=submit]")
            expect(page.locator("#upload-status")).to_have_text("已上传，正在转换和识别。")
            item = page.locator(".mat-item").first
            expect(item.locator(".mat-title")).to_have_text("民事起诉状（扫描件）")
            expect(item.locator(".mat-type")).to_have_text("起诉状")
            expect(item.locator(".mat-status-ready")).to_have_text("可检索", timeout=90_000)
            expect(item.get_by_role("link", name="查看 PDF")).to_be_visible()
            page.screenshot(path=str(SHOTS / "materials-page.png"), full_page=True)

            page.fill("#q", "借款本金")
            page.click("#case-search button[type=submit]")
            expect(page.locator("#hits li")).to_have_count(1)
            expect(page.locator("#hits mark").first).to_have_text("借款")

            page.goto(f"{server.base_url}/dossier/search.html?q=被告归还")
            expect(page.locator("#hits li")).to_have_count(1)
            expect(page.locator("#hits li")).to_contain_text("民事起诉状（扫描件）")
            expect(page.locator("#hits mark").first).to_be_visible()
            page.screenshot(path=str(SHOTS / "materials-search.png"), full_page=True)
            page.fill("#q", "离婚")
            page.click("#court-search button[type=submit]")
            expect(page.locator("#hits li")).to_have_text("没有找到。")

            # The same page in English: volumes, types and states as English readers read them.
            page.goto(f"{server.base_url}/dossier/materials.html?case=1")
            page.click("#lang-switch")
            expect(page.get_by_role("heading", name="Main volume")).to_be_visible()
            expect(page.locator(".mat-item .mat-type")).to_have_text("Complaint")
            expect(page.locator(".mat-status-ready")).to_have_text("Searchable")
            expect(page.locator("#u-type option").first).to_have_text("Complaint (Main volume)")
            page.screenshot(path=str(SHOTS / "materials-page-en.png"), full_page=True)
        finally:
            browser.close()
    # Every answer the pages asked for was a success (``response``); Chromium's own favicon
    # request (not a page request, so not reported) leaves a "Failed to load resource" note.
    bad = [
        m
        for m in messages
        if m.startswith(("pageerror", "response"))
        or (m.startswith("error") and "Failed to load resource" not in m)
    ]
    assert bad == [], bad
