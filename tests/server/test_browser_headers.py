"""Browser-side defence headers (issue 14, "Headers"): every kind of answer carries them.

The answers are the real app's (API JSON, error JSON, pages, a static asset, a recording download,
a 404 from the router and one from the id bounds, a redirect); HSTS only over TLS. A WebSocket
refused with an HTTP answer carries them too (a small Starlette app: no route of ours refuses that
way). The pages are also checked for what the policy would block (inline script, inline style);
``tests/e2e/test_csp_browser.py`` shows in Chromium that every page works under it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import WebSocketDenialResponse
from starlette.websockets import WebSocket

from hearing_server.browser_headers import (
    HSTS_MAX_AGE_S,
    BrowserHeadersMiddleware,
    cache_control,
    content_security_policy,
)
from hearing_server.context import ServerContext
from hearing_server.models import RecordingFile
from hearing_server.web_mount import STATIC_DIR
from recordings import final_key
from tests.server.conftest import World, login

ALWAYS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


def _policy(value: str) -> dict[str, list[str]]:
    directives = {}
    for part in value.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def _assert_defended(response: object, cache: str) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in ALWAYS.items():
        assert headers.get(name) == value, name
    csp = _policy(headers["content-security-policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"] and csp["form-action"] == ["'self'"]
    permissions = headers["permissions-policy"]
    for feature in ("camera", "microphone", "display-capture", "publickey-credentials-get"):
        assert f"{feature}=(self)" in permissions
    assert "geolocation=()" in permissions
    assert headers["cache-control"] == cache
    assert "strict-transport-security" not in headers  # plain http


def _recording(app: FastAPI, hearing_id: int) -> str:
    """A finalised mix of the hearing: its row and its file in the recording store."""
    data = b"fLaC" + bytes(252)
    store = app.state.services.recordings
    ctx: ServerContext = app.state.services.context
    assert store is not None
    store.put(final_key(hearing_id, "mix"), data)
    now = datetime.now(UTC)
    with ctx.session_factory() as session:
        session.add(
            RecordingFile(
                hearing_id=hearing_id,
                name="mix",
                sha256=hashlib.sha256(data).hexdigest(),
                size_bytes=len(data),
                duration_ms=1000,
                origin_utc=now,
                finalized_at=now,
            )
        )
        session.commit()
    return f"/api/hearings/{hearing_id}/recordings/mix.flac"


def test_every_kind_of_answer_carries_the_headers(
    make_client: Callable[[], TestClient], world: World, app: FastAPI
) -> None:
    anyone, clerk = make_client(), make_client()
    login(clerk, "clerk_a")
    answers = {
        "API JSON": (clerk.get("/api/auth/me"), 200, "no-store"),
        "error JSON": (anyone.get("/api/auth/me"), 401, "no-store"),
        "validation error": (anyone.post("/api/auth/login", json={}), 422, "no-store"),
        "page": (anyone.get("/login.html"), 200, "no-store"),
        "invitation page": (anyone.get("/join/some-token"), 200, "no-store"),
        "signing-link page": (anyone.get("/sign/some-token"), 200, "no-store"),
        "public broadcast page": (anyone.get("/watch/some-token"), 200, "no-store"),
        "script": (anyone.get("/common.js"), 200, "no-cache"),
        "style sheet": (anyone.get("/style.css"), 200, "no-cache"),
        "recording": (clerk.get(_recording(app, world.hearing_a)), 200, "no-store"),
        "unknown page": (anyone.get("/no-such-page"), 404, "no-store"),
        "id out of range": (anyone.get("/api/hearings/99999999999999999999999"), 404, "no-store"),
        "redirect": (anyone.get("/", follow_redirects=False), 307, "no-store"),
    }
    for what, (response, status, cache) in answers.items():
        assert response.status_code == status, (what, response.text[:200])
        _assert_defended(response, cache)
    assert answers["recording"][0].headers["content-type"] == "audio/flac"


def test_hsts_only_over_tls(app: FastAPI) -> None:
    with TestClient(app, base_url="https://testserver") as tls:
        for path in ("/login.html", "/api/auth/me", "/common.js"):
            hsts = tls.get(path).headers.get("strict-transport-security")
            assert hsts == f"max-age={HSTS_MAX_AGE_S}; includeSubDomains", path
        csp = _policy(tls.get("/login.html").headers["content-security-policy"])
        assert csp["connect-src"] == ["'self'", "wss://testserver"]
        plain = TestClient(app, base_url="http://testserver")
        page = plain.get("/login.html")
        assert "strict-transport-security" not in page.headers
        assert _policy(page.headers["content-security-policy"])["connect-src"] == [
            "'self'",
            "ws://testserver",
        ]


@pytest.mark.parametrize(
    "host",
    ["evil.example; script-src *", "a b", "x'y", "host:99999999", "", "-bad.example"],
)
def test_a_strange_host_header_is_not_written_into_the_policy(host: str) -> None:
    csp = _policy(content_security_policy(host, secure=False))
    assert csp["connect-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]


def test_only_a_public_answer_keeps_its_own_caching() -> None:
    segment = "public, max-age=86400, immutable"  # the public broadcast's HLS segments
    assert cache_control("/watch/t/seg-1.ts", "video/mp2t", segment) == segment
    assert cache_control("/api/evidence/1/pages/1", "image/png", "private, max-age=3600") == (
        "no-store"
    )
    assert cache_control("/api/x.js", "text/javascript", None) == "no-store"
    assert cache_control("/vendor/hls.light.min.mjs", "text/javascript", None) == "no-cache"
    assert cache_control("/room.html", "text/html; charset=utf-8", None) == "no-store"


def test_a_websocket_refused_with_an_answer_carries_them() -> None:
    async def refuse(websocket: WebSocket) -> None:
        await websocket.send_denial_response(PlainTextResponse("no", status_code=403))

    app = Starlette(routes=[WebSocketRoute("/ws", refuse)])
    app.add_middleware(BrowserHeadersMiddleware)
    with (
        TestClient(app) as client,
        pytest.raises(WebSocketDenialResponse) as refused,
        client.websocket_connect("/ws"),
    ):
        pass
    assert refused.value.status_code == 403
    assert refused.value.headers["x-frame-options"] == "DENY"
    assert refused.value.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in refused.value.headers["content-security-policy"]


def test_a_bug_answers_the_project_500_with_the_headers_and_is_still_raised() -> None:
    async def broken(_: Request) -> PlainTextResponse:
        raise RuntimeError("a bug")

    app = Starlette(routes=[Route("/api/broken", broken)])
    app.add_middleware(BrowserHeadersMiddleware)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/broken")
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "server_error", "message": "internal server error"}
    }
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    with TestClient(app) as client, pytest.raises(RuntimeError, match="a bug"):
        client.get("/api/broken")  # re-raised: the server logs it


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["']|<style\b|\bstyle:\s*[`"']""", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"""<[^>]+\son[a-z]+\s*=\s*["']""", re.IGNORECASE)


def test_no_page_has_inline_script_or_style() -> None:
    """What ``script-src 'self'`` / ``style-src 'self'`` would refuse, in the pages and in what
    the scripts build (``el(…, { style: … })`` sets an attribute; ``node.style.x = …`` is fine)."""
    checked = 0
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.suffix not in {".html", ".js"} or "vendor" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        checked += 1
        assert not STYLE_ATTRIBUTE.search(text), path.name
        if path.suffix == ".html":
            assert not INLINE_SCRIPT.search(text), path.name
            assert not HANDLER_ATTRIBUTE.search(text), path.name
    assert checked > 20
