"""The clerk's dashboard in headless Chromium (issue 13): schedule a hearing, add a participant
with an e-mail, preview the notices, send them and watch the log report them sent (the real
dispatcher writes the e-mail and the SMS), reissue the participant's link (the old one from the
e-mail is dead, the new one works), reschedule and cancel — each with its notices previewed first.

Runs in a private network namespace like the other browser tests.
"""

from __future__ import annotations

import os
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from hearing_server.demo import seed_demo
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

LINK = re.compile(r"http://127\.0\.0\.1:\d+/join/[A-Za-z0-9._~-]+")


def _shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("TINGSHEN_SCREENSHOTS", str(tmp_path)))


def _mailed_link(mail_dir: Path) -> str:
    """The join link of the one e-mail the dispatcher wrote."""
    (path,) = mail_dir.glob("*.eml")
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "赵六（第三人）" in text
    found = LINK.search(text)
    assert found is not None, text
    return found.group(0)


def test_staff_dashboard_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=190)


def test_clerk_notices_links_reschedule_cancel(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert_private_namespace()
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    data_dir = tmp_path / "data"
    with live_server(data_dir, FakeStreams()) as server, sync_playwright() as pw:
        seed = seed_demo(server.ctx)
        browser = launch_chromium(pw, wav)
        try:
            context = new_context(browser)
            page = context.new_page()
            page.on("dialog", lambda dialog: dialog.accept())
            page.goto(f"{server.base_url}/login.html")
            page.fill("#username", "clerk")
            page.fill("#password", seed.new_passwords["clerk"])
            page.click("#submit")
            page.wait_for_url("**/dashboard.html")

            # Schedule a hearing at 14:00 (court time) and add a participant with an e-mail.
            page.fill("#s-time", "2030-05-06T14:00")
            page.fill("#s-place", "第五法庭")
            page.click("#schedule button[type=submit]")
            row = page.locator(".hearing").filter(has_text="第五法庭")
            expect(row.locator(".clock")).to_have_text("14:00")
            row.get_by_role("button", name="参加人", exact=True).click()
            form = row.locator("form").first
            form.get_by_label("姓名").fill("赵六")
            form.get_by_label("诉讼地位").select_option("third_party")
            form.get_by_label("手机号").fill("13800000009")
            form.get_by_label("电子邮箱").fill("zhao@example")
            form.get_by_role("button", name="添加").click()
            expect(form.locator(".error")).to_have_text("电子邮箱格式不正确。")
            form.get_by_label("电子邮箱").fill("zhao@example.cn")
            form.get_by_role("button", name="添加").click()
            person = row.locator(".plist li").filter(has_text="赵六")
            expect(person).to_contain_text("zhao@example.cn")
            expect(person.locator(".role-tag")).to_have_text("第三人")

            # Preview: the texts as they will go out, nothing sent until confirmed.
            row.get_by_role("button", name="通知", exact=True).click()
            expect(row.locator(".ntc-logbox")).to_contain_text("暂无通知记录")
            row.get_by_role("button", name="预览通知").click()
            cards = row.locator(".ntc-preview")
            expect(cards).to_have_count(2)
            mail = row.locator('.ntc-preview[data-channel="email"]')
            expect(mail).to_contain_text("邮件")
            expect(mail.locator(".ntc-subject")).to_contain_text("开庭通知")
            expect(mail.locator(".ntc-text")).to_contain_text("赵六（第三人）：")
            expect(mail.locator(".ntc-text")).to_contain_text("2030年5月6日")
            assert not list((data_dir / "mail").glob("*.eml"))
            page.screenshot(path=str(_shots(tmp_path) / "staff-preview-zh.png"), full_page=True)
            row.get_by_role("button", name="确认发送").click()
            expect(row.locator(".ntc-panel [role=status]")).to_contain_text("已提交 2 条通知")

            # The log follows the dispatcher: both channels reported sent.
            log = row.locator(".ntc-log tbody tr")
            expect(log).to_have_count(2)
            for channel, word in (("email", "邮件"), ("sms", "短信")):
                line = row.locator(f'.ntc-log tr[data-channel="{channel}"]')
                expect(line).to_contain_text("第三人 赵六")
                expect(line).to_contain_text(word)
                expect(line).to_have_attribute("data-status", "sent", timeout=TIMEOUT_MS)
                expect(line.locator(".ntc-status")).to_have_text("已发送")
            page.screenshot(path=str(_shots(tmp_path) / "staff-log-zh.png"), full_page=True)
            old_link = _mailed_link(data_dir / "mail")

            # Reissue the link: the mailed one stops working, the new one works.
            person.get_by_role("button", name="重新生成链接").click()
            new_link = person.locator(".invite-url")
            expect(new_link).to_have_text(LINK)
            party = new_context(browser).new_page()
            party.goto(old_link)
            expect(party.locator("#invalid")).to_be_visible()
            party.goto(new_link.inner_text())
            expect(party.locator("#f-you")).to_have_text("第三人 赵六")
            party.close()

            # Reschedule, the notice previewed first.
            row.get_by_role("button", name="改期").click()
            row.locator(".hx-time").fill("2030-05-07T15:30")
            row.locator(".hx-form").get_by_role("button", name="预览通知").click()
            moved = row.locator('.hx-form .ntc-preview[data-channel="sms"]')
            expect(moved.locator(".ntc-text")).to_contain_text("开庭时间变更通知")
            expect(moved.locator(".ntc-text")).to_contain_text("2030年5月7日")
            page.screenshot(path=str(_shots(tmp_path) / "staff-reschedule-zh.png"), full_page=True)
            row.get_by_role("button", name="确认改期并通知参加人").click()
            expect(page.locator("#dash-status")).to_have_text("已改期，改期通知正在发送。")
            row = page.locator(".hearing").filter(has_text="第五法庭")
            expect(row.locator(".clock")).to_have_text("15:30")
            row.get_by_role("button", name="通知", exact=True).click()
            expect(row.locator(".ntc-log tbody tr").filter(has_text="改期通知")).to_have_count(2)

            # A second tab, still showing the hearing scheduled (the same clerk, later stale).
            stale = context.new_page()
            stale.goto(f"{server.base_url}/dashboard.html")
            stale_row = stale.locator(".hearing").filter(has_text="第五法庭")
            expect(stale_row.locator(".status")).to_have_text("待开庭")

            # Cancel, the notice previewed first.
            row.get_by_role("button", name="取消庭审").click()
            cancelled = row.locator('.hx-form .ntc-preview[data-channel="email"] .ntc-text')
            expect(cancelled).to_contain_text("已取消")
            row.get_by_role("button", name="确认取消并通知参加人").click()
            expect(page.locator("#dash-status")).to_have_text("庭审已取消，取消通知正在发送。")
            row = page.locator(".hearing").filter(has_text="第五法庭")
            expect(row.locator(".status")).to_have_text("已取消")
            expect(row.get_by_role("button", name="改期")).to_have_count(0)
            row.get_by_role("button", name="通知", exact=True).click()
            expect(row.locator(".ntc-log tbody tr").filter(has_text="取消开庭通知")).to_have_count(
                2
            )
            page.screenshot(path=str(_shots(tmp_path) / "staff-cancelled-zh.png"), full_page=True)

            # The stale tab tries to open the cancelled hearing: refused, and told why in Chinese.
            stale_row.get_by_role("button", name="开庭", exact=True).click()
            expect(stale.locator("#dash-error")).to_have_text("庭审当前状态为“已取消”，无法开庭。")
        finally:
            browser.close()
