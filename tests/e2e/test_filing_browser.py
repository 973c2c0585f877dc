"""The filing page (/dossier/file.html) in headless Chromium: the court administrator sets the
court's code, a filing clerk fills the form (cause picked by search, judge and clerk from the
court's staff, an amount in yuan with commas, a lawyer for the plaintiff), is told in Chinese
which party's ID number is wrong, fixes it and gets the allocated number and the case link.
Nothing the page does may trip the strict CSP (the console stays clean).

Runs in a private network namespace like the other browser tests.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from dossier.models import DossierCase, DossierParty
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

NUMBER = re.compile(r"（20\d\d）粤0104民初1号")
NAME = "姓名\uff0f名称"  # the label, with a full-width solidus


def test_filing_page_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=190)


def _login(context, base_url: str, username: str, password: str):
    page = context.new_page()
    page.goto(f"{base_url}/login.html")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#submit")
    page.wait_for_url(lambda url: "login" not in url, timeout=TIMEOUT_MS)
    return page


def test_a_filing_clerk_files_a_case_through_the_page(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert_private_namespace()
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    with live_server(tmp_path / "data", FakeStreams()) as server, sync_playwright() as pw:
        seed = seed_demo(server.ctx)
        browser = launch_chromium(pw, wav)
        try:
            admin = _login(new_context(browser), server.base_url, "admin",
                           seed.new_passwords["admin"])  # fmt: skip
            status = admin.evaluate("""async () => (await fetch("/api/dossier/court-code", {
                method: "PUT", headers: {"Content-Type": "application/json"},
                body: JSON.stringify({code: "粤0104"})})).status""")
            assert status == 200

            page = _login(new_context(browser), server.base_url, "filing",
                          seed.new_passwords["filing"])  # fmt: skip
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            # (the one refusal the test provokes is a 422 the console reports as a failed load)
            page.on("pageerror", lambda e: problems.append(str(e)))
            shots = Path(os.environ.get("TINGSHEN_SCREENSHOTS", str(tmp_path)))
            page.goto(f"{server.base_url}/dossier/file.html")
            expect(page.locator("#hdr-court")).to_have_text("广州市越秀区人民法院（粤0104）")
            expect(page.locator("#no-code")).to_be_hidden()
            page.click("#submit")  # nothing chosen yet: told so before anything is sent
            expect(page.locator("#error")).to_have_text("请填写承办法官。")

            page.fill("#cause-q", "借贷")
            page.locator("#cause-results button").filter(has_text="民间借贷纠纷").click()
            expect(page.locator("#cause-chosen")).to_contain_text("民间借贷纠纷（合同、准合同纠纷")
            page.select_option("#procedure", "simplified")
            page.fill("#amount", "12,345.67")
            page.select_option("#judge", label="王立明")
            page.select_option("#clerk", label="陈晓")

            first, second = page.locator(".party").nth(0), page.locator(".party").nth(1)
            first.get_by_label(NAME).fill("陈明")
            first.get_by_label("公民身份号码").fill("440104199003071238")  # check digit wrong
            second.get_by_label("类别").select_option("organisation")
            second.get_by_label(NAME).fill("广州某某贸易有限公司")
            second.get_by_label("统一社会信用代码").fill("91350100M000100Y43")
            page.click("#add-party")
            lawyer = page.locator(".party").nth(2)
            lawyer.get_by_label("类别").select_option("lawyer")
            expect(lawyer.get_by_label("诉讼地位")).to_have_value("agent")
            lawyer.get_by_label(NAME).fill("黄律师")
            lawyer.get_by_label("律师执业证号").fill("14401201810123456")
            lawyer.get_by_label("代理对象").select_option(label="1. 陈明")

            page.screenshot(path=str(shots / "filing-form.png"), full_page=True)
            page.click("#submit")
            expect(first.locator(".party-error")).to_have_text(
                "第1位当事人：公民身份号码有误（位数、出生日期或校验码不对）。"
            )
            expect(first).to_have_class(re.compile("invalid"))
            page.screenshot(path=str(shots / "filing-error.png"), full_page=True)
            first.get_by_label("公民身份号码").fill("440104199003071239")
            page.click("#submit")
            expect(page.locator("#case-number")).to_have_text(NUMBER, timeout=TIMEOUT_MS)
            href = page.locator("#case-link").get_attribute("href") or ""
            assert re.fullmatch(r"/dossier/case\.html\?id=\d+", href), href
            page.screenshot(path=str(shots / "filing-done.png"), full_page=True)
            assert [p for p in problems if "status of 422" not in p] == []
        finally:
            browser.close()
    case_id = int(href.rsplit("=", 1)[1])
    from dossier.db import session_factory

    with session_factory(server.ctx.engine)() as s:
        case = s.get(DossierCase, case_id)
        assert case is not None
        assert (case.claim_amount_fen, case.judge_name, case.clerk_name, case.procedure) == (
            1_234_567, "王立明", "陈晓", "simplified")  # fmt: skip
        parties = s.scalars(select(DossierParty).where(DossierParty.case_id == case_id)
                            .order_by(DossierParty.id)).all()  # fmt: skip
        assert [p.kind for p in parties] == ["person", "organisation", "lawyer"]
        assert parties[2].represents_id == parties[0].id
