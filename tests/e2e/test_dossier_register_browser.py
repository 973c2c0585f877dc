# mypy: disallow-untyped-calls=False
"""The register's pages in headless Chromium (private network namespace): the court's case list
searched by party name, a case page with its masked ID number, hearing and time limit; the judge
records an extension and closes the case; the administrator's statistics page draws its charts
(SVG) and offers the CSV. No page error, no console error, no CSP violation.

Screenshots go to ``$TINGSHEN_SCREENSHOTS`` when set (to look at the pages)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dossier.models import DossierCase, DossierParty
from hearing_server.demo import seed_demo
from tests.e2e.harness import (
    CHROMIUM,
    TIMEOUT_MS,
    assert_private_namespace,
    inside_namespace,
    live_server,
    run_module_in_namespace,
)
from tests.server.live_fakes import FakeStreams

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(180)]


def test_register_pages_in_private_network_namespace() -> None:
    if inside_namespace():
        pytest.skip("already inside the private network namespace")
    run_module_in_namespace(__file__, timeout_s=170, passed=1)


def _cases(ctx: Any, court_id: int, judge_id: int, today: date) -> int:
    with ctx.session_factory() as s:
        first = 0
        for i, (cause, name, procedure, days_ago) in enumerate(
            [
                ("民间借贷纠纷", "陈小明", "simplified", 80),
                ("房屋租赁合同纠纷", "黄丽丽", "ordinary", 40),
                ("买卖合同纠纷", "林小红", "small_claims", 10),
            ]
        ):
            filed = today - timedelta(days=days_ago)
            case = DossierCase(
                court_id=court_id, court_name="示范人民法院", case_number=f"(2026)示0101民初{700 + i}号",
                cause_code="9", cause_name=cause, procedure=procedure, claim_amount_fen=5_000_000,
                judge_user_id=judge_id, judge_name="王法官", status="open", source="filed",
                filed_on=filed, filed_at=datetime(filed.year, filed.month, filed.day, tzinfo=UTC),
            )  # fmt: skip
            s.add(case)
            s.flush()
            first = first or case.id
            s.add(DossierParty(case_id=case.id, role="plaintiff", kind="person", name=name,
                               id_number="440104199001011234"))  # fmt: skip
            s.add(DossierParty(case_id=case.id, role="defendant", kind="organisation",
                               name="广州某某有限公司", credit_code="91440101MA5XXXXX1X"))  # fmt: skip
        s.commit()
        return first


def test_register_pages(tmp_path: Path) -> None:
    assert_private_namespace()
    from playwright.sync_api import expect, sync_playwright
    from sqlalchemy import select

    from hearing_server.models import StaffUser

    shots = os.environ.get("TINGSHEN_SCREENSHOTS")
    with live_server(tmp_path / "data", FakeStreams()) as server:
        seed = seed_demo(server.ctx)
        with server.ctx.session_factory() as s:
            judge = s.scalars(select(StaffUser).where(StaffUser.username == "judge")).one()
            court_id, judge_id = judge.court_id, judge.id
        today = datetime.now(UTC).astimezone().date()
        case_id = _cases(server.ctx, court_id, judge_id, today)
        problems: list[str] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                        args=["--no-sandbox"])  # fmt: skip

            def page_as(who: str) -> Any:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.on("pageerror", lambda e: problems.append(f"{who}: {e}"))
                page.on("console", lambda m: problems.append(f"{who}: {m.text} {m.location}")
                        if m.type == "error" else None)  # fmt: skip
                page.goto(f"{server.base_url}/login.html")
                login = {"username": who, "password": seed.new_passwords[who]}
                answer = page.request.post(f"{server.base_url}/api/auth/login", data=login)
                assert answer.status == 200
                return page

            def shot(page: Any, name: str) -> None:
                if shots:
                    page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)

            clerk = page_as("clerk")
            clerk.goto(f"{server.base_url}/dossier/")
            clerk.wait_for_selector("#cases tbody tr", timeout=TIMEOUT_MS)
            shot(clerk, "register-list")
            clerk.fill("#q-party", "黄丽丽")
            clerk.click("#search button[type=submit]")
            expect(clerk.locator("#cases tbody tr")).to_have_count(1, timeout=TIMEOUT_MS)
            assert "(2026)示0101民初701号" in clerk.inner_text("#cases tbody")

            judge_page = page_as("judge")
            judge_page.goto(f"{server.base_url}/dossier/case.html?id={case_id}")
            judge_page.wait_for_selector("#case-page:not([hidden])", timeout=TIMEOUT_MS)
            text = judge_page.inner_text("main")
            assert "**************1234" in text and "440104199001011234" not in text
            assert "简易程序" in text and "第一百六十四条" in text
            judge_page.select_option("#tl-kind", "extension")
            judge_page.fill("#tl-approved-by", "李院长")
            judge_page.click("#tl-form button[type=submit]")
            judge_page.wait_for_selector("#tl-events li", timeout=TIMEOUT_MS)
            shot(judge_page, "register-case")
            judge_page.select_option("#c-outcome", "mediation")
            judge_page.click("#close-form button[type=submit]")
            judge_page.wait_for_selector("#close-card[hidden]", state="attached",
                                         timeout=TIMEOUT_MS)  # fmt: skip
            assert "调解" in judge_page.inner_text("#facts")
            judge_page.click("#lang-switch")  # English, after a reload
            expect(judge_page.locator("#h-tl")).to_have_text("Time limit", timeout=TIMEOUT_MS)
            judge_page.wait_for_selector("#case-page:not([hidden])", timeout=TIMEOUT_MS)
            assert "Mediation" in judge_page.inner_text("#facts")
            shot(judge_page, "register-case-en")

            admin = page_as("admin")
            admin.goto(f"{server.base_url}/dossier/stats.html")
            admin.wait_for_selector("#stats:not([hidden])", timeout=TIMEOUT_MS)
            assert admin.locator("#chart-months svg rect").count() > 0
            shot(admin, "register-stats")
            csv = admin.request.get(f"{server.base_url}/api/dossier/stats.csv")
            assert csv.status == 200 and csv.body().startswith(b"\xef\xbb\xbf")
            browser.close()
        assert [p for p in problems if "favicon.ico" not in p] == []
