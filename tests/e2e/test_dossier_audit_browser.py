# mypy: disallow-untyped-calls=False
"""A case's audit trail in headless Chromium (private network namespace): the judge records two
overlapping periods not counted on the case page, which shows them counted once; the judge
downloads a material; the court administrator follows the case page's link to the audit trail:
newest first in court time, people by role and name, the material by its title, 更多 for the
next page, filters by action and person, the CSV, the page in English; the case's clerk has no
link and is told the case does not exist. No page error, no console error but that refusal, no
CSP violation.

Screenshots go to ``out/screenshots`` (``dossier-audit.png``, ``dossier-audit-en.png``)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dossier.audit import record
from dossier.context import COURT_TZ
from dossier.materials.store import Author, NewFile, add_material
from dossier.models import DossierCase, DossierParty
from dossier.publish.pdf import page_count, text_pdf
from hearing_server.demo import seed_demo
from tests.e2e.harness import (
    REPO_ROOT,
    TIMEOUT_MS,
    assert_private_namespace,
    inside_namespace,
    launch_chromium,
    live_server,
    new_context,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.server.live_fakes import FakeStreams
from tingshen_platform.blobs import LocalBlobStore
from tingshen_platform.identity import StaffPrincipal

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(180)]
SCREENSHOTS = REPO_ROOT / "out" / "screenshots"
EXPECTED_REFUSAL = "Failed to load resource: the server responded with a status of 404"
EARLIER_VIEWS = 55
"""Rows written before the page opens, so that the trail has a second page (50 a page)."""


def test_audit_page_in_private_network_namespace() -> None:
    if inside_namespace():
        pytest.skip("already inside the private network namespace")
    run_module_in_namespace(__file__, timeout_s=170, passed=1)


def _world(server: Any, data_dir: Path, today: date) -> tuple[int, int, date]:
    """A case of the demo court (judge 王立明, clerk 陈晓) filed 60 days ago, with a complaint,
    and :data:`EARLIER_VIEWS` earlier views of it by the clerk, a day ago."""
    from sqlalchemy import select

    from dossier.db import session_factory
    from hearing_server.models import StaffUser

    with server.ctx.session_factory() as s:
        staff = {u.username: u for u in s.scalars(select(StaffUser))}
    judge, clerk = staff["judge"], staff["clerk"]
    filed = today - timedelta(days=60)
    sessions = session_factory(server.ctx.engine)
    pdf = text_pdf("民事起诉状", [("原告", "陈小明")], "诉讼请求：判令被告归还借款五万元。")
    with sessions() as s:
        case = DossierCase(
            court_id=judge.court_id, court_name="广州市越秀区人民法院",
            case_number="（2026）粤0104民初900号", cause_code="9", cause_name="民间借贷纠纷",
            procedure="ordinary", claim_amount_fen=5_000_000, judge_user_id=judge.id,
            judge_name=judge.display_name, clerk_user_id=clerk.id, clerk_name=clerk.display_name,
            status="open", source="filed", filed_on=filed,
            filed_at=datetime(filed.year, filed.month, filed.day, tzinfo=UTC),
        )  # fmt: skip
        s.add(case)
        s.flush()
        s.add(DossierParty(case_id=case.id, role="plaintiff", kind="person", name="陈小明"))
        material = add_material(
            s, LocalBlobStore(data_dir / "dossier"), case=case, volume="main",
            material_type="complaint", title="民事起诉状", source="upload",
            new=NewFile("起诉状.pdf", "application/pdf", pdf, page_count=page_count(pdf)),
            author=Author(clerk.id, clerk.display_name), at=server.ctx.clock(),
        )  # fmt: skip
        viewer = StaffPrincipal(clerk.id, clerk.username, clerk.display_name, "clerk",
                                clerk.court_id, "广州市越秀区人民法院")  # fmt: skip
        yesterday = datetime.now(UTC) - timedelta(days=1)
        for i in range(EARLIER_VIEWS):
            record(s, viewer, "material.viewed", at=yesterday + timedelta(seconds=i),
                   case_id=case.id, entity="material", entity_id=material.id,
                   details={"version": 1, "form": "pdf"})  # fmt: skip
        s.commit()
        return case.id, material.id, filed


def test_audit_page(tmp_path: Path) -> None:
    assert_private_namespace()
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    wav = write_browser_wav(tmp_path / "quiet.wav", silence(1.0))
    data_dir = tmp_path / "data"
    with live_server(data_dir, FakeStreams()) as server, sync_playwright() as p:
        seed = seed_demo(server.ctx)
        today = datetime.now(UTC).astimezone(COURT_TZ).date()
        case_id, material_id, filed = _world(server, data_dir, today)
        base = server.base_url
        browser = launch_chromium(p, wav)

        def page_as(who: str) -> Any:
            page = new_context(browser).new_page()
            page.on("pageerror", lambda e: problems.append(f"{who}: {e}"))
            page.on("console", lambda m: problems.append(f"{who}: {m.text} {m.location}")
                    if m.type == "error" and EXPECTED_REFUSAL not in m.text else None)  # fmt: skip
            page.goto(f"{base}/login.html")
            login = {"username": who, "password": seed.new_passwords[who]}
            assert page.request.post(f"{base}/api/auth/login", data=login).status == 200
            return page

        # The judge: 公告 from day 10 to day 29 after filing (20 days) and 鉴定 from day 20 to
        # day 40 (21 days) share days 20–29: days 10–40 are 31 days, not 41.
        judge = page_as("judge")
        judge.goto(f"{base}/dossier/case.html?id={case_id}")
        judge.wait_for_selector("#case-page:not([hidden])", timeout=TIMEOUT_MS)
        for ground, start, end in (("announcement", 10, 29), ("appraisal", 20, 40)):
            count = judge.locator("#tl-events li").count()
            judge.select_option("#tl-kind", "suspension")
            judge.select_option("#tl-ground", ground)
            judge.fill("#tl-on", (filed + timedelta(days=start)).isoformat())
            judge.fill("#tl-until", (filed + timedelta(days=end)).isoformat())
            judge.click("#tl-form button[type=submit]")
            expect(judge.locator("#tl-events li")).to_have_count(count + 1, timeout=TIMEOUT_MS)
        suspended = judge.locator("#tl dt", has_text="不计入审限").locator(
            "xpath=following-sibling::dd[1]"
        )
        expect(suspended).to_have_text("31", timeout=TIMEOUT_MS)
        expect(judge.locator("#links a", has_text="审计记录")).to_be_visible(timeout=TIMEOUT_MS)
        original = f"{base}/api/dossier/cases/{case_id}/materials/{material_id}/versions/1/original"
        assert judge.request.get(original).status == 200

        # The clerk reads the dossier but not who read it: no link, and "no such case".
        clerk = page_as("clerk")
        clerk.goto(f"{base}/dossier/case.html?id={case_id}")
        clerk.wait_for_selector("#case-page:not([hidden])", timeout=TIMEOUT_MS)
        assert "审计记录" not in clerk.inner_text("#links")
        clerk.goto(f"{base}/dossier/audit.html?case={case_id}")
        expect(clerk.locator("#audit-error")).to_have_text("未找到该案件。", timeout=TIMEOUT_MS)
        assert clerk.locator("#trail tbody tr").count() == 0

        # The court administrator, from the case page's link.
        admin = page_as("admin")
        admin.goto(f"{base}/dossier/case.html?id={case_id}")
        admin.click("#links a:has-text('审计记录')")
        admin.wait_for_url("**/dossier/audit.html?case=*", timeout=TIMEOUT_MS)
        rows = admin.locator("#trail tbody tr")
        expect(rows).to_have_count(50, timeout=TIMEOUT_MS)
        expect(admin.locator("#hdr-case")).to_have_text("（2026）粤0104民初900号")
        first = [c.strip() for c in rows.nth(0).locator("td").all_inner_texts()]
        assert first[1:4] == ["审判员 王立明", "下载材料", "民事起诉状"], first
        assert "版本：1" in first[4] and "形式：原件" in first[4], first
        assert len(first[0]) >= 19 and first[0].count(":") == 2, first  # seconds, court time
        second = [c.strip() for c in rows.nth(1).locator("td").all_inner_texts()]
        assert second[1:3] == ["审判员 王立明", "扣除审限期间"], second
        assert "事由：鉴定期间" in second[4], second
        text = admin.inner_text("#trail")
        assert "书记员 陈晓" in text and "查看材料" in text
        SCREENSHOTS.joinpath("dossier-audit.png").unlink(missing_ok=True)
        admin.screenshot(path=str(SCREENSHOTS / "dossier-audit.png"), full_page=False)
        # 更多: the rest of the trail (2 + 1 + 55 = 58 rows before the first reading; the readings
        # since are newer than the cursor).
        expect(admin.locator("#more")).to_be_visible()
        admin.click("#more")
        expect(rows).to_have_count(58, timeout=TIMEOUT_MS)
        expect(admin.locator("#more")).to_be_hidden()
        # Filters: by action, then by person.
        admin.select_option("#f-action", "material.downloaded")
        admin.click("#filters button[type=submit]")
        expect(rows).to_have_count(1, timeout=TIMEOUT_MS)
        admin.select_option("#f-action", "")
        admin.fill("#f-person", "王立明")
        admin.click("#filters button[type=submit]")
        expect(rows).to_have_count(3, timeout=TIMEOUT_MS)
        # Its own readings are in the trail: four before this one (the first page, 更多, the two
        # filters); this one is recorded after it is read.
        admin.fill("#f-person", "")
        admin.select_option("#f-action", "audit.read")
        admin.click("#filters button[type=submit]")
        expect(rows).to_have_count(4, timeout=TIMEOUT_MS)
        assert rows.nth(0).locator("td").nth(1).inner_text().strip() == "法院管理员 赵敏"
        # The CSV of what is shown.
        href = admin.get_attribute("#csv", "href")
        assert href == f"/api/dossier/cases/{case_id}/audit.csv?action=audit.read", href
        exported = admin.request.get(f"{base}{href}")
        assert exported.status == 200 and exported.body().startswith(b"\xef\xbb\xbf")
        table = list(csv.reader(io.StringIO(exported.body().decode("utf-8-sig"))))
        assert table[0] == ["时间（北京时间）", "人员", "操作", "材料", "详情"]
        assert [r[2] for r in table[1:]] == ["查看审计记录"] * 5
        # In English.
        admin.select_option("#f-action", "")
        admin.click("#filters button[type=submit]")
        admin.click("#lang-switch")
        expect(admin.locator("h1")).to_have_text("Audit trail", timeout=TIMEOUT_MS)
        expect(rows.first).to_be_visible(timeout=TIMEOUT_MS)
        assert "Audit trail read" in admin.inner_text("#trail")
        admin.select_option("#f-action", "material.downloaded")
        admin.click("#filters button[type=submit]")
        expect(rows).to_have_count(1, timeout=TIMEOUT_MS)
        cells = [c.strip() for c in rows.nth(0).locator("td").all_inner_texts()]
        assert cells[1:4] == ["Judge 王立明", "Material downloaded", "民事起诉状"], cells
        assert "Form: Original" in cells[4], cells
        admin.screenshot(path=str(SCREENSHOTS / "dossier-audit-en.png"), full_page=False)
        browser.close()
    assert problems == []
