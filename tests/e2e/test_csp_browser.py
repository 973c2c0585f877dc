# mypy: disallow-untyped-calls=False
"""Every page works under the Content-Security-Policy, and a framed signing page does not render
(issue 14, "Headers"). Headless Chromium in a private network namespace, one server, one browser.

The walk, each page as the person who uses it: the clerk logs in (login) and opens the hearing
(dashboard); the judge enters the room and opens it to the public (room, broadcast panel); the
plaintiff follows the invitation link, gets the code and enters (join, room: the judge's tile);
an observer watches (watch: hls.js plays the broadcast through MediaSource and its worker); the
clerk reads the transcript the judge's voice made (editor); the hearing is closed and frozen, the
plaintiff follows the signing link from the SMS, gets the code and signs (sign-link, sign: the
signature pad); the judge opens the signing page; anyone checks the record's PDF (verify).

Every context reports each ``securitypolicyviolation`` event (a listener added with
``add_init_script``, before any page script runs) and every console message and uncaught page
error: no violation, no console message about the policy, no page error. The only console
errors allowed are Chromium's notes of answers the pages expect to be refused (a 4xx); no
warning about a header either (an unrecognised ``Permissions-Policy`` feature, say).

Then a page on another loopback origin (127.0.0.2) frames the signing link: the frame stays
empty and Chromium reports the ``frame-ancestors`` refusal, while a frame of that page's own
origin, on the same page, renders.
"""

from __future__ import annotations

import http.server
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from hearing_server.demo import DemoSeed, seed_demo
from tests.e2e.harness import (
    TIMEOUT_MS,
    LiveServer,
    assert_private_namespace,
    inside_namespace,
    live_server,
    plaintiff_id,
    run_module_in_namespace,
)
from tests.e2e.test_room import SpeakingStreams, _chromium, _tone_wav
from tests.e2e.test_sign_link_browser import _sms_link
from tests.e2e.test_signing_flow import _login_api, _sign

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(240)]

