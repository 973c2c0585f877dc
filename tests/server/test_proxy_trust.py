"""Issue 14, "Behind a proxy": X-Forwarded-For is believed from the configured proxies only
(``trusted_proxies``), so the login limit and the audit see the real client, and a client
cannot reset its limit by claiming another address (as it could from loopback before).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select

from hearing_server.app import create_app
from hearing_server.cluster import Frontend, Node, haproxy_config, proxy_address
from hearing_server.context import ServerContext
from hearing_server.models import AuditEvent
from hearing_server.settings import Settings
from tests.server.conftest import PASSWORD

PROXY_NETWORK = "10.0.0.0/8"
PROXY = "10.0.0.5"
WRONG = {"username": "clerk_a", "password": "wrong"}
LIMIT = 5  # the conftest's login_rate_limit

Peer = Callable[[str], TestClient]


@pytest.fixture
def app(settings, clock, code_sender, fast_passwords, streams) -> Iterator[FastAPI]:
    """The conftest's app, behind a proxy somewhere in 10.0.0.0/8."""
    proxied = settings.model_copy(update={"trusted_proxies": [PROXY_NETWORK]})
    app = create_app(
        proxied,
        clock=clock,
        code_sender=code_sender,
        passwords=fast_passwords,
        stream_factory=streams,
    )
    yield app
    app.state.services.context.engine.dispose()


@pytest.fixture
def peer(app: FastAPI) -> Iterator[Peer]:
    """Clients connecting from a given address, sharing one running app (as make_client)."""
    clients: list[TestClient] = []

    def factory(address: str) -> TestClient:
        client = TestClient(app, client=(address, 40000))
        if clients:
            client.portal = clients[0].portal
        else:
            client.__enter__()
        clients.append(client)
        return client

    yield factory
    if clients:
        clients[0].__exit__(None, None, None)


def _login_ip(ctx: ServerContext) -> str:
    with ctx.session_factory() as session:
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "staff.login")
            .order_by(AuditEvent.id.desc())
        ).first()
    assert event is not None
    return str(event.details["ip"])


def _login(client: TestClient, username: str, forwarded_for: str) -> int:
    body = {"username": username, "password": PASSWORD}
    return client.post(
        "/api/auth/login", json=body, headers={"X-Forwarded-For": forwarded_for}
    ).status_code


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_changes_nothing(peer: Peer, world, ctx):
    loopback = peer("127.0.0.1")  # trusted before (tingshen serve --behind-proxy): no longer
    for n in range(LIMIT):
        spoofed = {"X-Forwarded-For": f"198.51.100.{n}", "Forwarded": f"for=198.51.100.{n}"}
        response = loopback.post("/api/auth/login", json=WRONG, headers=spoofed)
        assert response.status_code == 401, response.text
    fresh = {"X-Forwarded-For": "198.51.100.99", "X-Forwarded-Proto": "https"}
    limited = loopback.post("/api/auth/login", json=WRONG, headers=fresh)
    assert limited.status_code == 429 and limited.json()["error"]["reason"] == "login_rate_limited"

    assert _login(peer("203.0.113.7"), "judge_a", "198.51.100.1") == 200
    assert _login_ip(ctx) == "203.0.113.7"


def test_from_a_trusted_proxy_the_forwarded_client_counts(peer: Peer, world, ctx):
    proxy = peer(PROXY)
    for _ in range(LIMIT):
        response = proxy.post(
            "/api/auth/login", json=WRONG, headers={"X-Forwarded-For": "198.51.100.1"}
        )
        assert response.status_code == 401
    again = proxy.post("/api/auth/login", json=WRONG, headers={"X-Forwarded-For": "198.51.100.1"})
    assert again.status_code == 429  # that client is limited ...
    other = proxy.post("/api/auth/login", json=WRONG, headers={"X-Forwarded-For": "198.51.100.2"})
    assert other.status_code == 401  # ... another behind the same proxy is not

    # The rightmost address no trusted proxy added is the client: what it claimed before is not.
    assert _login(proxy, "judge_a", "1.2.3.4, 198.51.100.3") == 200
    assert _login_ip(ctx) == "198.51.100.3"
    assert _login(proxy, "judge_a", "198.51.100.4, 10.0.0.9") == 200  # through two proxies
    assert _login_ip(ctx) == "198.51.100.4"


def test_only_addresses_and_networks_are_trusted(tmp_path):
    for value in (["*"], ["proxy.local"], ["10.0.0.0/33"]):
        with pytest.raises(ValidationError):
            Settings(data_dir=tmp_path, trusted_proxies=value)
    settings = Settings(data_dir=tmp_path, trusted_proxies=[" 10.1.2.3/8", "::1"])
    assert settings.trusted_proxies == ["10.0.0.0/8", "::1"]  # as the middleware matches them
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, allowed_origins=["https://court.example/path"])


def test_the_cluster_trusts_its_proxy_and_the_proxy_drops_what_clients_claim():
    assert proxy_address("127.0.0.1") == "127.0.0.1"
    assert proxy_address("0.0.0.0") == "127.0.0.1"
    config = haproxy_config(Frontend("127.0.0.1", 8000), [Node("p1", "127.0.0.1", 8101)])
    frontend = config.split("frontend tingshen")[1].split("backend")[0]
    assert "http-request del-header X-Forwarded-For" in frontend
    assert "option forwardfor" in config
