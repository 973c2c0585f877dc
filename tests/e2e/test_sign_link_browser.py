# mypy: disallow-untyped-calls=False
"""Signing after closing through the link of the signing request, in Chromium (issue 13, defect 2).

A demo hearing is opened, gets three lines and is closed without the plaintiff ever joining; the
judge freezes the record. The server's notice dispatcher sends the signing request by (local) SMS:
"庭审笔录已完成，请阅读并签名：…/sign/<token>". Days later — a new browser context, no earlier
session — the plaintiff opens that link, gets the one-time code, reads the record and signs. The
join link from the hearing notice still answers 410 (and its page says the link no longer works),
the signing token is no join token, and the session it gave cannot enter the live room.
Runs in a private network namespace.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import httpx
import pytest

from hearing_server.demo import seed_demo
from hearing_server.models import Participant
from tests.e2e.harness import (
    TIMEOUT_MS,
    assert_private_namespace,
    inside_namespace,
    launch_chromium,
    live_server,
    new_context,
    plaintiff_id,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.e2e.test_signing_flow import (
    LINES,
    _freeze_seeded_record,
    _sign,
)
from tests.server.live_fakes import FakeStreams

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(200)]
SIGN_REQUEST = "庭审笔录已完成，请阅读并签名："
SHOTS = Path(os.environ.get("TINGSHEN_E2E_SHOTS", "/tmp"))


def test_sign_link_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=190)


def _sms_link(sms_file: Path, phone: str) -> str:
    """The link in the signing request the dispatcher sends (it runs every few seconds): the
    outbox's message, read from the local SMS provider's file once it is there."""
    deadline = time.monotonic() + 60
    while True:
        lines = sms_file.read_text(encoding="utf-8").splitlines() if sms_file.exists() else []
        for line in lines:
            message = json.loads(line)
            if message["to"] == phone and SIGN_REQUEST in message["text"]:
                match = re.search(r"(https?://\S+/sign/\S+)$", message["text"])
                assert match is not None, message["text"]
                return match.group(1)
        assert time.monotonic() < deadline, f"no signing request to {phone} in {lines}"
        time.sleep(0.2)  # polling a file another thread appends to: the condition is above


def test_a_party_signs_days_later_through_the_sms_link(tmp_path: Path) -> None:
    if not inside_namespace():
        pytest.skip("runs only inside a private network namespace (see the runner)")
    assert_private_namespace()
    from playwright.sync_api import expect, sync_playwright

    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    data = tmp_path / "data"
    with live_server(data, FakeStreams()) as server:
        seed = seed_demo(server.ctx)
        hid = seed.hearing_id
        pid = plaintiff_id(server.ctx, hid)
        join_link = seed.join_links["原告"]
        with server.ctx.session_factory() as session:
            party = session.get(Participant, pid)
            assert party is not None and party.phone is not None
            phone = party.phone
        _freeze_seeded_record(server, seed, hid)
        link = _sms_link(data / "sms" / "messages.jsonl", phone)
        assert link.startswith(f"{server.base_url}/sign/") and "/join/" not in link
        token = link.rsplit("/", 1)[1]

        with httpx.Client(base_url=server.base_url) as anyone:
            join_token = join_link.rsplit("/", 1)[1]
            assert anyone.get(f"/api/join/{join_token}").status_code == 410  # hearing closed
            assert anyone.get(f"/api/join/{token}").status_code == 401  # not a join token
            assert anyone.post(f"/api/join/{token}/code").status_code == 401

        with sync_playwright() as pw:
            browser = launch_chromium(pw, wav)
            try:
                old = new_context(browser).new_page()
                old.goto(join_link)
                expect(old.locator("#invalid")).to_be_visible(timeout=TIMEOUT_MS)
                old.context.close()

                context = new_context(browser)  # days later: a browser that never joined
                page = context.new_page()
                page.goto(link)
                expect(page.locator("h1")).to_have_text("阅读并签署庭审笔录")
                expect(page.locator("#f-you")).to_have_text("原告 张伟", timeout=TIMEOUT_MS)
                expect(page.locator("#intro")).to_contain_text("庭审已结束")
                page.click("#get-code")
                expect(page.locator("#sent")).to_contain_text("验证码已发送至")
                page.fill("#code", "000000" if server.sender.last_code_for(pid) != "000000"
                          else "111111")  # fmt: skip
                page.click("#enter")
                expect(page.locator("#error")).to_have_text("验证码不正确，还可尝试 4 次。")
                expect(page.locator("#sent")).to_be_hidden()  # one message at a time
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / "sign-link.png"), full_page=True)
                page.fill("#code", server.sender.last_code_for(pid))
                page.click("#enter")
                page.wait_for_url(f"**/sign/{hid}", timeout=TIMEOUT_MS)

                rows = page.locator("#review .seg[data-id]")
                expect(rows).to_have_count(len(LINES), timeout=TIMEOUT_MS)
                expect(rows.nth(1)).to_contain_text("原告 张伟")
                expect(page.locator("#who")).to_have_text("原告 张伟")
                expect(page.locator("#to-editor")).to_be_hidden()
                _sign(page)
                expect(page.locator('#slots [data-slot^="participant-"].signed')).to_have_count(1)
                page.screenshot(path=str(SHOTS / "sign-link-signed.png"), full_page=True)

                # the session reads and signs the record, and does nothing else
                offer = context.request.post(
                    f"{server.base_url}/api/hearings/{hid}/rtc/offer",
                    data={"sdp": "v=0", "type": "offer"},
                )
                assert offer.status == 403 and offer.json()["error"]["code"] == "record_only"
                me = context.request.get(f"{server.base_url}/api/join/me").json()
                assert me["scope"] == "record"
            finally:
                browser.close()
