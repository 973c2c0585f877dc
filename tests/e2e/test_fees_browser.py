# mypy: disallow-untyped-calls=False
"""Litigation fees in Chromium, paid and half refunded through the WeChat Pay simulator (issue 16).

The real app (uvicorn) and the WeChat Pay API v3 simulator as a process of its own
(``python -m fees.wechatpay.simulator``), both on 127.0.0.1 in a private network namespace; the
server is pointed at the simulator by ``TINGSHEN_FEES_PAY_GATEWAY_URL`` and at the merchant
credentials it provisioned by ``TINGSHEN_FEES_PAY_CREDENTIALS_DIR``; the simulator sends its
notifications to the server's public address. Through the pages, each person in a browser of
their own:

1. the court administrator sets the court's code (the dossier walk's step); the filing clerk
   files a case (ordinary procedure, 50,000 yuan claimed: the fee is ¥1,050.00);
2. the notice SMS reaches the plaintiff (``<data dir>/sms/messages.jsonl``); the plaintiff opens
   its link on a phone (375 px, no session), asks for a code (read from the SMS file), confirms,
   and sees the WeChat QR code (it encodes the order's ``code_url``) with the amount; a reload,
   and the link opened again in a second tab, show the same QR code;
3. "the phone" opens the simulator's wallet page for that order and confirms; the party's page
   shows 已缴费 and the receipt link once the receipt is made; the receipt SMS arrives; the PDF
   opens; verify.html says the receipt is valid;
4. a clerk finds the case on the staff fee page (from the dashboard) and sees it paid;
5. the clerk closes the case by mediation (the dossier's case page): the fee is halved, and the
   party's page offers the refundable half; the party applies (原路退回) with a new code;
6. the finance officer approves on finance.html; the simulator completes the refund after a
   second; the party's page shows it refunded, and the refund SMS arrives.

No page error, no CSP violation, no console error, no 4xx/5xx answer but those the pages expect.
Screenshots go to ``out/screenshots/fees-*.png``; with ``TINGSHEN_E2E_FEES_GALLERY=1`` every fee
page is also shot at 1366 px and 375 px, in Chinese and in English (``fees-gallery-*``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, quote, urlparse

import httpx
import pytest
import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from fees.tables import FeeReceipt
from fees.wechatpay.simulator.keys import MERCHANT_DIR
from hearing_server.demo import seed_demo
from tests.e2e.harness import (
    REPO_ROOT,
    TIMEOUT_MS,
    assert_private_namespace,
    inside_namespace,
    launch_chromium,
    live_server,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.e2e.test_dossier_walk_browser import (
    PHONE,
    PLAINTIFF,
    Walk,
    Watch,
    _admin_sets_court_code,
    _open_case,
    file_on_the_form,
)
from tests.serve_process import free_port
from tests.server.live_fakes import FakeStreams

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page, Response, ViewportSize

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]
SCREENSHOTS = REPO_ROOT / "out" / "screenshots"
GALLERY = os.environ.get("TINGSHEN_E2E_FEES_GALLERY") == "1"
MCHID, APPID = "1900000001", "wx0123456789abcdef"
MASKED = "139****1234"  # the walk's plaintiff's phone (PHONE), as pages show it
FEE, HALF = "¥1,050.00", "¥525.00"
MOBILE: ViewportSize = {"width": 375, "height": 740}
REFUND_DELAY_S = 1.0
WAIT_MS = 60_000  # a receipt sealed, a refund notified, on a loaded two-core machine


def test_fees_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=290)


# ---------------------------------------------------------------- what the pages may be refused

FEE_REFUSALS = (
    # the payment page confirming with a mistyped code: it says so and lets the party retry
    (frozenset({422}), re.compile(r"/api/fees/pay/[A-Za-z0-9_-]+/orders$")),
)


class FeeWatch(Watch):
    """The walk's watch, and the refusals the fee pages expect and explain."""

    def _response(self, response: Response) -> None:
        path = response.url.split("?", 1)[0]
        if any(response.status in codes and p.search(path) for codes, p in FEE_REFUSALS):
            self.refused.append(f"{response.status} {response.url}")
            return
        super()._response(response)


