# mypy: disallow-untyped-calls=False
"""The party portal in Chromium (issue 17, the portal part), in a private network namespace: the
real app (uvicorn) with the portal loaded; a case filed (``case.filed``, with the parties' ID
numbers) and a judgment served on the plaintiff (``delivery.document_served``, the PDF in the
host's exchange store), published as the dossier and the delivery service publish them. Then,
each person in a browser of their own:

1. the plaintiff looks the document up on the public page (case number, name, ID number);
2. opens the link of the service SMS, registers under the real name (the SMS code read from
   ``<data dir>/sms/messages.jsonl``), sees the judgment marked in 我的文书, reads it (``portal.document_opened``), signs for it (签收);
3. applies for online file review; the clerk approves it on /portal/staff.html; the plaintiff
   reads the watermarked pages;
4. logs out and in again: password, then SMS code.

No page error, no console error, no failed request but the ones a page expects. Screenshots go
to ``out/screenshots/portal-*.png`` (Chinese and English).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from court_events.delivery import DOCUMENT_OPENED, DOCUMENT_SERVED, DocumentServed
from court_events.dossier import CASE_FILED, CaseFiled, FiledParty
from hearing_server.demo import COURT_NAME, seed_demo
from hearing_server.models import Court
from portal.verifier import LocalRegistryVerifier
from tests.e2e.harness import (
    REPO_ROOT,
    assert_private_namespace,
    inside_namespace,
    launch_chromium,
    live_server,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.server.live_fakes import FakeStreams
from tingshen_platform.blobs import LocalBlobStore
from tingshen_platform.events import publish
from tingshen_platform.schema import events as events_table

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page, Response

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(240)]
SCREENSHOTS = REPO_ROOT / "out" / "screenshots"
NAME, ID_NUMBER, PHONE = "陈明", "11010519491231002X", "13800000011"
PASSWORD = "litigant password 1"
NUMBER = "（2026）粤0104民初801号"
TITLE = "民事判决书"
EARLIER, EARLIER_COUNT, OTHER_NUMBER = "开庭传票", 55, "（2026）粤0104民初802号"
LINKS_KEY = "the e2e party-links key, long enough: 0123456789"


def test_portal_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=230, passed=2)


class Watch:
    """Page errors, console errors and failed requests (but the refusals a page expects)."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def attach(self, page: Page) -> Page:
        page.on("pageerror", lambda exc: self.problems.append(f"pageerror {exc}"))

        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self._console(message.text, message.location.get("url", ""))

        def response(answer: Response) -> None:
            if answer.status >= 400:
                self._failed(answer.status, answer.url)

        page.on("console", console)
        page.on("response", response)
        return page

    def _console(self, text: str, url: str) -> None:
        # The app serves no favicon (Chromium asks anyway); the portal asks /api/portal/home
        # before anyone has logged in (a 401 it expects). Failed requests are counted below.
        if not url.endswith(("/favicon.ico", "/api/portal/home")):
            self.problems.append(f"console {text} ({url})")

    def _failed(self, status: int, url: str) -> None:
        if status == 401 and url.endswith("/api/portal/home"):
            return
        self.problems.append(f"{status} {url}")


