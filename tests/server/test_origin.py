"""Issue 14, "Origin checks": state-changing requests and WebSockets from another site's pages
are refused (403 ``cross_origin``, close 4419) on every route; redirects stay on the site.

The rule is hearing_server/origins.py's; the app's site origins here are the default
``public_base_url`` (http://127.0.0.1:8000) and, in development, the origin a request was
addressed to (the test client's ``http://testserver``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocketDisconnect

from hearing_server.context import ServerContext
from hearing_server.models import Hearing
from hearing_server.origin_check import WS_CLOSE_CROSS_ORIGIN, OriginCheckMiddleware
from hearing_server.origins import OriginPolicy, origin_of, redirect_on_site
from tests.server.conftest import START, login

SITE = "http://127.0.0.1:8000"
FOREIGN = "http://127.0.0.2:8000"


def _hearing_body() -> dict[str, object]:
    at = START + timedelta(days=3)
    return {"scheduled_at": at.isoformat(), "duration_minutes": 30, "place": "第五法庭"}


def _hearings(ctx: ServerContext) -> int:
    with ctx.session_factory() as session:
        return session.scalar(select(func.count()).select_from(Hearing)) or 0


def _assert_cross_origin(response: object) -> None:
    assert getattr(response, "status_code", None) == 403, getattr(response, "text", response)
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert (error["code"], error["reason"]) == ("forbidden", "cross_origin")


def test_a_post_from_another_origin_is_refused_and_changes_nothing(client, world, ctx):
    login(client, "clerk_a")  # no Origin at all: not a browser, allowed (the session is its own)
    before = _hearings(ctx)
    url = f"/api/cases/{world.case_a}/hearings"
    _assert_cross_origin(client.post(url, json=_hearing_body(), headers={"Origin": FOREIGN}))
    assert _hearings(ctx) == before
    own = client.post(url, json=_hearing_body(), headers={"Origin": SITE})
    assert own.status_code == 201, own.text
    addressed = client.post(url, json=_hearing_body(), headers={"Origin": "http://testserver"})
    assert addressed.status_code == 201, addressed.text  # development: the Host it was sent to
    assert _hearings(ctx) == before + 2


#: Requests without a usable Origin: what decides instead (hearing_server/origins.py).
SIGNALS: list[tuple[dict[str, str], bool]] = [
    ({"Sec-Fetch-Site": "cross-site"}, False),
    ({"Sec-Fetch-Site": "same-site"}, False),
    ({"Origin": "null"}, False),
    ({"Origin": "null", "Sec-Fetch-Site": "same-origin"}, True),  # Referrer-Policy no-referrer
    ({"Referer": f"{FOREIGN}/evil.html"}, False),
    ({"Referer": f"{SITE}/login.html"}, True),
    ({"Origin": "https://127.0.0.1:8000"}, False),  # another scheme is another origin
    ({"Origin": FOREIGN, "Sec-Fetch-Site": "same-origin"}, False),  # Origin decides
]


def test_what_decides_without_an_origin_and_on_every_path_and_method(client, world):
    body = {"username": "clerk_a", "password": "wrong"}
    for headers, allowed in SIGNALS:
        response = client.post("/api/auth/login", json=body, headers=headers)
        if allowed:
            assert response.status_code == 401, (headers, response.text)  # reached the route
        else:
            _assert_cross_origin(response)
    for method in ("POST", "PUT", "PATCH", "DELETE"):  # before routing: every route is covered
        foreign = client.request(method, "/api/no/such/route", headers={"Origin": FOREIGN})
        _assert_cross_origin(foreign)
        assert client.request(method, "/api/no/such/route").status_code in (404, 405)
    # Safe methods change nothing and are not checked; the app's own redirect stays as it is.
    assert client.get("/healthz", headers={"Origin": FOREIGN}).status_code == 200
    home = client.get("/", follow_redirects=False, headers={"Origin": FOREIGN})
    assert home.headers["location"] == "/dashboard.html"


def _socket_paths(app, hearing_id: int) -> list[str]:
    """Every WebSocket endpoint of the app, included routers' too."""
    routes = iter_route_contexts(app.routes)
    paths = [str(c.path) for c in routes if isinstance(c.route, WebSocketRoute)]
    return [p.replace("{hearing_id}", str(hearing_id)) for p in paths]