# ---------------------------------------------------------------- the simulator process


@contextmanager
def simulator(state_dir: Path) -> Iterator[str]:
    """``python -m fees.wechatpay.simulator`` on 127.0.0.1, provisioned; its base URL."""
    port = free_port()
    argv = [sys.executable, "-m", "fees.wechatpay.simulator", "--port", str(port)]
    argv += ["--state-dir", str(state_dir), "--provision", MCHID, APPID]
    argv += ["--time-scale", "1", "--refund-delay-s", str(REFUND_DELAY_S)]
    log = (state_dir.parent / "simulator.log").open("w")
    process = subprocess.Popen(argv, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (state_dir.parent / "simulator.log").read_text()
            try:
                if httpx.get(f"{base}/sim/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the simulator did not start"
            time.sleep(0.1)  # a process starting: nothing to wait on but its port
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


# ---------------------------------------------------------------- SMS


def _sms(sms_file: Path, pattern: str, *, after: int = 0) -> tuple[str, int]:
    """The first message to the plaintiff's phone, from line ``after`` on, that ``pattern``
    matches (its first group, else the whole text), and the line after it."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        lines = sms_file.read_text(encoding="utf-8").splitlines() if sms_file.exists() else []
        for n, line in enumerate(lines[after:], start=after):
            message = json.loads(line)
            found = re.search(pattern, message["text"])
            if message["to"] == PHONE and found:
                return (found.group(1) if found.groups() else message["text"]), n + 1
        assert time.monotonic() < deadline, f"no SMS like {pattern!r} in {lines[after:]}"
        time.sleep(0.2)  # another thread appends to the file: the condition is above


# ---------------------------------------------------------------- the people


@dataclass
class Fees:
    walk: Walk
    sim: str
    sms_file: Path

    @property
    def base(self) -> str:
        return self.walk.base

    def phone_page(self) -> Page:
        """The party's phone: a fresh browser (no session), 375 px wide."""
        context = self.walk.browser.new_context(
            viewport=MOBILE, locale="zh-CN", is_mobile=True, has_touch=True
        )
        return self.walk.watch.attach(context.new_page())


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"fees-{name}.png"), full_page=True)


ACCOUNT_OPENED = """async (number) => {
  const answer = await fetch("/api/fees/accounts?limit=100");
  return answer.ok && (await answer.json()).items.some((a) => a.case_number === number);
}"""


def _files(fees: Fees) -> str:
    """The filing clerk files a case (ordinary procedure: the mediation halves the fee)."""
    from playwright.sync_api import expect

    page = fees.walk.login("filing")
    page.wait_for_url("**/dashboard.html")
    card = page.locator("#fees-card")  # the fee office is a card of the dashboard
    expect(card).to_be_visible(timeout=TIMEOUT_MS)
    expect(card.get_by_role("link", name="诉讼费查询")).to_have_attribute("href", "/fees/")
    page.locator("#filing-card").get_by_role("link", name="立案登记").click()
    number = file_on_the_form(page, "ordinary")
    # The account opens by itself (case.filed → the fee service): the filing clerk finds it
    # owing, with the counter's payment form at hand (not used here: the party pays online).
    page.wait_for_function(ACCOUNT_OPENED, arg=number, polling=250, timeout=WAIT_MS)
    row = page.locator("#accounts tbody tr").filter(has_text=number)
    _shown(page, f"{fees.base}/fees/", row.locator("td").last, "未结案")
    row.get_by_role("link", name=number).click()
    expect(page.locator('#a-balances [data-balance="outstanding"] dd')).to_have_text(FEE)
    expect(page.locator("#payment-form")).to_be_visible()
    expect(page.locator("#pm-amount")).to_have_value("1,050.00")
    expect(page.locator("#pm-payer")).to_have_value(PLAINTIFF)
    expect(page.locator("#refund-form")).to_be_hidden()
    _shot(page, "00-filing-clerk-account-owing")
    return number


STALE: list[str] = []
"""Pages that showed less than the API had just answered (see :func:`_shown`)."""


