"""Issue 14, "Origin checks", in headless Chromium: pages of other origins try a logged-in
clerk's browser against the app and get nothing.

The clerk logs in on the app's origin (``http://127.0.0.1:<port>``: that login POST is itself the
check letting the site's own page through). Then the same browser opens an attacker's page that
auto-submits a form POST cancelling the hearing and opens the hearing's document socket, served
from two other origins in the same private network namespace:

- ``http://127.0.0.2:<port>``: another *site*; SameSite=Lax already keeps the cookie home, so
  the point is that the server refuses it itself: ``403 cross_origin``, not the 401 a missing
  session would get;
- ``http://127.0.0.1:<other port>``: the same site on another port, to which the browser *does*
  send the clerk's cookie (as to a sibling under one registrable domain): only the Origin check
  stands between the page and the cancellation.

Each time the hearing is unchanged, no audit row was written, the socket never opened and got no
data (the handshake was refused: 1006), and the server logged both refusals.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from hearing_server.context import ServerContext
from hearing_server.demo import seed_demo
from hearing_server.models import AuditEvent, Hearing
from tests.e2e.harness import (
    TIMEOUT_MS,
    assert_private_namespace,
    launch_chromium,
    live_server,
    new_context,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.server.live_fakes import FakeStreams

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(120)]

ATTACK_PAGE = """<!doctype html>
<meta charset="utf-8"><title>prize</title>
<iframe name="sink"></iframe>
<form id="forged" method="POST" action="%(app)s/api/hearings/%(hearing)d/cancel" target="sink">
</form>
<script>
  window.__socket = { opened: false, messages: 0, closed: null };
  const socket = new WebSocket("%(ws)s/ws/hearings/%(hearing)d/document");
  socket.onopen = () => { window.__socket.opened = true; };
  socket.onmessage = () => { window.__socket.messages += 1; };
  socket.onclose = (event) => { window.__socket.closed = event.code; };
  document.getElementById("forged").submit();
</script>
"""


def test_csrf_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=110, passed=1)


@contextmanager
def attacker_site(host: str, page: str) -> Iterator[str]:
    """A tiny web server on ``host`` answering every GET with ``page``; yields its origin."""
    body = page.encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Refusals(logging.Handler):
    """What the origin check logged (the server runs in this process)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _state(ctx: ServerContext, hearing_id: int) -> tuple[str, int, int]:
    with ctx.session_factory() as session:
        hearing = session.get(Hearing, hearing_id)
        assert hearing is not None
        audit_rows = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        return str(hearing.status), hearing.version, audit_rows


def test_pages_of_other_origins_get_nothing(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    assert_private_namespace()
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    refusals = Refusals()
    logging.getLogger("hearing_server.origin_check").addHandler(refusals)
    with live_server(tmp_path / "data", FakeStreams()) as server, sync_playwright() as pw:
        seed = seed_demo(server.ctx)
        hearing = seed.hearing_id
        browser = launch_chromium(pw, wav)
        try:
            context = new_context(browser)
            page = context.new_page()
            page.goto(f"{server.base_url}/login.html")
            page.fill("#username", "clerk")
            page.fill("#password", seed.new_passwords["clerk"])
            page.click("#submit")
            page.wait_for_url("**/dashboard.html")
            # The site's own page may open the socket (and is sent the document).
            own: int = page.evaluate(
                """(url) => new Promise((resolve, reject) => {
                     const ws = new WebSocket(url);
                     ws.onmessage = () => { resolve(1); ws.close(); };
                     ws.onclose = (e) => reject(new Error("closed " + e.code));
                   })""",
                server.base_url.replace("http", "ws") + f"/ws/hearings/{hearing}/document",
            )
            assert own == 1
            # Under Referrer-Policy: no-referrer the page's own POSTs still pass (the Fetch
            # spec has them send "Origin: null", which Sec-Fetch-Site: same-origin decides;
            # Chromium 156 sends its origin all the same).
            with page.expect_request(lambda r: r.url.endswith("/api/no-such-route")) as sent:
                status = page.evaluate(
                    """() => fetch("/api/no-such-route", { method: "POST",
                         referrerPolicy: "no-referrer" }).then((r) => r.status)"""
                )
            assert sent.value.all_headers().get("sec-fetch-site") == "same-origin"
            assert status in (404, 405), status  # routed, not refused
            before = _state(server.ctx, hearing)

            attack = ATTACK_PAGE % {
                "app": server.base_url,
                "ws": server.base_url.replace("http", "ws"),
                "hearing": hearing,
            }
            for host in ("127.0.0.2", "127.0.0.1"):
                refusals.lines.clear()
                with attacker_site(host, attack) as origin:
                    evil = context.new_page()
                    with evil.expect_response(
                        lambda r: r.url.endswith(f"/api/hearings/{hearing}/cancel"),
                        timeout=TIMEOUT_MS,
                    ) as answered:
                        evil.goto(f"{origin}/prize.html")
                    forged = answered.value
                    # The refusal's body is not readable here: it answered into a frame, and the
                    # browser-side headers (frame-ancestors 'none') keep any answer out of frames.
                    # Its 403 and the origin check's own log line say who refused it.
                    assert forged.status == 403, (origin, forged.status)
                    assert forged.headers["x-frame-options"] == "DENY"
                    evil.wait_for_function(  # refused, or (were it let in) served
                        "window.__socket.closed !== null || window.__socket.messages > 0",
                        timeout=TIMEOUT_MS,
                    )
                    socket = evil.evaluate("window.__socket")
                    assert socket == {"opened": False, "messages": 0, "closed": 1006}, socket
                    assert _state(server.ctx, hearing) == before, origin
                    assert any("POST /api/hearings" in line for line in refusals.lines)
                    assert any(
                        f"WebSocket /ws/hearings/{hearing}" in line for line in refusals.lines
                    )
                    assert all(origin in line for line in refusals.lines), refusals.lines
                    evil.close()
        finally:
            browser.close()
            logging.getLogger("hearing_server.origin_check").removeHandler(refusals)