def test_every_websocket_from_another_origin_is_closed_before_accept(app, client, world):
    login(client, "clerk_a")
    paths = _socket_paths(app, world.hearing_a)
    assert {
        f"/ws/hearings/{world.hearing_a}/document",
        f"/ws/hearings/{world.hearing_a}/transcript",
    } <= set(paths)
    for path in paths:
        connect = client.websocket_connect(path, headers={"Origin": FOREIGN})
        with pytest.raises(WebSocketDisconnect) as refused, connect:
            pass
        assert refused.value.code == WS_CLOSE_CROSS_ORIGIN, path
    path = f"/ws/hearings/{world.hearing_a}/document"
    # public_base_url; the Host it was sent to (development); no Origin at all (not a browser)
    for own in ({"Origin": SITE}, {"Origin": "http://testserver"}, {}):
        with client.websocket_connect(path, headers=own) as socket:
            assert socket.receive() is not None  # accepted and served: the document


# ---------------------------------------------------------------- the rule itself (pure)


def test_production_trusts_the_configured_origins_only():
    policy = OriginPolicy.of([SITE, "https://portal.court.example"], allow_own_host=False)
    assert policy.refusal({"origin": "https://portal.court.example"}, "http://testserver") is None
    assert policy.refusal({"origin": "http://testserver"}, "http://testserver") is not None
    development = OriginPolicy.of([SITE], allow_own_host=True)
    assert development.refusal({"origin": "http://testserver"}, "http://testserver") is None
    assert policy.refusal({}, None) is None  # no browser signal at all: an API client


def test_origins_are_compared_as_browsers_write_them():
    assert origin_of("HTTP://Court.Example:80/login.html?x=1") == "http://court.example"
    assert origin_of("https://court.example:443") == "https://court.example"
    assert origin_of("wss://court.example/ws") == "https://court.example"
    assert origin_of("http://[::1]:8000/") == "http://[::1]:8000"
    for not_an_origin in ("null", "ftp://court.example", "http://user@court.example", "x:99999"):
        assert origin_of(not_an_origin) is None, not_an_origin


@pytest.mark.parametrize(
    ("location", "on_site"),
    [
        ("/dashboard.html", True),
        ("dashboard.html?next=1", True),
        (f"{SITE}/room/1", True),
        ("//other.host/x", False),
        ("/\\other.host/x", False),
        ("\\\\other.host", False),
        ("/\t/other.host", False),
        ("https://other.host/", False),
        ("http:other.host", False),
        ("javascript:alert(1)", False),
    ],
)
def test_redirect_targets(location, on_site):
    assert redirect_on_site(location, frozenset({SITE})) is on_site


def test_a_redirect_off_the_site_goes_home_instead():
    """Any route, a side service's too: the middleware checks what goes out."""

    def redirect(request: Request) -> RedirectResponse:
        return RedirectResponse(request.query_params["to"])

    toy = Starlette(routes=[Route("/go", redirect)])
    wrapped = OriginCheckMiddleware(toy, OriginPolicy.of([SITE], allow_own_host=True))
    with TestClient(wrapped, follow_redirects=False) as client:
        for target, expected in (
            ("//other.host/x", "/"),
            (f"{FOREIGN}/x", "/"),
            ("https://other.host/", "/"),
            ("/dashboard.html", "/dashboard.html"),
            (f"{SITE}/x", f"{SITE}/x"),
            ("http://testserver/y", "http://testserver/y"),  # the origin it was addressed to
        ):
            response = client.get("/go", params={"to": target})
            assert response.status_code == 307
            assert response.headers["location"] == expected, target