def _shown(page: Page, url: str, where: Locator, text: str) -> None:
    """Open ``url`` once the API says the change is there, and see ``text`` at ``where``.

    In about one run in four, a page loaded right after ``fetch`` had seen the change showed the
    state from before it (the fee accounts list without the new account; the payment page
    without the refundable half), and a reload showed it. The cause is not known: the same
    requests from plain HTTP clients never saw it. The person reloads, as anyone would; each time
    is noted in :data:`STALE` and printed, so that it stays visible."""
    from playwright.sync_api import expect

    for attempt in range(5):
        page.goto(url)
        try:
            expect(where).to_have_text(text, timeout=TIMEOUT_MS if attempt == 4 else 3_000)
            return
        except AssertionError:
            if attempt == 4:
                raise
            STALE.append(f"{url}: {where} was not {text!r} (attempt {attempt + 1})")


def _qr_path(page: Page) -> str:
    """The QR code's drawing (segno's one path), as the page shows it."""
    return page.locator("#qr svg path").first.get_attribute("d") or ""


def _party_pays(fees: Fees, number: str) -> tuple[Page, str, str]:
    """From the notice SMS to 已缴费; the payment link and the receipt number."""
    from playwright.sync_api import expect

    sms, seen = _sms(
        fees.sms_file, rf"^【广州市越秀区人民法院】{PLAINTIFF}：{re.escape(number)}案应交纳诉讼费"
    )
    link, seen = _sms(fees.sms_file, r"在线缴费：(http://\S+/fees/pay\.html\?t=\S+)$")
    assert "诉讼费1,050.00元，请于" in sms and "缴费码" in sms, sms
    party = fees.phone_page()
    party.goto(link)
    expect(party.locator("#hdr-court")).to_have_text("广州市越秀区人民法院", timeout=TIMEOUT_MS)
    expect(party.locator("#due-label")).to_have_text("应交纳诉讼费")
    expect(party.locator("#due-amount")).to_have_text(FEE)
    expect(party.locator("#due-by")).to_have_text(re.compile(r"^请于20\d\d年\d+月\d+日前交纳$"))
    facts = party.locator("#facts")
    expect(facts).to_contain_text(f"案号{number}")
    expect(facts).to_contain_text(f"交费人{PLAINTIFF}")
    expect(facts).to_contain_text("案件状态审理中")
    expect(party.locator("#code-to")).to_have_text(f"验证码将发送至您登记的手机 {MASKED}")
    _shot(party, "01-party-due")

    party.click("#get-code")
    expect(party.locator("#code-sent")).to_have_text(
        f"验证码已发送至 {MASKED}，10分钟内有效。", timeout=TIMEOUT_MS
    )
    expect(party.locator("#get-code")).to_have_text(re.compile(r"^\d+ 秒后可重新获取$"))
    code, seen = _sms(fees.sms_file, r"验证码(\d{6})，用于.*案诉讼费缴费或退费", after=seen)
    party.fill("#code", f"{(int(code) + 1) % 10**6:06d}")  # a digit mistyped first
    party.click("#confirm")
    expect(party.locator("#pay-error")).to_have_text("验证码不正确（还可尝试4次）")
    party.fill("#code", code)
    with party.expect_response(lambda r: r.url.endswith("/orders") and r.status == 201) as made:
        party.click("#confirm")
    order = made.value.json()
    expect(party.locator("#step-qr")).to_be_visible(timeout=TIMEOUT_MS)
    expect(party.locator("#step-qr .scan")).to_have_text("请使用微信扫一扫完成支付")
    expect(party.locator("#qr-amount")).to_have_text(FEE)
    expect(party.locator("#qr-expires")).to_have_text(re.compile(r"^二维码有效期至 "))
    expect(party.locator("#waiting")).to_have_text("正在等待支付结果…")
    # What the page draws is the order's code_url (segno's drawing of it, as the server makes it).
    wanted = segno.make(order["code_url"], error="m").svg_inline(scale=6, border=2)
    drawn = _qr_path(party)
    assert drawn and f'd="{drawn}"' in wanted, (drawn, wanted[:200])
    _shot(party, "02-party-qr")

    party.reload()  # the page reloaded while the order waits: the same QR code again
    expect(party.locator("#step-qr")).to_be_visible(timeout=TIMEOUT_MS)
    assert _qr_path(party) == drawn
    expect(party.locator("#qr-amount")).to_have_text(FEE)
    second = party.context.new_page()  # the SMS link opened again, in a second tab
    second.goto(link)
    expect(second.locator("#step-qr")).to_be_visible(timeout=TIMEOUT_MS)
    assert _qr_path(second) == drawn  # one order for what is due, whichever tab shows it

    # The payer's phone scans the code: WeChat's page for the order, 确认支付.
    pr = parse_qs(urlparse(order["code_url"]).query)["pr"][0]
    wallet = fees.walk.browser.new_context(viewport=MOBILE, locale="zh-CN").new_page()
    wallet.goto(f"{fees.sim}/sim/wallet?pr={pr}")
    expect(wallet.locator(".amount")).to_have_text("¥1050.00")
    wallet.get_by_role("button", name="确认支付").click()
    expect(wallet.get_by_text("支付成功")).to_be_visible(timeout=TIMEOUT_MS)
    _shot(wallet, "03-wallet-paid")
    wallet.context.close()

    expect(party.locator("#paid h2")).to_have_text("已缴费", timeout=TIMEOUT_MS)
    expect(second.locator("#paid h2")).to_have_text("已缴费", timeout=TIMEOUT_MS)  # both tabs
    second.close()
    expect(party.locator("#paid-text")).to_have_text(
        re.compile(rf"^您已缴纳诉讼费 {re.escape(FEE)}。票据号 (\d{{16}})。$")
    )
    receipt = re.findall(r"\d{16}", party.locator("#paid-text").inner_text())[0]
    expect(party.locator("#step-qr")).to_be_hidden()
    link_el = party.locator("#receipt-link")
    expect(link_el).to_be_visible(timeout=WAIT_MS)  # the receipt made and sealed
    expect(link_el).to_have_text("查看电子票据")
    expect(party.locator("#receipt-wait")).to_be_hidden()
    expect(party.locator("#due-label")).to_have_text("诉讼费已缴清")
    expect(party.locator(f'#receipt-list li[data-receipt="{receipt}"]')).to_contain_text(FEE)
    _shot(party, "04-party-paid")
    pdf = party.request.get(f"{fees.base}{link_el.get_attribute('href')}")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF"), pdf.status

    text, _ = _sms(fees.sms_file, rf"票据号{receipt}。电子票据：")
    assert "缴纳" in text and "诉讼费1,050.00元，微信支付交易单号" in text, text
    receipt_link = re.search(r"电子票据：(\S+)$", text)
    assert receipt_link is not None and receipt_link.group(1) == f"{link}&receipt={receipt}"
    party.goto(receipt_link.group(1))
    expect(party.locator(f'#receipt-list li.highlight[data-receipt="{receipt}"]')).to_be_visible(
        timeout=TIMEOUT_MS
    )
    expect(party.locator("#receipt-missing")).to_be_hidden()
    return party, link, receipt