def _pdf() -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for n in (1, 2):
        canvas.drawString(72, 760, f"Judgment page {n}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _sms_code(sms_file: Path, after: int) -> tuple[str, int]:
    deadline = time.monotonic() + 30
    while True:
        lines = sms_file.read_text("utf-8").splitlines() if sms_file.exists() else []
        for n, line in enumerate(lines[after:], start=after):
            message = json.loads(line)
            found = re.search(r"验证码(\d{6})", message["text"])
            if message["to"] == PHONE and found:
                return found.group(1), n + 1
        assert time.monotonic() < deadline, f"no code in {lines[after:]}"
        time.sleep(0.2)  # the server appends to the file: the condition is above


def _publish_case_and_judgment(server, data_dir: Path) -> None:
    ctx = server.ctx
    with ctx.session_factory() as session:
        court_id = session.scalars(select(Court.id).where(Court.name == COURT_NAME)).one()
    data = _pdf()
    LocalBlobStore(data_dir / "documents").put("delivery/e2e-1.pdf", data)
    filed = CaseFiled(
        dossier_case_id=801, court_id=court_id, court_name=COURT_NAME, case_number=NUMBER,
        cause_of_action="民间借贷纠纷", cause_code="C103-3", procedure="simplified",
        claim_amount_fen=None, judge_user_id=None, clerk_user_id=None,
        filed_on=ctx.clock().date(), filed_at=ctx.clock(),
        parties=[FiledParty(party_ref="p-1", role="plaintiff", kind="person", name=NAME,
                            phone=PHONE, id_number=ID_NUMBER),
                 FiledParty(party_ref="p-2", role="defendant", kind="person", name="李华")],
    )  # fmt: skip
    served = DocumentServed(
        service_id=9001, dossier_case_id=801, court_id=court_id, case_number=NUMBER,
        document_title=TITLE, document_kind="judgment", blob_key="delivery/e2e-1.pdf",
        sha256=hashlib.sha256(data).hexdigest(), media_type="application/pdf",
        size_bytes=len(data), recipient_party_ref="p-1", recipient_name=NAME,
        recipient_id_number=ID_NUMBER, channels=["sms"], sent_at=ctx.clock(),
    )  # fmt: skip
    # Earlier notices of another case of the party (lower ids, so older in the list): 我的文书
    # shows the first 50 and a "加载更多" button for the rest (portal/paging.py).
    other = filed.model_copy(update={"dossier_case_id": 802, "case_number": OTHER_NUMBER})
    earlier = [
        served.model_copy(update={"service_id": 9100 + n, "document_title": f"{EARLIER}{n}",
                                  "document_kind": "notice", "dossier_case_id": 802,
                                  "case_number": OTHER_NUMBER})
        for n in range(EARLIER_COUNT)
    ]  # fmt: skip
    with ctx.engine.begin() as connection:
        publish(connection, CASE_FILED, filed, occurred_at=ctx.clock())
        publish(connection, CASE_FILED, other, occurred_at=ctx.clock())
        for notice in earlier:
            publish(connection, DOCUMENT_SERVED, notice, occurred_at=ctx.clock())
        publish(connection, DOCUMENT_SERVED, served, occurred_at=ctx.clock())


def _hearing_with_the_plaintiff(server) -> str:
    """The hearing server's case of NUMBER (entered from ``case.filed``), a hearing of it with
    the plaintiff as a participant and the clerk's invitation: the join link."""
    from hearing_server.audit import Actor
    from hearing_server.invitations import do_create_invitation, join_url
    from hearing_server.models import Case, CourtRole, Hearing, HearingStatus, Participant

    ctx, deadline = server.ctx, time.monotonic() + 30
    with ctx.session_factory() as session:
        while (
            case := session.scalars(select(Case).where(Case.case_number == NUMBER)).first()
        ) is None:
            assert time.monotonic() < deadline, "the hearing server never entered the case"
            time.sleep(0.2)  # the server's consumer enters it: the condition is above
            session.rollback()
        hearing = Hearing(case_id=case.id, scheduled_at=ctx.clock() + timedelta(days=3),
                          duration_minutes=60, place="第三法庭", status=HearingStatus.SCHEDULED)  # fmt: skip
        session.add(hearing)
        session.flush()
        plaintiff = Participant(hearing_id=hearing.id, display_name=NAME, phone=PHONE,
                                court_role=CourtRole.PLAINTIFF, case_party_ref="p-1")  # fmt: skip
        session.add(plaintiff)
        session.commit()
        _, token = do_create_invitation(session, ctx, actor=Actor.system(), participant=plaintiff)
    return join_url(ctx, token)


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"portal-{name}.png"), full_page=True)


