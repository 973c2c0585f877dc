"""The public verification page in headless Chromium: a signed transcript shows "有效" with its
signers; a copy changed after signing shows "无效" with the reason.

The server opens a CA made beforehand in its data directory (the development passphrase file is
written next to it), and the transcripts are signed with that CA by the signing library, as the
closing workflow would. Runs in a private network namespace like the other browser tests.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

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
from tests.server.signed_pdfs import (
    CA_PASSPHRASE,
    CASE_NUMBER,
    PARTY_SIGNERS,
    change_text,
    make_court_ca,
    sign_transcript,
)

SHOTS = Path(os.environ.get("TINGSHEN_E2E_SHOTS", "/tmp"))

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(150)]

# Drag and drop as a person does it, from the page's side: a DataTransfer holding the file.
DROP_JS = """([name, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "application/pdf" }));
  const target = document.getElementById("drop");
  for (const type of ["dragenter", "dragover", "drop"]) {
    target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }
}"""


def test_verify_page_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=140)


def test_verify_page_shows_valid_and_tampered(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert_private_namespace()
    data_dir = tmp_path / "data"
    ca = make_court_ca(data_dir / "ca")
    passphrase = data_dir / "ca" / "passphrase"  # the development passphrase the server reads
    passphrase.write_text(CA_PASSPHRASE, encoding="ascii")
    os.chmod(passphrase, 0o600)
    signed = sign_transcript(ca).signed
    valid = tmp_path / "笔录-已签署.pdf"
    valid.write_bytes(signed)
    forged = change_text(signed)
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    with live_server(data_dir, FakeStreams()) as server, sync_playwright() as pw:
        browser = launch_chromium(pw, wav)
        try:
            page = new_context(browser).new_page()
            page.goto(f"{server.base_url}/verify")
            expect(page.locator("h1")).to_have_text("笔录验证")

            page.set_input_files("#file", str(valid))
            expect(page.locator("#verdict-word")).to_have_text("有效", timeout=TIMEOUT_MS)
            expect(page.locator("#verdict")).to_have_attribute("data-valid", "true")
            signatures = page.locator(".vf-sig")
            expect(signatures).to_have_count(len(PARTY_SIGNERS) + 1)
            for index, (field, role, name) in enumerate(PARTY_SIGNERS):
                block = signatures.nth(index)
                expect(block).to_have_attribute("data-field", field)
                expect(block.locator(".n")).to_have_text(name)
                expect(block.locator(".role-tag")).to_have_text(role)
                expect(block.locator(".state")).to_have_text("✓ 签名有效")
            expect(page.locator("#binding")).to_contain_text(CASE_NUMBER)
            expect(page.locator("#binding")).to_contain_text("hearing-42-mixed.flac")
            expect(page.locator("#problems-card")).to_be_hidden()
            # an upload supplies no recording: each is "not checked", none "altered" (issue 13)
            recordings = page.locator("#binding li[data-recording]")
            expect(recordings).to_have_count(2)
            for index in range(2):
                expect(recordings.nth(index)).to_have_attribute("data-check", "not_checked")
                expect(recordings.nth(index)).to_contain_text("未核对（未提供该录音）")
            expect(page.locator("#binding")).not_to_contain_text("不符")
            expect(page.locator("#recordings-summary")).to_contain_text("已核对 0 个，未核对 2 个")
            page.set_viewport_size({"width": 1366, "height": 900})
            page.screenshot(path=str(SHOTS / "verify-valid.png"), full_page=True)
            page.screenshot(path=str(tmp_path / "valid.png"), full_page=True)

            b64 = base64.b64encode(forged).decode()
            page.evaluate(DROP_JS, ["笔录-改动.pdf", b64])
            expect(page.locator("#verdict-word")).to_have_text("无效", timeout=TIMEOUT_MS)
            reason = page.locator('#problems li[data-code="text_changed"]').first
            expect(reason).to_contain_text("签名后页面内容被修改")
            english_details = page.locator("#result .vf-server")
            expect(english_details).to_have_count(0)  # the server's English: the en page only
            expect(page.locator("#source")).to_contain_text("笔录-改动.pdf")
            expect(signatures.last.locator(".state")).to_have_text("✗ 签名后被修改")

            page.click("#lang-switch")  # the same report, in English
            expect(page.locator("#verdict-word")).to_have_text("Invalid")
            expect(reason).to_contain_text("Page content changed after signing")
        finally:
            browser.close()