def _verify(fees: Fees, receipt: str) -> None:
    """The receipt's QR code opens verify.html with its number and verification code."""
    from playwright.sync_api import expect

    with Session(fees.walk.server.ctx.engine) as s:
        code = s.scalars(select(FeeReceipt.verify_code).where(FeeReceipt.number == receipt)).one()
    page = fees.phone_page()
    page.goto(f"{fees.base}/fees/verify.html?n={receipt}&c={code}")
    expect(page.locator("#verdict")).to_have_text("✓ 票据有效", timeout=TIMEOUT_MS)
    expect(page.locator("#verdict-text")).to_have_text(
        "该票据由以下法院出具，票据信息与法院记录一致。"
    )
    facts = page.locator("#facts")
    expect(facts).to_contain_text("法院广州市越秀区人民法院")
    expect(facts).to_contain_text(f"金额{FEE}")
    expect(facts).to_contain_text("交款人陈*")
    _shot(page, "05-verify-valid")
    page.goto(f"{fees.base}/fees/verify.html?n={receipt}&c=AAAAAAAA")
    expect(page.locator("#verdict")).to_have_text("✗ 票据无效", timeout=TIMEOUT_MS)
    expect(page.locator("#verdict-text")).to_contain_text("法院没有这张票据，或校验码不符")
    page.context.close()