VIOLATION_PROBE_JS = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation(JSON.stringify({
    page: location.href, directive: e.effectiveDirective, blocked: e.blockedURI,
    source: e.sourceFile, line: e.lineNumber, sample: e.sample,
  }));
}, true);
"""
#: Chromium's console note of an answer the page asked for and handles (a 401 before login…).
EXPECTED_REFUSAL = "Failed to load resource: the server responded with a status of 4"


def test_csp_in_private_network_namespace() -> None:
    if inside_namespace():
        pytest.skip("already inside the private network namespace")
    run_module_in_namespace(__file__, timeout_s=230, passed=1)


@dataclass
class Watch:
    """What every context of the walk reported."""

    violations: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def context(self, browser: Any) -> Any:
        context = browser.new_context(viewport={"width": 1366, "height": 820}, locale="zh-CN")
        context.expose_function("__cspViolation", self._violation)
        context.add_init_script(VIOLATION_PROBE_JS)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.page_errors.append(str(error.error)))
        return context

    def _violation(self, report: str) -> None:
        self.violations.append(report)

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.console.append(f"{message.type}: {message.text} @ {message.location}")

    def assert_clean(self) -> None:
        assert self.violations == []
        assert self.page_errors == []
        headers = ("Content Security Policy", "Refused", "Permissions-Policy")  # also warnings
        policy = [m for m in self.console if any(word in m for word in headers)]
        assert policy == []
        errors = [m for m in self.console if m.startswith("error:") and EXPECTED_REFUSAL not in m]
        assert errors == []


@contextmanager
def other_origin(target: str) -> Iterator[str]:
    """A page on 127.0.0.2 that frames ``target`` and, as a control, a page of its own origin."""
    page = (
        "<!doctype html><title>other site</title>"
        f'<iframe id="victim" src="{target}" width="800" height="400"></iframe>'
        '<iframe id="control" src="/control.html" width="200" height="100"></iframe>'
    ).encode()
    control = b"<!doctype html><title>control</title><h1 id='control-text'>own page</h1>"

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = control if self.path == "/control.html" else page
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.2", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.2:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _login(page: Any, base: str, seed: DemoSeed, who: str, start: str) -> None:
    page.goto(f"{base}/login.html?next={start}")
    page.fill("#username", who)
    page.fill("#password", seed.new_passwords[who])
    page.click("#submit")


def test_every_page_works_under_the_policy_and_the_signing_page_cannot_be_framed(
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert_private_namespace()
    watch = Watch()
    data_dir = tmp_path / "data"
    with live_server(data_dir, SpeakingStreams()) as server, sync_playwright() as pw:
        seed = seed_demo(server.ctx)
        base, hid = server.base_url, seed.hearing_id
        pid = plaintiff_id(server.ctx, hid)
        browser = _chromium(pw, _tone_wav(tmp_path / "tone.wav"))
        try:
            started = time.monotonic()
            # login → dashboard (the clerk opens the hearing)
            clerk = watch.context(browser).new_page()
            _login(clerk, base, seed, "clerk", "/dashboard.html")
            clerk.wait_for_url("**/dashboard.html")
            row = clerk.locator(f'[data-hearing="{hid}"]')
            row.get_by_role("button", name="开庭").click()
            expect(row.get_by_text("庭审中")).to_be_visible()

            # room (judge), the broadcast opened to the public
            judge = watch.context(browser).new_page()
            _login(judge, base, seed, "judge", f"/room.html%3Fh%3D{hid}")
            judge.wait_for_url("**/room.html?h=*")
            expect(judge.locator("#conn")).to_have_text("已连接", timeout=TIMEOUT_MS)
            panel = judge.locator("#broadcast-panel")
            panel.locator("#bc-delay").fill("2")
            panel.locator("#bc-toggle").click()
            expect(panel.locator("#bc-toggle")).to_have_text("停止公开")
            watch_url = panel.locator("#bc-link").get_attribute("href")
            assert watch_url is not None and "/watch/" in watch_url

            # join → room (the plaintiff, through the invitation link)
            party = watch.context(browser).new_page()
            party.goto(seed.join_links["原告"])
            expect(party.locator("#f-you")).to_have_text("原告 张伟")
            party.click("#get-code")
            expect(party.locator("#sent")).to_be_visible()
            party.fill("#code", server.sender.last_code_for(pid))
            party.click("#enter")
            party.wait_for_url("**/room.html?h=*")
            expect(party.locator("#conn")).to_have_text("已连接", timeout=TIMEOUT_MS)
            expect(party.locator('.tile[data-speaker="staff-1"]')).to_be_visible()
            expect(judge.locator(f'.tile[data-speaker="participant-{pid}"]')).to_be_visible(
                timeout=TIMEOUT_MS
            )

            # watch (an observer): hls.js plays the broadcast
            observer = watch.context(browser).new_page()
            observer.goto(watch_url)
            observer.wait_for_function(
                "() => document.getElementById('watch-video').currentTime > 1",
                timeout=TIMEOUT_MS * 2,
            )
            src = observer.evaluate("document.getElementById('watch-video').src")
            assert src.startswith("blob:")  # MediaSource, allowed by media-src blob:

            # editor (the clerk): the transcript the judge's voice made, and who is editing
            clerk.goto(f"{base}/transcript/{hid}")
            expect(clerk.locator(".seg[data-id] textarea").first).to_have_value(
                re.compile("本庭现在开庭"), timeout=TIMEOUT_MS
            )
            expect(clerk.locator("#editors li .dot").first).to_be_visible(timeout=TIMEOUT_MS)
            colour = clerk.locator("#editors li .dot").first.evaluate(
                "(dot) => getComputedStyle(dot).backgroundColor"
            )
            assert colour not in ("", "rgba(0, 0, 0, 0)")  # set through the CSSOM, not refused

            _close_and_freeze(server, seed, hid, judge)
            defendant, phone = _defendant(server, hid)
            link = _sms_link(data_dir / "sms" / "messages.jsonl", phone)

            # sign-link → sign (the defendant, who never joined, through the SMS link)
            signer = watch.context(browser).new_page()
            signer.goto(link)
            expect(signer.locator("#f-you")).to_have_text("被告 李娜", timeout=TIMEOUT_MS)
            signer.click("#get-code")
            expect(signer.locator("#sent")).to_be_visible()
            signer.fill("#code", server.sender.last_code_for(defendant))
            signer.click("#enter")
            signer.wait_for_url(f"**/sign/{hid}", timeout=TIMEOUT_MS)
            _sign(signer)

            # sign (the judge): the record and its signatures so far
            judge.goto(f"{base}/sign/{hid}")
            expect(judge.locator("#state-text")).to_have_attribute(
                "data-state", "signing", timeout=TIMEOUT_MS
            )
            expect(judge.locator('#slots [data-slot^="participant-"].signed')).to_have_count(1)

            # verify (anyone): the record's PDF as it stands, checked by the page
            pdf = tmp_path / "record.pdf"
            document = judge.context.request.get(f"{base}/api/hearings/{hid}/closing/document.pdf")
            assert document.ok
            pdf.write_bytes(document.body())
            checker = watch.context(browser).new_page()
            checker.goto(f"{base}/verify")
            checker.set_input_files("#file", str(pdf))
            expect(checker.locator("#verdict-word")).not_to_be_empty(timeout=TIMEOUT_MS)
            expect(checker.locator(".vf-sig").first).to_be_visible()
            walked_s = time.monotonic() - started

            watch.assert_clean()
            print(f"walk: {walked_s:.1f} s; console notes: {watch.console}")
            _framed_signing_page_does_not_render(browser, link)
        finally:
            browser.close()


def _defendant(server: LiveServer, hid: int) -> tuple[int, str]:
    """The defendant's id and phone (the plaintiff's phone has just had its code: the defendant,
    who never joined, gets the signing link's code at once)."""
    from sqlalchemy import select

    from hearing_server.models import CourtRole, Participant

    with server.ctx.session_factory() as session:
        party = session.scalars(
            select(Participant).where(
                Participant.hearing_id == hid, Participant.court_role == CourtRole.DEFENDANT
            )
        ).one()
        assert party.phone is not None
        return party.id, party.phone