def test_register_read_sign_and_review(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not inside_namespace():
        pytest.skip("runs only inside a private network namespace (see the runner)")
    assert_private_namespace()
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("TINGSHEN_SIDE_SERVICES", '["portal"]')
    monkeypatch.setenv("TINGSHEN_PORTAL_CONSUMER_POLL_S", "0.2")
    data_dir = tmp_path / "data"
    sms_file = data_dir / "sms" / "messages.jsonl"
    LocalRegistryVerifier(data_dir / "portal" / "identity-registry.json").enrol(NAME, ID_NUMBER)
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    watch = Watch()
    with live_server(data_dir, FakeStreams()) as server, sync_playwright() as pw:
        seed = seed_demo(server.ctx)
        _publish_case_and_judgment(server, data_dir)
        browser = launch_chromium(pw, wav)
        base = server.base_url
        try:
            party = watch.attach(browser.new_context(locale="zh-CN").new_page())
            # 1. The public look-up.
            party.goto(f"{base}/portal/lookup.html")
            party.fill("[name=case_number]", NUMBER)
            party.fill("[name=name]", NAME)
            party.fill("[name=id_number]", ID_NUMBER)
            party.click("button[type=submit]")
            expect(party.locator("#result li")).to_contain_text(TITLE)
            _shot(party, "lookup")
            # 2. Registration, the document, reading and signing.
            party.goto(f"{base}/portal/?served=9001")  # the link of the service SMS
            party.click("#tab-register")
            form = party.locator("#register-form")
            form.locator("[name=name]").fill(NAME)
            form.locator("[name=id_number]").fill(ID_NUMBER)
            form.locator("[name=phone]").fill(PHONE)
            form.locator("#get-code").click()
            code, seen = _sms_code(sms_file, 0)
            form.locator("[name=code]").fill(code)
            form.locator("[name=password]").fill(PASSWORD)
            _shot(party, "register")
            form.locator("button[type=submit]").click()
            row = party.locator(f"tr[data-document='{TITLE}']")
            expect(row).to_contain_text("未阅读")
            expect(row).to_have_class(re.compile("served-now"))
            with party.context.expect_page() as opened:
                row.get_by_text("阅读", exact=True).click()
            opened.value.close()
            expect(row).to_contain_text("已阅读")
            row.get_by_text("签收", exact=True).click()
            expect(row).to_contain_text("已签收")
            documents = party.locator("#documents tr[data-document]")
            expect(documents).to_have_count(50)
            party.click("#documents button.more")
            expect(documents).to_have_count(EARLIER_COUNT + 1)
            expect(party.locator("#documents button.more")).to_be_hidden()
            expect(documents.last).to_contain_text(f"{EARLIER}0")
            _shot(party, "home")
            # 3. File review: asked, approved by the clerk, read.
            party.select_option("#review-case", label=NUMBER)
            party.fill("#review-form [name=reason]", "准备上诉，查阅判决")
            party.click("#review-form button[type=submit]")
            expect(party.locator("#reviews")).to_contain_text("待审批")
            clerk = watch.attach(browser.new_context(locale="zh-CN").new_page())
            clerk.goto(f"{base}/login.html")
            clerk.fill("#username", "clerk")
            clerk.fill("#password", seed.new_passwords["clerk"])
            clerk.click("#submit")
            clerk.wait_for_url("**/dashboard.html")
            clerk.goto(f"{base}/portal/staff.html")
            expect(clerk.locator("#reviews")).to_contain_text(NAME)
            _shot(clerk, "staff")
            clerk.get_by_role("button", name="批准", exact=True).click()
            expect(clerk.locator("#reviews")).to_contain_text("已批准")
            party.reload()
            party.get_by_role("link", name="进入阅卷").click()
            pages = party.locator(".pages img")
            expect(pages).to_have_count(2)
            party.wait_for_function(
                "() => [...document.querySelectorAll('.pages img')]"
                ".every((img) => img.complete && img.naturalWidth > 0)"
            )
            _shot(party, "read")
            # 4. Out, and in again: password, then the SMS code.
            party.goto(f"{base}/portal/")
            party.click("#logout")
            party.fill("#login-form [name=id_number]", ID_NUMBER)
            party.fill("#login-form [name=password]", PASSWORD)
            party.click("#login-form button[type=submit]")
            code, seen = _sms_code(sms_file, seen)
            party.fill("#code-form [name=code]", code)
            party.click("#code-form button[type=submit]")
            expect(party.locator("#welcome")).to_contain_text(NAME)
            party.click("#lang-switch")
            expect(party.locator("#welcome")).to_contain_text("Welcome")
            _shot(party, "home-en")
        finally:
            print("page problems:", watch.problems)
            browser.close()
        with server.ctx.engine.connect() as connection:
            actions = connection.execute(
                select(events_table.c.payload).where(events_table.c.type == DOCUMENT_OPENED.name)
            ).scalars().all()  # fmt: skip
    assert [(a["service_id"], a["action"], a["name"]) for a in actions] == [
        (9001, "opened", NAME), (9001, "signed", NAME)
    ]  # fmt: skip
    assert watch.problems == [], watch.problems


def test_passkey_added_and_used_to_sign_in_through_the_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A party registered through the API adds a passkey on the portal's page (添加通行密钥) in
    Chromium with a CDP virtual authenticator (internal, resident keys, user verified):
    Chromium's own WebAuthn, its parsing of the server's options and its ``toJSON``, checked by
    the server (py_webauthn). The same passkey again is refused (excluded). Logged out, the
    party signs in with it on the login page (用通行密钥登录), without password or SMS code, and
    sees 我的案件 with the case. The page is opened as ``http://localhost:<port>`` (WebAuthn
    refuses an IP address as the relying party; localhost is a secure context), the relying
    party ``localhost``; the site's Permissions-Policy allows ``publickey-credentials-get`` for
    itself."""
    if not inside_namespace():
        pytest.skip("runs only inside a private network namespace (see the runner)")
    assert_private_namespace()
    import httpx
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("TINGSHEN_SIDE_SERVICES", '["portal"]')
    monkeypatch.setenv("TINGSHEN_PORTAL_CONSUMER_POLL_S", "0.2")
    monkeypatch.setenv("TINGSHEN_PORTAL_PASSKEY_RP_ID", "localhost")
    monkeypatch.setenv("TINGSHEN_PARTY_LINKS_KEY", LINKS_KEY)  # the hearing server's
    monkeypatch.setenv("TINGSHEN_PORTAL_HEARING_LINKS_KEY", LINKS_KEY)  # the portal's
    data_dir = tmp_path / "data"
    LocalRegistryVerifier(data_dir / "portal" / "identity-registry.json").enrol(NAME, ID_NUMBER)
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    watch = Watch()
    with live_server(data_dir, FakeStreams()) as server, sync_playwright() as pw:
        seed_demo(server.ctx)
        _publish_case_and_judgment(server, data_dir)
        join = _hearing_with_the_plaintiff(server)
        origin = server.base_url.replace("127.0.0.1", "localhost")
        with httpx.Client(base_url=server.base_url, headers={"Origin": server.base_url}) as api:
            assert api.post("/api/portal/register/code", json={"phone": PHONE}).status_code == 202
            code, _ = _sms_code(data_dir / "sms" / "messages.jsonl", 0)
            registered = api.post("/api/portal/register", json={
                "name": NAME, "id_number": ID_NUMBER, "phone": PHONE, "code": code,
                "password": PASSWORD})  # fmt: skip
            assert registered.status_code == 201, registered.text
            token = api.cookies["tingshen_portal"]
        browser = launch_chromium(pw, wav)
        try:
            context = browser.new_context(locale="zh-CN")
            context.add_cookies([{"name": "tingshen_portal", "value": token, "url": origin}])
            page = watch.attach(context.new_page())
            page.goto(f"{origin}/portal/")
            cdp = context.new_cdp_session(page)
            cdp.send("WebAuthn.enable")
            added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
                "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                "hasUserVerification": True, "isUserVerified": True,
                "automaticPresenceSimulation": True}})  # fmt: skip
            expect(page.locator("#passkeys")).to_contain_text("尚未添加通行密钥")
            page.get_by_role("button", name="添加通行密钥").click()
            expect(page.locator("#passkeys tr[data-passkey]")).to_have_count(1)
            expect(page.locator("#page-error")).to_contain_text("通行密钥已添加")
            [stored] = cdp.send(
                "WebAuthn.getCredentials", {"authenticatorId": added["authenticatorId"]}
            )["credentials"]
            assert stored["isResidentCredential"] is True and stored["rpId"] == "localhost"
            page.get_by_role("button", name="添加通行密钥").click()  # excluded now
            expect(page.locator("#page-error")).to_contain_text("该通行密钥已添加")
            expect(page.locator("#passkeys tr[data-passkey]")).to_have_count(1)
            _shot(page, "passkeys")
            page.click("#logout")
            expect(page.locator("#login-form")).to_be_visible()
            _shot(page, "login-passkey")
            page.get_by_role("button", name="用通行密钥登录").click()
            expect(page.locator("#welcome")).to_contain_text(NAME)
            expect(page.locator("#cases")).to_contain_text(NUMBER)
            # The hearing's join link, from the hearing server, in 我的案件.
            enter = page.locator("#hearings").get_by_role("link", name="进入庭审")
            expect(enter).to_have_attribute("href", join)
            expect(page.locator("#hearings")).not_to_contain_text("签署笔录")
            _shot(page, "hearings")
            expect(page.locator("#passkeys tr[data-passkey]")).not_to_contain_text("尚未使用")
            page.click("#lang-switch")
            expect(page.get_by_role("button", name="Add a passkey")).to_be_visible()
            expect(page.locator("#hearings")).to_contain_text("Join the hearing")
            _shot(page, "passkeys-en")
            page.click("#logout")
            expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_visible()
        finally:
            print("page problems:", watch.problems)
            browser.close()
    assert watch.problems == [], watch.problems