def _clerk_sees_paid(fees: Fees, number: str) -> Page:
    from playwright.sync_api import expect

    clerk = fees.walk.login("clerk")
    clerk.wait_for_url("**/dashboard.html")
    clerk.locator("#fees-card").get_by_role("link", name="诉讼费查询").click()
    clerk.wait_for_url("**/fees/")
    expect(clerk.locator("#who")).to_have_text("书记员 陈晓", timeout=TIMEOUT_MS)
    # The court's accounts: the case is listed, paid.
    row = clerk.locator("#accounts tbody tr").filter(has_text=number)
    expect(row).to_contain_text(FEE, timeout=TIMEOUT_MS)
    expect(row).to_contain_text("未结案")
    clerk.fill("#q", number)
    clerk.get_by_role("button", name="查询").click()
    expect(clerk.locator("#a-title")).to_have_text(f"{number} · 民间借贷纠纷 未结案")
    balances = clerk.locator("#a-balances")
    expect(balances.locator('[data-balance="assessed"] dd')).to_have_text(FEE)
    expect(balances.locator('[data-balance="paid"] dd')).to_have_text(FEE)
    expect(balances.locator('[data-balance="outstanding"] dd')).to_have_text("¥0.00")
    expect(clerk.locator("#a-facts")).to_contain_text(f"交费人原告 {PLAINTIFF}")
    notice = clerk.locator(".fee-notice").first
    expect(notice).to_contain_text(f"第1版 · {FEE}")
    expect(notice).to_contain_text("立案时核定")
    expect(notice.locator("tbody tr")).to_have_count(4)  # two tiers, subtotal, total
    expect(notice.locator("tbody tr").nth(1)).to_contain_text("40,000.00 × 2.5%")
    sends = clerk.locator("#a-sends tbody tr")
    expect(sends.filter(has_text="缴费通知").filter(has_text="短信")).to_contain_text(
        f"{PLAINTIFF} {MASKED}"
    )
    expect(sends.filter(has_text="缴费票据")).to_contain_text("已发送")
    expect(clerk.locator("#a-orders tbody tr")).to_contain_text("微信支付已支付")
    expect(clerk.locator("#a-receipts tbody tr")).to_contain_text("打开票据")
    ledger = clerk.locator("#a-ledger tbody tr")
    expect(ledger).to_have_count(2)
    expect(ledger.nth(0)).to_contain_text("核定：缴费通知第1版")
    expect(ledger.nth(1)).to_contain_text("缴费：微信支付缴费")
    expect(ledger.nth(1)).to_contain_text("微信支付收款 +¥1,050.00")
    expect(clerk.locator("#send-form")).to_be_visible()  # a clerk may send and re-issue
    expect(clerk.locator("#refund-form")).to_be_hidden()  # nothing to refund, not a cashier
    expect(clerk.locator("#payment-form")).to_be_hidden()  # nothing owed, not a cashier
    _shot(clerk, "06-clerk-account-paid")
    return clerk


def _clerk_closes_by_mediation(fees: Fees, clerk: Page, number: str) -> None:
    from playwright.sync_api import expect

    clerk.goto(f"{fees.base}/dossier/")
    link = clerk.get_by_role("link", name=number)
    case_id = int((link.get_attribute("href") or "=0").rsplit("=", 1)[1])
    _open_case(clerk, fees.base, case_id, number)
    card = clerk.locator("#close-card")
    expect(card).to_be_visible(timeout=TIMEOUT_MS)
    card.get_by_label("结案方式").select_option(label="调解")
    card.get_by_role("button", name="确认结案").click()
    expect(clerk.locator("#facts")).to_contain_text("结案方式调解", timeout=TIMEOUT_MS)


REFUNDABLE = """async (token) => {
  const answer = await fetch(`/api/fees/pay/${token}`);
  return answer.ok && (await answer.json()).balances.refundable_fen > 0;
}"""


