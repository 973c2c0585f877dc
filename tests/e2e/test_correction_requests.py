# mypy: disallow-untyped-calls=False
"""Issue 13, defect 11, in Chromium: a party's correction request holds the record until the court
answers it, and the answer is recorded with the transcript.

The plaintiff reviews the frozen record on the signing page, asks for two corrections (of the
defendant's line and of his own), sees them listed as awaiting an answer, and signs. The clerk
records that the defendant refused to sign; now the bench could sign, but the clerk's page says,
in Chinese and naming the party, that 原告 张伟's request has not been answered, and shows no
signature form. The clerk rejects one request with a reason (still held: one is open) and accepts
the other, which opens the errata form on that line, and files the erratum; each entry shows its
answer (who, when, why), the plaintiff's page shows them too, and the clerk's signature form
appears. The TXT
record carries the "更正申请" section; once the clerk and the judge have signed and the court
sealed, the requests are among the case's documents. Runs in a private network namespace.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from hearing_server.demo import seed_demo
from tests.e2e.harness import (
    REPO_ROOT,
    TIMEOUT_MS,
    assert_private_namespace,
    inside_namespace,
    launch_chromium,
    live_server,
    plaintiff_enters,
    plaintiff_id,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.e2e.test_signing_flow import (
    _judge_freezes,
    _login_api,
    _seed_transcript,
    _sign,
    _staff_page,
)
from tests.server.live_fakes import FakeStreams

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]

REQUEST = "被告说的是“借款已经归还了两万元”。"
REASON = "经核对庭审录音，被告所述为“一部分”，不予更正"
SECOND_REQUEST = "我说的是“五万元整”。"
ACCEPTED = "核对录音属实，予以更正"


def test_correction_requests_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=290)


def test_a_correction_request_holds_the_record_until_the_clerk_answers(tmp_path: Path) -> None:
    if not inside_namespace():
        pytest.skip("runs only inside a private network namespace (see the runner)")
    assert_private_namespace()
    from playwright.sync_api import expect, sync_playwright

    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    shots = Path(os.environ.get("TINGSHEN_E2E_SCREENSHOTS", REPO_ROOT / "out" / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    with live_server(tmp_path / "data", FakeStreams()) as server:
        seed = seed_demo(server.ctx)
        hid = seed.hearing_id
        with httpx.Client(base_url=server.base_url) as clerk_api:
            _login_api(clerk_api, "clerk", seed)
            assert clerk_api.post(f"/api/hearings/{hid}/open").status_code == 200
            origin = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
            _seed_transcript(server, clerk_api.cookies["tingshen_staff"], hid, origin)
            with sync_playwright() as pw:
                browser = launch_chromium(pw, wav)
                plaintiff = plaintiff_enters(browser, server, seed, plaintiff_id(server.ctx, hid))
                assert clerk_api.post(f"/api/hearings/{hid}/close").status_code == 200
                judge = _staff_page(browser, server, seed, "judge", hid)
                _judge_freezes(judge)
                _plaintiff_asks_and_signs(plaintiff, server.base_url, hid)
                clerk = _staff_page(browser, server, seed, "clerk", hid)
                _clerk_is_held_then_answers(clerk, shots)
                plaintiff.reload()
                mine = plaintiff.locator("#objections .objection")
                expect(mine.locator(".corr-rejected")).to_contain_text(
                    f"答复：不予采纳。理由：{REASON}（书记员 陈晓", timeout=TIMEOUT_MS
                )
                plaintiff.screenshot(path=str(shots / "record-correction-party.png"))
                txt = clerk_api.get(f"/api/hearings/{hid}/transcript.txt").text
                assert "\n更正申请\n" in txt, txt
                assert "原告 张伟 " in txt and REQUEST in txt
                assert f"答复：不予采纳。理由：{REASON}（书记员 陈晓" in txt
                assert f"答复：已采纳。理由：{ACCEPTED}（书记员 陈晓" in txt
                _sign(clerk)
                _sign(judge)
                expect(judge.locator("#state-text")).to_have_attribute(
                    "data-state", "complete", timeout=TIMEOUT_MS
                )
                browser.close()
            case_id = clerk_api.get(f"/api/hearings/{hid}").json()["case_id"]
            documents = clerk_api.get(f"/api/cases/{case_id}/documents").json()
            filed = [d for d in documents if d["kind"] == "correction_requests"]
            assert len(filed) == 1, documents
            body = clerk_api.get(f"/api/cases/{case_id}/documents/{filed[0]['id']}").text
            assert REQUEST in body and REASON in body


def _plaintiff_asks_and_signs(page: Page, base_url: str, hid: int) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/sign/{hid}")
    expect(page.locator("#review .seg[data-id]")).to_have_count(3, timeout=TIMEOUT_MS)
    page.select_option("#obj-kind", "correction")
    page.select_option("#obj-segment", "seg-3")
    page.fill("#obj-text", REQUEST)
    page.click("#obj-submit")
    filed = page.locator("#objections .objection")
    expect(filed).to_have_count(1, timeout=TIMEOUT_MS)
    expect(filed.locator(".corr-state.corr-open")).to_contain_text("待答复")
    page.select_option("#obj-kind", "correction")
    page.select_option("#obj-segment", "seg-2")
    page.fill("#obj-text", SECOND_REQUEST)
    page.click("#obj-submit")
    expect(filed).to_have_count(2, timeout=TIMEOUT_MS)
    expect(page.locator("#objections .corr-open")).to_have_count(2)
    _sign(page)


def _clerk_is_held_then_answers(clerk: Page, shots: Path) -> None:
    from playwright.sync_api import expect

    slot = clerk.locator('#slots [data-slot][data-group="participant"].pending')
    expect(slot).to_have_count(1, timeout=TIMEOUT_MS)
    slot.locator("button.resolve").click()
    slot.locator("select.resolve-status").select_option("refused")
    slot.locator("input.resolve-note").fill("被告当庭表示拒绝在笔录上签名")
    slot.locator("form.resolve-form button[type=submit]").click()
    expect(clerk.locator("#slots .slot.refused")).to_have_count(1, timeout=TIMEOUT_MS)
    # The bench's turn, but the plaintiff's request is open: held, and told why, by name.
    expect(clerk.locator("#sign-reason")).to_have_text(
        "原告 张伟的更正申请尚未答复：书记员或审判员答复后，笔录才能签名定稿。",
        timeout=TIMEOUT_MS,
    )
    expect(clerk.locator("#sign-form")).to_be_hidden()
    box = clerk.locator("#answer-box")
    expect(box).to_be_visible()
    expect(box.locator("#answer-request")).to_contain_text("原告 张伟")
    box.locator("#answer-request").select_option(label=f"原告 张伟：{REQUEST}")
    box.locator("#answer-reason").fill(REASON)
    clerk.screenshot(path=str(shots / "record-correction-clerk-held.png"), full_page=True)
    box.get_by_role("button", name="不予采纳").click()
    entry = clerk.locator("#objections .objection")
    expect(entry.locator(".corr-state.corr-rejected")).to_contain_text(
        f"答复：不予采纳。理由：{REASON}（书记员 陈晓", timeout=TIMEOUT_MS
    )
    # one request still open: still held
    expect(clerk.locator("#sign-form")).to_be_hidden()
    expect(box.locator("#answer-request option")).to_have_count(1)
    box.locator("#answer-reason").fill(ACCEPTED)
    box.get_by_role("button", name="采纳", exact=True).click()
    expect(entry.locator(".corr-state.corr-accepted")).to_contain_text(
        f"答复：已采纳。理由：{ACCEPTED}", timeout=TIMEOUT_MS
    )
    expect(box).to_be_hidden()
    # accepted: carried out as an erratum, the form opened on the plaintiff's line
    expect(clerk.locator("#err-segment")).to_have_value("seg-2")
    expect(clerk.locator("#err-after")).to_be_focused()
    clerk.locator("#err-after").fill("我要求被告归还借款五万元整。")
    clerk.locator("#err-reason").fill(ACCEPTED)
    clerk.locator("#err-submit").click()
    expect(clerk.locator("#errata .erratum")).to_contain_text("五万元整", timeout=TIMEOUT_MS)
    expect(clerk.locator("#sign-form")).to_be_visible(timeout=TIMEOUT_MS)
    clerk.screenshot(path=str(shots / "record-correction-clerk-answered.png"), full_page=True)
