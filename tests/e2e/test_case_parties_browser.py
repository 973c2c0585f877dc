"""The dashboard invites a case's parties as themselves (issue 15), in headless Chromium: a case
filed in the dossier arrives by ``case.filed``; the clerk opens its hearing's participants,
chooses a party of the case (the choice fills in name, role, phone and e-mail), adds them, and
the participant is the party (``case_party_ref``). A case entered by hand shows no choice. No
console errors (the page runs under the strict CSP)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from court_events.dossier import CASE_FILED, CaseFiled, FiledParty
from hearing_server.demo import COURT_NAME, seed_demo
from hearing_server.filed_cases import filed_cases_consumer
from hearing_server.models import Case, Court, Participant, StaffUser
from hearing_server.scheduling import do_schedule_hearing
from tests.e2e.harness import (
    assert_private_namespace,
    launch_chromium,
    live_server,
    new_context,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.server.live_fakes import FakeStreams
from tingshen_platform.events import publish

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(120)]

NUMBER = "(2026)粤0104民初888号"


def test_case_parties_browser_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=110)


def _file_and_schedule(ctx) -> int:
    now = ctx.clock()
    with ctx.session_factory() as s:
        court_id = s.scalars(select(Court.id).where(Court.name == COURT_NAME)).one()
        clerk = s.scalars(select(StaffUser).where(StaffUser.username == "clerk")).one()
    filed = CaseFiled(
        dossier_case_id=1, court_id=court_id, court_name=COURT_NAME, case_number=NUMBER,
        cause_of_action="买卖合同纠纷", cause_code="9.84", procedure="simplified",
        claim_amount_fen=500_000, judge_user_id=None, clerk_user_id=None,
        filed_on=date(2026, 12, 1), filed_at=datetime(2026, 12, 1, 2, tzinfo=UTC),
        parties=[
            FiledParty(party_ref="p-1", role="plaintiff", kind="person", name="周杰",
                       phone="13900000001", email="zhou.jie@example.com"),
            FiledParty(party_ref="p-2", role="defendant", kind="organisation",
                       name="广州某某贸易有限公司", phone="13900000002"),
            FiledParty(party_ref="p-3", role="agent", kind="lawyer", name="吴律师",
                       phone="13900000003", represents_ref="p-1"),
        ],
    )  # fmt: skip
    with ctx.engine.begin() as connection:
        publish(connection, CASE_FILED, filed, occurred_at=now, stream="dossier:1")
    # The server's own consumer polls too: whichever handles the event, it is handled (and
    # committed) when this returns (the second one waits on the first one's mark).
    filed_cases_consumer(ctx).poll_once()
    with ctx.session_factory() as s:
        case_id = s.scalars(select(Case.id).where(Case.case_number == NUMBER)).one()
        hearing = do_schedule_hearing(
            s, ctx, staff=clerk, case_id=case_id, scheduled_at=now + timedelta(days=2),
            duration_minutes=60, place="第一法庭",
        )  # fmt: skip
        return hearing.id


def test_the_clerk_adds_a_party_of_the_case_from_the_choice(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert_private_namespace()
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    with live_server(tmp_path / "data", FakeStreams()) as server, sync_playwright() as pw:
        seed = seed_demo(server.ctx)
        hearing_id = _file_and_schedule(server.ctx)
        browser = launch_chromium(pw, wav)
        try:
            page = new_context(browser).new_page()
            problems: list[str] = []
            page.on(
                "console",
                lambda m: (
                    problems.append(f"{m.text} {m.location['url']}")
                    if m.type == "error" and not m.location["url"].endswith("/favicon.ico")
                    else None
                ),
            )  # the site has no icon: the browser's own request for one is no page's error
            page.on("pageerror", lambda e: problems.append(str(e)))
            failed: list[str] = []
            page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
            page.goto(f"{server.base_url}/login.html?next=/dashboard.html")
            page.fill("#username", "clerk")
            page.fill("#password", seed.new_passwords["clerk"])
            page.click("#submit")
            page.wait_for_url("**/dashboard.html")

            row = page.locator(f'[data-hearing="{hearing_id}"]')
            row.get_by_role("button", name="参加人").click()
            choice = row.locator("select[data-case-party]")
            expect(choice).to_be_visible()
            expect(choice.locator("option")).to_have_count(4)  # "by hand" and three parties
            expect(choice.locator("option").nth(3)).to_have_text(
                "诉讼代理人 吴律师（周杰的代理人）"
            )
            choice.select_option("p-1")
            expect(row.get_by_placeholder("姓名")).to_have_value("周杰")
            expect(row.get_by_placeholder("手机号")).to_have_value("13900000001")
            row.get_by_role("button", name="添加").click()
            added = row.locator('[data-case-party-ref="p-1"]')
            expect(added).to_have_text("以本案当事人身份参加")
            expect(choice).to_have_value("")  # the form is ready for the next one
            page.screenshot(path=str(tmp_path / "dashboard-case-parties.png"), full_page=True)

            demo_row = page.locator(f'[data-hearing="{seed.hearing_id}"]')
            demo_row.get_by_role("button", name="参加人").click()
            expect(demo_row.get_by_placeholder("姓名")).to_be_visible()
            expect(demo_row.locator("select[data-case-party]")).to_be_hidden()  # entered by hand
            assert problems == [] and failed == [], (problems, failed)
        finally:
            browser.close()
        with server.ctx.session_factory() as s:
            participant = s.scalars(
                select(Participant).where(Participant.hearing_id == hearing_id)
            ).one()
            assert (participant.display_name, participant.case_party_ref) == ("周杰", "p-1")
            assert participant.court_role.value == "plaintiff"
            assert participant.email == "zhou.jie@example.com"