def _party_applies(fees: Fees, party: Page, link: str) -> None:
    from playwright.sync_api import expect

    # The fee is halved by the case's closing (case.closed → the fee service, by its event):
    # the party comes back once it has, and the page says what may be claimed back.
    token = parse_qs(urlparse(link).query)["t"][0]
    party.wait_for_function(REFUNDABLE, arg=token, polling=250, timeout=WAIT_MS)
    _shown(party, link, party.locator("#due-label"), "可申请退还")
    expect(party.locator("#due-amount")).to_have_text(HALF)
    expect(party.locator("#due-by")).to_have_text("本案已结案，多交的诉讼费可申请退还")
    expect(party.locator("#facts")).to_contain_text("现行通知第2版（调解结案，案件受理费减半）")
    expect(party.locator("#facts")).to_contain_text("案件状态已结案")
    expect(party.locator("#refund-amount")).to_have_text(f"可退金额：{HALF}")
    expect(party.locator("#pay")).to_be_hidden()
    expect(party.get_by_label("原路退回（退回付款的微信账户）")).to_be_checked()
    _shot(party, "07-party-refundable")
    before = len(fees.sms_file.read_text(encoding="utf-8").splitlines())
    party.click("#rf-get-code")
    expect(party.locator("#rf-code-sent")).to_have_text(
        f"验证码已发送至 {MASKED}，10分钟内有效。", timeout=TIMEOUT_MS
    )
    code, _ = _sms(fees.sms_file, r"验证码(\d{6})，用于", after=before)
    party.fill("#rf-code", code)
    party.click("#rf-submit")
    item = party.locator("#refund-list li").first
    expect(item).to_contain_text("待法院审批", timeout=TIMEOUT_MS)
    expect(item).to_contain_text(HALF)
    expect(item).to_contain_text("原路退回（微信支付）")
    expect(party.locator("#refund")).to_be_hidden()
    expect(party.locator("#due-label")).to_have_text("退费办理中")
    expect(party.locator("#due-by")).to_have_text("办理进度见下方“退费”，退回后将以短信告知您")
    _shot(party, "08-party-refund-applied")


def _finance_approves(fees: Fees, number: str) -> None:
    from playwright.sync_api import expect

    finance = fees.walk.login("finance")
    finance.wait_for_url("**/dashboard.html")
    expect(finance.locator("#who")).to_have_text("财务人员 孙静", timeout=TIMEOUT_MS)
    finance.locator("#fees-card").get_by_role("link", name="财务").click()
    finance.wait_for_url("**/fees/finance.html")
    row = finance.locator(f'#applied tr[data-refund-case="{number}"]')
    expect(row).to_contain_text(HALF, timeout=TIMEOUT_MS)
    expect(row).to_contain_text(f"原路退回（微信支付）{PLAINTIFF}")
    _shot(finance, "09-finance-to-approve")
    row.get_by_placeholder("审批意见").fill("调解结案，退还减半部分")
    row.get_by_role("button", name="批准", exact=True).click()
    expect(finance.locator("#applied-status")).to_have_text(
        f"已批准{number}的退费 {HALF}。", timeout=TIMEOUT_MS
    )
    expect(finance.locator("#applied-none")).to_have_text("没有待审批的退费申请。")
    _shot(finance, "10-finance-approved")
    # Yesterday's bill (the form's default day): nothing was paid then, nothing differs (the
    # service may have reconciled that day by itself already: a run of its own is listed too).
    finance.get_by_role("button", name="下载账单并对账").click()
    expect(finance.locator("#recon-title")).to_have_text(
        re.compile(r"^20\d\d年\d+月\d+日对账结果$"), timeout=TIMEOUT_MS
    )
    expect(finance.locator("#recon-clean")).to_have_text("账单与本院账目一致。")
    expect(finance.locator("#recon-summary")).to_contain_text("账单合计¥0.00")
    first = finance.locator("#runs tbody tr").first
    expect(first).to_contain_text("孙静")
    expect(first).to_contain_text("一致")
    expect(finance.locator("#flagged-none")).to_have_text("没有需核查的通知。")
    _shot(finance, "10b-finance-reconciled")


