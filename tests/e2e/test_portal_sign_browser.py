# mypy: disallow-untyped-calls=False
"""A party signs the hearing record starting from the party portal, in Chromium (issue 17).

One real server process (uvicorn) with the portal loaded and the party-links key on both sides
(``TINGSHEN_PARTY_LINKS_KEY`` for the hearing server, ``TINGSHEN_PORTAL_HEARING_LINKS_KEY`` for
the portal). The demo hearing's case is filed in the dossier (``case.filed``, with the
plaintiff's ID number); the hearing is opened, gets three lines, is closed without the plaintiff
ever joining, and the judge freezes the record: the plaintiff's signature is pending. Then, in a
browser that never saw the hearing:

1. the plaintiff registers on the portal (the SMS code read from the local SMS provider's file)
   and sees, under 我的案件, 庭审, the hearing with its pending task 签署笔录 — the link the
   portal asked of the hearing server (``POST /api/service/party-links``);
2. a second tab keeps the portal open while, in the first, the plaintiff follows 签署笔录, asks
   for the one-time code, reads the frozen record and signs it;
3. the signature is recorded (the slot is ``signed``); the signing page offers the way back
   (返回诉讼服务平台: the portal's link carried ``?back=/portal/``; another site's address or a
   page outside the portal is never offered), which leads to the portal; both portal pages,
   reloaded, no longer offer 签署笔录 and say 已签署（time）; in English, "Signed (time)" and the
   case's parties by their English roles.

No page error, no console error, no failed request but the ones the portal expects (the signing
page asks who the caller is with ``GET /api/session`` and the recordings only when the hearing
was recorded, this one was not). Screenshots go to ``out/screenshots/portal-sign-*.png``. Runs
in a private network namespace.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from sqlalchemy import select

from court_events.dossier import CASE_FILED, CaseFiled, FiledParty
from hearing_server.demo import CASE_NUMBER, CAUSE, COURT_NAME, seed_demo
from hearing_server.models import Court, Participant, SignatureSlot
from portal.tables import PortalCase
from portal.verifier import LocalRegistryVerifier
from tests.e2e.harness import (
    REPO_ROOT,
    LiveServer,
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
from tests.e2e.test_portal_browser import LINKS_KEY, Watch
from tests.e2e.test_signing_flow import (
    LINES,
    _freeze_seeded_record,
    _sign,
)
from tests.server.live_fakes import FakeStreams
from tingshen_platform.events import publish

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(240)]
SCREENSHOTS = REPO_ROOT / "out" / "screenshots"
# The demo hearing's plaintiff (hearing_server.demo.PARTIES), as the dossier filed the case.
NAME, PHONE, ID_NUMBER = "张伟", "13800000001", "440104198506120034"
PASSWORD = "litigant password 2"
DOSSIER_CASE_ID = 123


def test_portal_sign_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=230)


def _file_the_demo_case(server: LiveServer) -> None:
    """``case.filed`` for the demo hearing's case, as the dossier publishes it; returns once the
    portal has taken it (its consumer polls every 0.2 s)."""
    ctx = server.ctx
    with ctx.session_factory() as session:
        court_id = session.scalars(select(Court.id).where(Court.name == COURT_NAME)).one()
    filed = CaseFiled(
        dossier_case_id=DOSSIER_CASE_ID, court_id=court_id, court_name=COURT_NAME,
        case_number=CASE_NUMBER, cause_of_action=CAUSE, cause_code="C103-3",
        procedure="simplified", claim_amount_fen=None, judge_user_id=None, clerk_user_id=None,
        filed_on=ctx.clock().date(), filed_at=ctx.clock(),
        parties=[FiledParty(party_ref="p-1", role="plaintiff", kind="person", name=NAME,
                            phone=PHONE, id_number=ID_NUMBER),
                 FiledParty(party_ref="p-2", role="defendant", kind="person", name="李娜")],
    )  # fmt: skip
    with ctx.engine.begin() as connection:
        publish(connection, CASE_FILED, filed, occurred_at=ctx.clock())
    deadline = time.monotonic() + 30
    with ctx.engine.connect() as connection:
        while connection.execute(
            select(PortalCase.case_number).where(PortalCase.dossier_case_id == DOSSIER_CASE_ID)
        ).first() is None:  # fmt: skip
            assert time.monotonic() < deadline, "the portal never took the filed case"
            connection.rollback()
            time.sleep(0.2)  # the portal's consumer enters it: the condition is above


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"portal-sign-{name}.png"), full_page=True)


def _slot_status(server: LiveServer, hid: int, pid: int) -> str:
    with server.ctx.session_factory() as session:
        return session.scalars(
            select(SignatureSlot.status).where(
                SignatureSlot.hearing_id == hid, SignatureSlot.key == f"participant-{pid}"
            )
        ).one()


def test_a_party_signs_the_record_from_the_portal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not inside_namespace():
        pytest.skip("runs only inside a private network namespace (see the runner)")
    assert_private_namespace()
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("TINGSHEN_SIDE_SERVICES", '["portal"]')
    monkeypatch.setenv("TINGSHEN_PORTAL_CONSUMER_POLL_S", "0.2")
    monkeypatch.setenv("TINGSHEN_PARTY_LINKS_KEY", LINKS_KEY)  # the hearing server's
    monkeypatch.setenv("TINGSHEN_PORTAL_HEARING_LINKS_KEY", LINKS_KEY)  # the portal's
    data_dir = tmp_path / "data"
    sms_file = data_dir / "sms" / "messages.jsonl"
    LocalRegistryVerifier(data_dir / "portal" / "identity-registry.json").enrol(NAME, ID_NUMBER)
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    with live_server(data_dir, FakeStreams()) as server:
        seed = seed_demo(server.ctx)
        hid = seed.hearing_id
        pid = plaintiff_id(server.ctx, hid)
        with server.ctx.session_factory() as session:
            plaintiff = session.get(Participant, pid)
            assert plaintiff is not None and plaintiff.display_name == NAME
            assert plaintiff.phone == PHONE
        _file_the_demo_case(server)
        _freeze_seeded_record(server, seed, hid)
        assert _slot_status(server, hid, pid) == "pending"
        watch = Watch()

        base = server.base_url
        with sync_playwright() as pw:
            browser = launch_chromium(pw, wav)
            try:
                context = new_context(browser)  # a browser that never saw the hearing
                party = watch.attach(context.new_page())
                # 1. Registration on the portal; the hearing and its pending signing task.
                party.goto(f"{base}/portal/")
                party.click("#tab-register")
                form = party.locator("#register-form")
                form.locator("[name=name]").fill(NAME)
                form.locator("[name=id_number]").fill(ID_NUMBER)
                form.locator("[name=phone]").fill(PHONE)
                form.locator("#get-code").click()
                code = _sms_code(sms_file)
                form.locator("[name=code]").fill(code)
                form.locator("[name=password]").fill(PASSWORD)
                form.locator("button[type=submit]").click()
                expect(party.locator("#welcome")).to_contain_text(NAME)
                expect(party.locator("#cases")).to_contain_text(CASE_NUMBER)
                hearing = party.locator(f"#hearings tr[data-hearing='{CASE_NUMBER}']")
                expect(hearing).to_contain_text("原告")
                expect(hearing.locator(".state")).to_have_text("笔录待您签署")
                task = hearing.get_by_role("link", name="签署笔录")
                expect(task).to_have_attribute(
                    "href", re.compile(rf"^{re.escape(base)}/sign/[^?]+\?back=%2Fportal%2F$")
                )
                expect(hearing.get_by_role("link", name="进入庭审")).to_have_count(0)  # closed
                _shot(party, "home")
                # 2. A second tab keeps the portal open; the first follows 签署笔录.
                other = watch.attach(context.new_page())
                other.goto(f"{base}/portal/")
                expect(
                    other.locator("#hearings").get_by_role("link", name="签署笔录")
                ).to_be_visible()
                task.click()
                expect(party.locator("h1")).to_have_text("阅读并签署庭审笔录")
                expect(party.locator("#f-you")).to_have_text(f"原告 {NAME}")
                expect(party.locator("#intro")).to_contain_text("庭审已结束")
                _shot(party, "link")
                party.click("#get-code")
                expect(party.locator("#sent")).to_contain_text("验证码已发送至")
                party.fill("#code", server.sender.last_code_for(pid))
                party.click("#enter")
                party.wait_for_url(re.compile(rf"/sign/{hid}\?back=%2Fportal%2F$"))
                rows = party.locator("#review .seg[data-id]")
                expect(rows).to_have_count(len(LINES))
                expect(rows.nth(1)).to_contain_text(f"原告 {NAME}")
                expect(rows.nth(1)).to_contain_text(LINES[1][1])
                _shot(party, "record")
                _sign(party)
                expect(party.locator('#slots [data-slot^="participant-"].signed')).to_have_count(1)
                _shot(party, "signed")
                # 3. Recorded; the way back; the portal, reloaded in both tabs, says 已签署.
                assert _slot_status(server, hid, pid) == "signed"
                back = party.get_by_role("link", name="返回诉讼服务平台")
                expect(back).to_have_attribute("href", "/portal/")
                for elsewhere in ("https://evil.example/portal/", "//evil.example/portal/",
                                  "/portal/../dashboard.html", "/dashboard.html"):  # fmt: skip
                    party.goto(f"{base}/sign/{hid}?back={quote(elsewhere, safe='')}")
                    expect(
                        party.locator('#slots [data-slot^="participant-"].signed')
                    ).to_have_count(1)
                    expect(party.locator("#back-portal")).to_have_count(0)
                party.goto(f"{base}/sign/{hid}?back=%2Fportal%2F")
                party.get_by_role("link", name="返回诉讼服务平台").click()
                party.wait_for_url(f"{base}/portal/")
                other.reload()
                signed = re.compile(r"^已签署（\d{4}.+\d{2}:\d{2}）$")
                for page in (party, other):
                    row = page.locator(f"#hearings tr[data-hearing='{CASE_NUMBER}']")
                    expect(row).to_contain_text("原告")
                    expect(row.get_by_role("link", name="签署笔录")).to_have_count(0)
                    expect(row.locator(".state")).to_have_text(signed)
                _shot(other, "after")
                other.click("#lang-switch")
                expect(other.locator("#hearings .state")).to_have_text(
                    re.compile(r"^Signed \(.+\)$")
                )
                parties = other.locator("#cases td").last
                expect(parties).to_have_text(f"Plaintiff {NAME}; Defendant 李娜")
                _shot(other, "after-en")
            finally:
                print("page problems:", watch.problems)
                browser.close()
    assert watch.problems == [], watch.problems


def _sms_code(sms_file: Path) -> str:
    """The portal's registration code to PHONE, read from the local SMS provider's file."""
    deadline = time.monotonic() + 30
    while True:
        lines = sms_file.read_text("utf-8").splitlines() if sms_file.exists() else []
        for line in lines:
            message = json.loads(line)
            found = re.search(r"验证码(\d{6})", message["text"])
            if message["to"] == PHONE and found:
                return found.group(1)
        assert time.monotonic() < deadline, f"no code to {PHONE} in {lines}"
        time.sleep(0.2)  # the server appends to the file: the condition is above
