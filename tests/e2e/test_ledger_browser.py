"""Investigation orders end to end in Chromium, in a private network namespace, with two real
witness processes on loopback (quorum 2 of 2):

1. a lawyer (registered in the party portal with his licence number; the filing names him as
   the plaintiff's lawyer) applies on /ledger/ for an order to a bank;
2. the case's judge keeps one of the two items, shortens the validity and approves;
3. the lawyer downloads the sealed order (PDF);
4. the bank opens the link of the order's QR code (printed under it): the page says the order is
   genuine and valid, with every step's Merkle path checked in the page, and the bank records
   its answer with a document;
5. the judge revokes the order; the same link then says it was revoked.

Screenshots go to ``out/screenshots/ledger-*.png``.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest
from sqlalchemy import select

from court_events.dossier import CASE_FILED, CaseFiled, FiledParty
from hearing_server.demo import COURT_NAME, seed_demo
from hearing_server.models import Court, StaffUser
from portal.verifier import LocalRegistryVerifier
from tests.e2e.harness import (
    REPO_ROOT,
    assert_private_namespace,
    inside_namespace,
    launch_chromium,
    live_server,
    new_context,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.ledger.order_world import ORIGIN, pdf_text, start_witnesses, stop
from tests.server.live_fakes import FakeStreams
from tingshen_platform.events import publish

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]
T = TypeVar("T")
SCREENSHOTS = REPO_ROOT / "out" / "screenshots"
LAWYER, LAWYER_ID, LAWYER_PHONE = "王律师", "11010119900307803X", "13800000013"
LICENCE = "14401201810012345"
PASSWORD = "lawyer password 1"
NUMBER = "（2026）粤0104民初901号"


def test_ledger_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=290)


def _until(what: str, check: Callable[[], T | None], seconds: float = 60.0) -> T:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.2)  # the server's consumer polls; the condition is checked above


def _sms_code(sms_file: Path) -> str:
    def code() -> str | None:
        lines = sms_file.read_text("utf-8").splitlines() if sms_file.exists() else []
        for line in reversed(lines):
            message = json.loads(line)
            found = re.search(r"验证码(\d{6})", message["text"])
            if message["to"] == LAWYER_PHONE and found:
                return found.group(1)
        return None

    return _until("the SMS code", code)


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"ledger-{name}.png"), full_page=True)


def test_apply_approve_download_verify_answer_revoke(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not inside_namespace():
        pytest.skip("runs only inside a private network namespace (see the runner)")
    assert_private_namespace()
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    keys_dir = tmp_path / "ledger-keys"
    witnesses = start_witnesses(tmp_path, keys_dir)
    monkeypatch.setenv("TINGSHEN_SIDE_SERVICES", '["portal", "ledger"]')
    monkeypatch.setenv("TINGSHEN_PORTAL_CONSUMER_POLL_S", "0.2")
    monkeypatch.setenv("TINGSHEN_LEDGER_CONSUMER_POLL_S", "0.2")
    monkeypatch.setenv("TINGSHEN_LEDGER_KEYS_DIR", str(keys_dir))
    monkeypatch.setenv("TINGSHEN_LEDGER_ORIGIN", ORIGIN)
    monkeypatch.setenv("TINGSHEN_LEDGER_WITNESSES", json.dumps(witnesses.lines))
    monkeypatch.setenv("TINGSHEN_LEDGER_QUORUM", "2")
    data_dir = tmp_path / "data"
    sms_file = data_dir / "sms" / "messages.jsonl"
    LocalRegistryVerifier(data_dir / "portal" / "identity-registry.json").enrol(LAWYER, LAWYER_ID)
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    problems: list[str] = []
    try:
        with live_server(data_dir, FakeStreams()) as server, sync_playwright() as pw:
            seed = seed_demo(server.ctx)
            ctx = server.ctx
            with ctx.session_factory() as session:
                court_id = session.scalars(select(Court.id).where(Court.name == COURT_NAME)).one()
                judge_id = session.scalars(
                    select(StaffUser.id).where(StaffUser.username == "judge")
                ).one()
            filed = CaseFiled(
                dossier_case_id=901, court_id=court_id, court_name=COURT_NAME, case_number=NUMBER,
                cause_of_action="民间借贷纠纷", cause_code="C103-3", procedure="ordinary",
                claim_amount_fen=None, judge_user_id=judge_id, clerk_user_id=None,
                filed_on=ctx.clock().date(), filed_at=ctx.clock(),
                parties=[
                    FiledParty(party_ref="p-1", role="plaintiff", kind="person", name="陈明"),
                    FiledParty(party_ref="p-2", role="defendant", kind="person", name="李华"),
                    FiledParty(party_ref="p-3", role="agent", kind="lawyer", name=LAWYER,
                               represents_ref="p-1", licence_number=LICENCE),
                ],
            )  # fmt: skip
            with ctx.engine.begin() as connection:
                publish(connection, CASE_FILED, filed, occurred_at=ctx.clock())
            browser = launch_chromium(pw, wav)
            base = server.base_url

            def watch(page: Page, allowed: tuple[str, ...] = ()) -> Page:
                page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
                # Console errors, a CSP violation among them; Chromium's note of a refused
                # request is the response's, checked below.
                page.on("console", lambda m: problems.append(f"console: {m.text}")
                        if m.type == "error" and not m.text.startswith("Failed to load resource")
                        else None)  # fmt: skip
                page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                        if r.status >= 400 and not r.url.endswith(allowed) else None)  # fmt: skip
                return page

            # 1. The lawyer registers in the portal and applies.
            lawyer = watch(new_context(browser).new_page(), ("/api/ledger/judge/orders",))
            asked = lawyer.request.post(f"{base}/api/portal/register/code",
                                        data={"phone": LAWYER_PHONE},
                                        headers={"origin": base})  # fmt: skip
            assert asked.status == 202, asked.text()
            made = lawyer.request.post(f"{base}/api/portal/register", headers={"origin": base},
                data={"kind": "lawyer", "name": LAWYER, "id_number": LAWYER_ID,
                      "phone": LAWYER_PHONE, "code": _sms_code(sms_file), "password": PASSWORD,
                      "licence_number": LICENCE})  # fmt: skip
            assert made.status == 201, made.text()
            _until("the ledger knows the case",
                   lambda: "901" in lawyer.request.get(f"{base}/api/ledger/my/cases").text())  # fmt: skip
            lawyer.goto(f"{base}/ledger/")
            form = lawyer.locator("#apply-form")
            expect(form.locator("[name=dossier_case_id]")).to_contain_text(NUMBER)
            form.locator("[name=institution_name]").fill("中国银行广州越秀支行")
            form.locator("[name=items]").fill(
                "被告李华名下账户2025年1月至12月的交易流水\n该账户的开户资料"
            )
            form.locator("[name=reason]").fill("查明借款的交付事实")
            form.locator("[name=valid_days]").fill("15")
            form.locator("button[type=submit]").click()
            card = lawyer.locator(".lg-order").first
            expect(card).to_contain_text("（2026）粤0104调令1号")
            expect(card).to_contain_text("待审查")
            _shot(lawyer, "1-applied")

            # 2. The judge keeps one item, shortens the validity and approves.
            judge = watch(new_context(browser).new_page())
            judge.goto(f"{base}/login.html")
            judge.fill("#username", "judge")
            judge.fill("#password", seed.new_passwords["judge"])
            judge.click("#submit")
            judge.wait_for_load_state("networkidle")
            judge.goto(f"{base}/ledger/")
            order = judge.locator(".lg-order").first
            expect(order).to_contain_text("王律师")
            order.locator(".keep").nth(1).uncheck()
            order.locator(".days").fill("10")
            order.locator("textarea.reason").fill("开户资料与待证事实无关，仅准许调查交易流水")
            _shot(judge, "2-deciding")
            order.locator("button.approve").click()
            expect(judge.locator(".lg-order").first).to_contain_text("有效")
            expect(judge.locator(".lg-order").first).not_to_contain_text("该账户的开户资料")
            _shot(judge, "2-approved")

            # 3. The lawyer downloads the order.
            lawyer.reload()
            with lawyer.expect_download() as download_info:
                lawyer.locator(".lg-order a.button").first.click()
            pdf = Path(download_info.value.path()).read_bytes()
            assert pdf.startswith(b"%PDF") and b"/ByteRange" in pdf  # sealed
            text = re.sub(r"\s+", "", pdf_text(pdf))
            link = re.search(r"http://127\.0\.0\.1:\d+/ledger/verify\.html#n=[^&]+&t=[\w-]+", text)
            assert link is not None, text
            (SCREENSHOTS / "ledger-order.pdf").write_bytes(pdf)

            # 4. The bank opens the QR code's link, sees it genuine, answers with a document.
            bank = watch(new_context(browser).new_page())
            bank.goto(link.group(0))
            verdict = bank.locator("#verdict")
            expect(verdict).to_have_text("真实有效的调查令")
            expect(bank.locator("#proofs li.good")).to_have_count(2)  # issued, verified
            expect(bank.locator("#proofs li.bad")).to_have_count(0)
            expect(bank.locator("#server-checks")).to_contain_text("witness-0, witness-1")
            expect(bank.locator("#order")).not_to_contain_text("该账户的开户资料")
            _shot(bank, "4-verified")
            answer = bank.locator("#respond-form")
            answer.locator("[name=responder]").fill("中国银行广州越秀支行 柜员 刘芳")
            statement = tmp_path / "流水.pdf"
            statement.write_bytes(b"%PDF-1.4\n% the statement\n")
            answer.locator("[name=files]").set_input_files(str(statement))
            answer.locator("button[type=submit]").click()
            expect(bank.locator("#respond-result")).to_contain_text("已登记")
            expect(bank.locator("#responses")).to_contain_text("刘芳")
            _shot(bank, "4-answered")
            bank.locator("#lang-switch").click()
            expect(verdict).to_have_text("A genuine, valid investigation order")
            _shot(bank, "4-answered-en")
            bank.locator("#lang-switch").click()

            # 4b. A proof changed on its way (a proxy, a compromised server) is caught by the page.
            def forge(route: Route) -> None:
                response = route.fetch()
                body = response.json()
                issued = next(s for s in body["ledger"]["steps"] if s["kind"] == "order.issued")
                proof = issued["receipt"]["inclusion"]
                first = base64.b64decode(proof[0])
                proof[0] = base64.b64encode(bytes([first[0] ^ 1]) + first[1:]).decode()
                route.fulfill(response=response, json=body)

            forged = watch(new_context(browser).new_page())
            forged.route("**/api/ledger/public/verify", forge)
            forged.goto(link.group(0))
            expect(forged.locator("#verdict")).to_contain_text("存证核验失败")
            expect(forged.locator("#verdict")).to_contain_text("默克尔包含证明不成立")
            expect(forged.locator("#proofs li.bad")).to_have_count(1)
            expect(forged.locator("#respond-card")).to_be_hidden()
            _shot(forged, "4b-forged")

            def unwitness(route: Route) -> None:
                response = route.fetch()
                body = response.json()
                body["server_checks"]["quorum_met"] = False
                route.fulfill(response=response, json=body)

            unwitnessed = watch(new_context(browser).new_page())
            unwitnessed.route("**/api/ledger/public/verify", unwitness)
            unwitnessed.goto(link.group(0))
            expect(unwitnessed.locator("#verdict")).to_contain_text("未获足够见证人副署")
            expect(unwitnessed.locator("#respond-card")).to_be_hidden()

            # 5. The judge revokes; the same link says so.
            judge.reload()
            order = judge.locator(".lg-order").first
            order.locator("textarea.reason").fill("原告已撤回起诉")
            order.locator("button.revoke").click()
            expect(judge.locator(".lg-order").first).to_contain_text("已撤销")
            _shot(judge, "5-revoked")
            bank.goto("about:blank")
            bank.goto(link.group(0))
            expect(verdict).to_have_text("调查令真实，但已被撤销")
            expect(bank.locator("#order")).to_contain_text("原告已撤回起诉")
            expect(bank.locator("#respond-card")).to_be_hidden()
            expect(bank.locator("#proofs li[data-kind='order.revoked']")).to_have_class("good")
            _shot(bank, "5-revoked")
            browser.close()
    finally:
        stop(witnesses)
    assert problems == []