def _party_refunded(fees: Fees, party: Page, number: str) -> None:
    from playwright.sync_api import expect

    item = party.locator("#refund-list li").first
    expect(item.locator(".fee-chip")).to_have_text("已退款", timeout=WAIT_MS)
    expect(item).to_contain_text("退回于 ")
    expect(party.locator("#facts")).to_contain_text(f"已退{HALF}")
    expect(party.locator("#due-label")).to_have_text("诉讼费已缴清")
    expect(party.locator("#due-amount")).to_have_text(HALF)
    _shot(party, "11-party-refunded")
    text, _ = _sms(fees.sms_file, rf"{re.escape(number)}案退费525\.00元：已退至")
    assert text.endswith("已退至原支付渠道（微信支付）。"), text


# ---------------------------------------------------------------- a look at every page


def _gallery(fees: Fees, link: str, receipt: str) -> None:
    """Every fee page at desktop and phone width, in Chinese and in English (for people to look
    at: nothing asserted but that each page loaded)."""
    for lang in ("zh-CN", "en"):
        for width, height in ((1366, 900), (375, 740)):
            context = fees.walk.browser.new_context(
                viewport={"width": width, "height": height}, locale="zh-CN"
            )
            context.add_init_script(f"localStorage.setItem('tingshen.lang', '{lang}')")
            page = fees.walk.watch.attach(context.new_page())
            tag = f"{lang[:2]}-{width}"
            page.goto(link)
            page.wait_for_selector("#facts dt")
            _shot(page, f"gallery-pay-{tag}")
            page.goto(f"{fees.base}/fees/verify.html?n={receipt}&c=AAAAAAAA")
            page.wait_for_selector("#verdict:not(:empty)")
            _shot(page, f"gallery-verify-{tag}")
            for user, path in (("finance", "/fees/finance.html"), ("clerk", "/fees/")):
                page.context.clear_cookies()
                page.goto(f"{fees.base}/login.html")
                page.fill("#username", user)
                page.fill("#password", fees.walk.seed.new_passwords[user])
                page.click("#submit")
                page.wait_for_url("**/dashboard.html")
                _shot(page, f"gallery-dashboard-{user}-{tag}")
                if user == "clerk":
                    first = page.context.request.get(f"{fees.base}/api/fees/accounts").json()
                    path += "?q=" + quote(first["items"][0]["case_number"])
                page.goto(f"{fees.base}{path}")
                page.wait_for_selector("#who:not(:empty)", state="attached")
                page.wait_for_load_state("networkidle")
                _shot(page, f"gallery-{user}-{tag}")
            context.close()


# ---------------------------------------------------------------- the walk


def test_a_fee_paid_and_half_refunded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not inside_namespace():
        pytest.skip("runs only inside a private network namespace (see the runner)")
    assert_private_namespace()
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    data_dir = tmp_path / "data"
    state_dir = tmp_path / "wechatpay"
    with simulator(state_dir) as sim:
        monkeypatch.setenv("TINGSHEN_FEES_PAY_GATEWAY_URL", sim)
        monkeypatch.setenv("TINGSHEN_FEES_PAY_CREDENTIALS_DIR", str(state_dir / MERCHANT_DIR))
        with live_server(data_dir, FakeStreams()) as server, sync_playwright() as pw:
            seed = seed_demo(server.ctx)
            browser = launch_chromium(pw, wav)
            walk = Walk(browser, server, seed, FeeWatch())
            fees = Fees(walk, sim, data_dir / "sms" / "messages.jsonl")
            try:
                _admin_sets_court_code(walk)
                number = _files(fees)
                party, link, receipt = _party_pays(fees, number)
                _verify(fees, receipt)
                clerk = _clerk_sees_paid(fees, number)
                _clerk_closes_by_mediation(fees, clerk, number)
                _party_applies(fees, party, link)
                _finance_approves(fees, number)
                _party_refunded(fees, party, number)
                if GALLERY:
                    _gallery(fees, link, receipt)
            finally:
                print("page problems:", walk.watch.problems)  # shown when a step failed
                browser.close()
    assert walk.watch.problems == [], walk.watch.problems
    print(f"fees walk: {time.monotonic() - started:.1f} s; stale pages: {STALE}")
