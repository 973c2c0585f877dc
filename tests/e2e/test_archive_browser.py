# mypy: disallow-untyped-calls=False
"""The archive page in Chromium, as the people who use it: the clerk arranges a closed case's
main volume (moves an item down, saves) and submits it; a judge who is not on the case asks to
borrow it; the court administrator, on the court's archive page (档案管理, from the case list),
sees the request awaiting an answer and the packages never checked, runs the fixity check and
approves, then finds both on the case's archive page; the borrower reads the watermarked
e-volume. No CSP violation, no page error, no console message but the expected
refusals (a 4xx the page handles). Real app (uvicorn) in a private network namespace."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from hearing_server.app import create_app
from hearing_server.notify import RecordingCodeSender
from hearing_server.settings import Settings
from tests.dossier.archive_helpers import add_materials, close_case
from tests.e2e.harness import (
    NETNS_ENV,
    REPO_ROOT,
    TIMEOUT_MS,
    assert_private_namespace,
    inside_namespace,
    launch_chromium,
    new_context,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.serve_process import free_port
from tests.server.live_fakes import FakeStreams

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(240)]
SCREENSHOTS = REPO_ROOT / "out" / "screenshots"
EXPECTED_REFUSAL = "Failed to load resource: the server responded with a status of 4"
NUMBER = "(2026)粤0104民初123号"


def test_archive_page_in_private_network_namespace() -> None:
    run_module_in_namespace(Path(__file__), timeout_s=230)


@dataclass
class Live:
    base_url: str
    app: FastAPI


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    if not inside_namespace():
        pytest.skip(f"runs only inside a private network namespace ({NETNS_ENV}=1, see the runner)")
    assert_private_namespace()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings = Settings(data_dir=tmp_path / "data", public_base_url=base_url, stun_urls=[])
    app = create_app(settings, code_sender=RecordingCodeSender(), stream_factory=FakeStreams())
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:  # uvicorn has no readiness callback; poll its flag
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield Live(base_url, app)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _world(app: FastAPI) -> int:
    """Court A's staff (with the dossier's extra staff), case A closed with three materials."""
    from sqlalchemy import select

    from dossier.models import DossierCase
    from hearing_server.events import publish_case_created
    from hearing_server.models import Case, StaffUser
    from tests.dossier.conftest import EXTRA_STAFF, dossier_context, poll
    from tests.server.conftest import PASSWORD, seed_world

    ctx = app.state.services.context
    world = seed_world(ctx)
    with ctx.session_factory() as s:
        case = s.get(Case, world.case_a)
        for username, name, role in EXTRA_STAFF:
            s.add(StaffUser(court_id=case.court_id, username=username, display_name=name,
                            role=role, password_hash=ctx.passwords.hash(PASSWORD), active=True))  # fmt: skip
        publish_case_created(s, case, at=ctx.clock())
        number = case.case_number
        s.commit()
    poll(app)
    dossier = dossier_context(app)
    with dossier.session_factory() as s:
        case_id = s.scalars(select(DossierCase.id).where(DossierCase.case_number == number)).one()
    close_case(dossier, ctx, case_id)
    add_materials(dossier, case_id, [2, 1, 3])
    return int(case_id)


@dataclass
class Watch:
    problems: list[str]

    def attach(self, page: Any) -> None:
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on(
            "console",
            lambda m: None if EXPECTED_REFUSAL in m.text else self.problems.append(m.text),
        )


def _login(browser: Any, base: str, username: str, watch: Watch) -> Any:
    from tests.server.conftest import PASSWORD

    page = new_context(browser).new_page()
    watch.attach(page)
    page.goto(f"{base}/login.html")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(lambda url: "login" not in url, timeout=TIMEOUT_MS)
    return page


def test_arrange_submit_borrow_read(live: Live, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    case_id = _world(live.app)
    url = f"{live.base_url}/dossier/archive.html?case={case_id}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watch = Watch([])
    wav = write_browser_wav(tmp_path / "quiet.wav", silence(1.0))
    with sync_playwright() as pw:
        browser = launch_chromium(pw, wav)
        try:
            clerk = _login(browser, live.base_url, "clerk_a", watch)
            clerk.goto(url)
            rows = clerk.locator("#items tr")
            expect(rows).to_have_count(3, timeout=TIMEOUT_MS)
            # default order: the complaint, then evidence, then the judgment
            expect(rows.nth(0)).to_contain_text("材料2（complaint）")
            expect(clerk.locator("#facts")).to_contain_text("定期30年")
            expect(clerk.locator("#facts")).to_contain_text("已结案，待归档")
            rows.nth(0).get_by_role("button", name="下移 材料2（complaint）").click()
            expect(rows.nth(1)).to_contain_text("材料2（complaint）")
            clerk.click("#save")
            expect(clerk.locator("#archive-status")).to_have_text("排列已保存。")
            expect(rows.nth(0)).to_contain_text("材料0（evidence）")
            expect(rows.nth(0).locator("td").nth(4)).to_have_text("1–2")
            expect(clerk.locator("#totals")).to_have_text("共 3 件 6 页")
            clerk.screenshot(path=str(SCREENSHOTS / "archive-clerk-arranged.png"), full_page=True)
            clerk.once("dialog", lambda d: d.accept())
            clerk.click("#submit")
            expect(clerk.locator("#archive-status")).to_contain_text(
                "已归档，档号 F", timeout=60_000
            )
            expect(clerk.locator("#facts")).to_contain_text("D30-MC-0001")
            expect(clerk.locator("#read")).to_be_visible()
            clerk.screenshot(path=str(SCREENSHOTS / "archive-clerk-archived.png"), full_page=True)

            borrower = _login(browser, live.base_url, "judge2_a", watch)
            borrower.goto(url)
            expect(borrower.locator("#borrow")).to_be_visible(timeout=TIMEOUT_MS)
            borrower.fill("#borrow-reason", "类案参考")
            borrower.fill("#borrow-days", "3")
            borrower.click("#borrow button[type=submit]")
            expect(borrower.locator("#archive-status")).to_have_text(
                "调阅申请已提交，等待管理员审批。"
            )

            # The court administrator: from the court's case list to its archive page (档案管理,
            # theirs only), where the request waits and every package is checked.
            admin = _login(browser, live.base_url, "admin_a", watch)
            admin.goto(f"{live.base_url}/dossier/")
            admin.get_by_role("link", name="档案管理").click()
            admin.wait_for_url("**/dossier/archive-admin.html")
            expect(admin.locator("#who")).to_have_text("法院管理员 赵敏", timeout=TIMEOUT_MS)
            facts = admin.locator("#fixity-facts")
            expect(facts).to_contain_text("最近一次检查尚未检查", timeout=TIMEOUT_MS)
            expect(facts).to_contain_text("检查结果0 个档案包，0 个异常")
            expect(facts).to_contain_text("待首次检查的档案包1")
            waiting = admin.locator("#awaiting tr[data-borrowing]")
            expect(waiting).to_have_count(1)
            expect(waiting).to_contain_text("审判员 孙强")
            expect(waiting).to_contain_text("类案参考")
            expect(waiting.get_by_role("link")).to_have_text(NUMBER)
            admin.click("#fixity-run")
            expect(admin.locator("#fixity-summary")).to_have_text("1 个档案包，0 个异常")
            expect(admin.locator("#admin-status")).to_have_text("检查完毕。")
            expect(admin.locator("#no-failures")).to_be_visible()
            expect(facts).not_to_contain_text("尚未检查")
            admin.screenshot(path=str(SCREENSHOTS / "archive-court-admin.png"), full_page=True)
            waiting.get_by_role("button", name=f"批准 审判员 孙强 {NUMBER}", exact=True).click()
            expect(admin.locator("#admin-status")).to_have_text(f"已批准：{NUMBER}，审判员 孙强。")
            expect(admin.locator("#no-awaiting")).to_be_visible()
            expect(waiting).to_have_count(0)
            admin.click("#lang-switch")  # the same page in English
            expect(admin.locator("h1")).to_have_text("Archive administration", timeout=TIMEOUT_MS)
            expect(admin.locator("#who")).to_have_text("Court admin 赵敏")
            expect(admin.locator("#fixity-summary")).to_have_text("1 packages, 0 failing")
            admin.screenshot(path=str(SCREENSHOTS / "archive-court-admin-en.png"), full_page=True)
            admin.click("#lang-switch")
            expect(admin.locator("h1")).to_have_text("档案管理", timeout=TIMEOUT_MS)

            # The case's own archive page: its request (answered) and its package's check.
            admin.goto(url)
            line = admin.locator("#borrowings li").first
            expect(line).to_contain_text("审判员 孙强", timeout=TIMEOUT_MS)
            expect(line).to_contain_text("已批准")
            expect(admin.locator("#fixity-summary")).to_have_text("本案档案包的最近一次检查：")
            expect(admin.locator("#fixity li").first).to_contain_text("完好 F")
            expect(admin.get_by_role("link", name="档案管理")).to_have_count(2)  # header, section
            admin.screenshot(path=str(SCREENSHOTS / "archive-admin.png"), full_page=True)

            borrower.reload()
            read = borrower.locator("#read")
            expect(read).to_contain_text("带水印", timeout=TIMEOUT_MS)
            pdf = borrower.context.request.get(str(read.get_attribute("href")) and
                                               f"{live.base_url}{read.get_attribute('href')}")  # fmt: skip
            assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
            borrower.screenshot(path=str(SCREENSHOTS / "archive-borrower.png"), full_page=True)
        finally:
            browser.close()
    assert watch.problems == []
