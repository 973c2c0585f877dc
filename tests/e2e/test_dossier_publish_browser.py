"""Publishing to parties in headless Chromium (issue 15): the judge publishes the complaint to
the plaintiff on /dossier/publish.html; the plaintiff, with the party session of their
invitation link (another browser context), finds it on /dossier/my.html and downloads the PDF;
after the judge withdraws it, it is gone. The administrator's grants page and the review page
are opened too. No page logs an error (the CSP forbids inline script and style).

Runs in a private network namespace like the other browser tests.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.e2e.harness import (
    TIMEOUT_MS,
    assert_private_namespace,
    launch_chromium,
    live_server,
    new_context,
    plaintiff_id,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.server.live_fakes import FakeStreams

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(200)]


def _shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("TINGSHEN_SCREENSHOTS", str(tmp_path)))


def test_dossier_publishing_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=190)


def _dossier_case(server, data_dir: Path, seed) -> tuple[int, int]:
    """The demo case in the dossier's register (its ``case.created`` handled by the running
    server's consumer), assigned to the demo judge, with its parties and a complaint."""
    from dossier.db import session_factory
    from dossier.materials.store import Author, NewFile, add_material
    from dossier.models import DossierCase, DossierParty
    from dossier.publish.pdf import page_count, text_pdf
    from hearing_server.events import publish_case_created
    from hearing_server.models import Case, StaffUser
    from tingshen_platform.blobs import LocalBlobStore

    ctx = server.ctx
    with ctx.session_factory() as s:
        case = s.get(Case, seed.case_id)
        publish_case_created(s, case, at=ctx.clock())
        s.commit()
        number = case.case_number
        judge = s.scalars(select(StaffUser).where(StaffUser.username == "judge")).one()
    sessions = session_factory(ctx.engine)
    deadline = time.monotonic() + 20
    while True:  # the server's consumer polls every 0.5 s
        with sessions() as s:
            found = s.scalars(select(DossierCase).where(DossierCase.case_number == number)).first()
            if found is not None:
                break
        assert time.monotonic() < deadline, "the dossier never learnt of the demo case"
        time.sleep(0.1)
    pdf = text_pdf(
        "民事起诉状", [("原告", "张伟"), ("被告", "李娜")], "诉讼请求：判令被告归还借款五万元。"
    )
    with sessions() as s:
        case_row = s.get(DossierCase, found.id)
        assert case_row is not None
        case_row.judge_user_id, case_row.judge_name = judge.id, judge.display_name
        s.add_all([
            DossierParty(case_id=case_row.id, role="plaintiff", kind="person", name="张伟"),
            DossierParty(case_id=case_row.id, role="defendant", kind="person", name="李娜"),
        ])  # fmt: skip
        material = add_material(
            s, LocalBlobStore(data_dir / "dossier"), case=case_row, volume="main",
            material_type="complaint", title="民事起诉状", source="upload",
            new=NewFile("起诉状.pdf", "application/pdf", pdf, page_count=page_count(pdf)),
            author=Author(None, "陈晓"), at=ctx.clock(),
        )  # fmt: skip
        s.commit()
        return case_row.id, material.id


