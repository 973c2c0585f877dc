"""Issue 13, defects 6 and 7, in headless Chromium: a refused request is told in the page's
language (never the server's English), and the one-time code has a resend countdown with one
message at a time.

Runs in a private network namespace like the other browser tests.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from hearing_server.demo import seed_demo
from tests.e2e.harness import (
    assert_private_namespace,
    launch_chromium,
    live_server,
    new_context,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.server.live_fakes import FakeStreams

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(150)]


def _shots(tmp_path: Path) -> Path:
    """Where screenshots go (``TINGSHEN_SCREENSHOTS`` to keep them)."""
    return Path(os.environ.get("TINGSHEN_SCREENSHOTS", str(tmp_path)))


def test_error_language_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=140, passed=2)


def test_dashboard_errors_are_in_chinese(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert_private_namespace()
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    with live_server(tmp_path / "data", FakeStreams()) as server, sync_playwright() as pw:
        seed = seed_demo(server.ctx)
        browser = launch_chromium(pw, wav)
        try:
            page = new_context(browser).new_page()
            page.goto(f"{server.base_url}/login.html")
            page.fill("#username", "clerk")
            page.fill("#password", "wrong-password")
            page.click("#submit")
            expect(page.locator("#error")).to_have_text("用户名或密码不正确。")
            page.fill("#password", seed.new_passwords["clerk"])
            page.click("#submit")
            page.wait_for_url("**/dashboard.html")

            # A hearing in the past: the server refuses it, the clerk reads why in Chinese.
            page.fill("#s-time", "2020-01-01T09:00")
            page.click("#schedule button[type=submit]")
            error = page.locator("#s-error")
            expect(error).to_have_text("开庭时间必须晚于当前时间。")

            # A participant with a malformed phone number: the field and the problem, in Chinese.
            row = page.locator(f'[data-hearing="{seed.hearing_id}"]')
            row.get_by_role("button", name="参加人").click()
            form = row.locator("form").first
            form.get_by_label("姓名").fill("赵六")
            form.get_by_label("手机号").fill("12-34")
            form.get_by_role("button", name="添加").click()
            expect(form.locator(".error")).to_have_text("手机号格式不正确。")
            page.screenshot(path=str(_shots(tmp_path) / "dashboard-errors-zh.png"), full_page=True)

            page.click("#lang-switch")  # the same refusal, in English
            page.wait_for_load_state()
            page.fill("#s-time", "2020-01-01T09:00")
            page.click("#schedule button[type=submit]")
            expect(page.locator("#s-error")).to_have_text("The hearing time must be in the future.")
        finally:
            browser.close()


def test_join_code_countdown_and_one_message(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert_private_namespace()
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    with live_server(tmp_path / "data", FakeStreams()) as server, sync_playwright() as pw:
        seed = seed_demo(server.ctx)
        browser = launch_chromium(pw, wav)
        try:
            page = new_context(browser).new_page()
            page.goto(seed.join_links["被告"])
            expect(page.locator("#f-you")).to_have_text("被告 李娜")
            button = page.locator("#get-code")
            sent = page.locator("#sent")
            error = page.locator("#error")

            # Verifying before any code was sent: told in Chinese what to do.
            page.fill("#code", "123456")
            page.click("#enter")
            expect(error).to_have_text("尚未获取验证码，请先点击“获取验证码”。")

            # A code is sent: the error gives way to the green line; the button counts down.
            button.click()
            expect(sent).to_contain_text("验证码已发送至")
            expect(error).to_be_hidden()
            expect(button).to_be_disabled()
            expect(button).to_have_text(re.compile(r"^重新获取（\d+ 秒）$"))
            assert len(server.sender.sent) == 1

            # A wrong code: the red line replaces the green one.
            page.fill("#code", "000000" if server.sender.sent[0].code != "000000" else "111111")
            page.click("#enter")
            expect(error).to_have_text("验证码不正确，还可尝试 4 次。")
            expect(sent).to_be_hidden()

            # Reloading does not get around the interval: the server refuses, in Chinese, and
            # the button counts down what is left; no second SMS went out.
            page.reload()
            expect(page.locator("#f-you")).to_have_text("被告 李娜")
            expect(button).to_be_enabled()
            button.click()
            expect(error).to_contain_text("验证码刚刚发送过，请")
            expect(error).to_contain_text("秒后再获取。")
            expect(sent).to_be_hidden()
            expect(button).to_be_disabled()
            assert len(server.sender.sent) == 1
            page.screenshot(path=str(_shots(tmp_path) / "join-cooldown-zh.png"), full_page=True)
        finally:
            browser.close()