def _close_and_freeze(server: LiveServer, seed: DemoSeed, hid: int, judge: Any) -> None:
    """The hearing ends (the clerk closes it, the judge freezes the record) through the API: the
    pages that do it are not under test here."""
    judge.goto(f"{server.base_url}/dashboard.html")  # leave the room before it closes
    with httpx.Client(base_url=server.base_url, timeout=30) as clerk:
        _login_api(clerk, "clerk", seed)
        assert clerk.post(f"/api/hearings/{hid}/close").status_code == 200
    frozen = judge.context.request.post(f"{server.base_url}/api/hearings/{hid}/closing/freeze")
    assert frozen.ok, frozen.text()


def _framed_signing_page_does_not_render(browser: Any, link: str) -> None:
    from playwright.sync_api import expect

    with other_origin(link) as origin:
        context = browser.new_context()
        page = context.new_page()
        with page.expect_console_message(lambda m: "frame-ancestors 'none'" in m.text) as refusal:
            page.goto(origin)  # waits for the page's load event, its frames' loads included
        assert link.split("/sign/", 1)[0] in refusal.value.text  # the signing page was refused
        expect(page.frame_locator("#control").locator("#control-text")).to_have_text("own page")
        victim = page.locator("#victim").element_handle().content_frame()
        assert victim is not None
        assert not victim.url.startswith(link.split("/sign/", 1)[0]), victim.url
        assert victim.locator("#f-you").count() == 0 and victim.locator("#get-code").count() == 0
        context.close()