def test_judge_publishes_party_sees_then_not(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from hearing_server.demo import seed_demo

    assert_private_namespace()
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    data_dir = tmp_path / "data"
    shots = _shots(tmp_path)
    with live_server(data_dir, FakeStreams()) as server, sync_playwright() as pw:
        seed = seed_demo(server.ctx)
        case_id, material_id = _dossier_case(server, data_dir, seed)
        browser = launch_chromium(pw, wav)
        problems: list[str] = []

        def watch(page) -> None:
            page.on(
                "console",
                lambda m: (
                    problems.append(f"{m.text} @ {m.location}") if m.type == "error" else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "response",
                lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )

        try:
            judge = new_context(browser).new_page()
            watch(judge)
            judge.goto(
                f"{server.base_url}/login.html?next=/dossier/publish.html%3Fcase%3D{case_id}"
            )
            judge.fill("#username", "judge")
            judge.fill("#password", seed.new_passwords["judge"])
            judge.click("#submit")
            judge.wait_for_url("**/dossier/publish.html?case=*")
            expect(judge.locator("#hdr-case")).to_have_text("(2026)粤0104民初123号")
            judge.get_by_label("民事起诉状").check()
            judge.get_by_label("原告 张伟").check()
            judge.get_by_role("button", name="公开所选材料").click()
            expect(judge.locator("#done")).to_be_visible()
            seen = judge.locator(".dp-party").filter(has_text="原告 张伟")
            expect(seen).to_contain_text("民事起诉状")
            expect(seen).to_contain_text("审判员 王立明")
            expect(judge.locator(".dp-party").filter(has_text="被告 李娜")).to_contain_text(
                "尚未公开任何材料"
            )
            judge.screenshot(path=str(shots / "dossier-publish-zh.png"), full_page=True)

            party_context = new_context(browser)
            party = party_context.new_page()  # the room's own requests are not this test's
            party.goto(seed.join_links["原告"])
            party.click("#get-code")
            expect(party.locator("#sent")).to_be_visible()
            party.fill(
                "#code", server.sender.last_code_for(plaintiff_id(server.ctx, seed.hearing_id))
            )
            party.click("#enter")
            party.wait_for_url("**/room.html?h=*")
            party.close()
            party = party_context.new_page()  # the same party session, on the dossier's page
            watch(party)
            party.goto(f"{server.base_url}/dossier/my.html")
            item = party.locator(f'[data-material="{material_id}"]')
            expect(item).to_contain_text("民事起诉状", timeout=TIMEOUT_MS)
            expect(item).to_contain_text("1 页")
            expect(item.locator(".meta")).to_contain_text("公开于 ")
            # Who they are, by role and name, the case and the court; the way back to their record.
            expect(party.locator("#who")).to_have_text("原告 张伟")
            expect(party.locator("#hdr-case")).to_have_text("(2026)粤0104民初123号")
            facts = party.locator("#cases .dp-facts")
            expect(facts).to_contain_text("广州市越秀区人民法院")
            expect(facts.locator(".dp-you")).to_have_text("原告 张伟")
            back = party.get_by_role("link", name="返回笔录")
            expect(back).to_have_attribute("href", f"/sign/{seed.hearing_id}")
            href = item.get_by_role("link", name="下载 PDF").get_attribute("href")
            download = party.request.get(f"{server.base_url}{href}")
            assert download.status == 200 and download.body().startswith(b"%PDF")
            party.screenshot(path=str(shots / "dossier-my-zh.png"), full_page=True)

            seen.get_by_role("button", name="撤回").click()
            expect(seen.locator(".dp-withdrawn")).to_contain_text("民事起诉状")
            party.reload()
            expect(party.locator("#cases")).to_contain_text("法官尚未向您公开任何材料")
            assert party.request.get(f"{server.base_url}{href}").status == 404

            # The administrator's grants page and the judge's review page load and work.
            admin = new_context(browser).new_page()
            watch(admin)
            admin.goto(f"{server.base_url}/login.html?next=/dossier/grants.html%3Fcase%3D{case_id}")
            admin.fill("#username", "admin")
            admin.fill("#password", seed.new_passwords["admin"])
            admin.click("#submit")
            admin.wait_for_url("**/dossier/grants.html?case=*")
            admin.get_by_label("工作人员").select_option(label="书记员 陈晓")
            admin.get_by_label("用途").select_option("review")
            admin.get_by_role("button", name="授权").click()
            expect(admin.locator("#grants")).to_contain_text("书记员 陈晓")
            expect(admin.locator("#grants")).to_contain_text("评卷 · 合议庭")
            admin.screenshot(path=str(shots / "dossier-grants-zh.png"), full_page=True)

            judge.goto(f"{server.base_url}/dossier/review.html?material={material_id}")
            judge.get_by_label("意见").fill("诉讼请求金额与借条一致。")
            judge.get_by_label("页码（可选）").fill("1")
            judge.get_by_role("button", name="提交意见").click()
            expect(judge.locator(".dp-comment")).to_contain_text("诉讼请求金额与借条一致。")
            expect(judge.locator(".dp-comment")).to_contain_text("第 1 页")
            expect(judge.locator("#material")).to_have_text("民事起诉状")
            judge.screenshot(path=str(shots / "dossier-review-zh.png"), full_page=True)
            # The app serves no favicon (none of its pages names one): Chromium asks anyway.
            assert [p for p in problems if "/favicon.ico" not in p] == [], problems
        finally:
            browser.close()
