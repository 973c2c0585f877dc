"""The per-caller API rate limit (hearing_server/request_rate.py): a caller over its burst gets
429 ``too_many_requests`` with ``Retry-After``; other callers and pages are not affected."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from hearing_server.request_rate import caller_key, service_callers
from hearing_server.settings import Settings
from portal.api.deps import COOKIE as PORTAL_COOKIE
from portal.hearing_links import sign_party_links
from tests.server.conftest import login

BURST = 4
KEY = "party-links key of the test, long enough: 0123456789"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # A rate so slow that no token comes back during the test: the burst is all a caller has.
    return Settings(
        data_dir=tmp_path / "data",
        api_requests_per_second=0.001,
        api_request_burst=BURST,
        party_links_key=SecretStr(KEY),  # the party portal's callers (the last tests)
    )


def test_a_caller_over_its_burst_is_refused_and_nobody_else_is(make_client, world) -> None:
    clerk, judge, anonymous = make_client(), make_client(), make_client()
    login(clerk, "clerk_a")  # two logins: two of the address's tokens
    login(judge, "judge_a")
    for _ in range(BURST):
        assert clerk.get("/api/auth/me").status_code == 200
    refused = clerk.get("/api/auth/me")
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert (error["code"], error["reason"]) == ("rate_limited", "too_many_requests")
    assert error["params"]["seconds"] == int(refused.headers["Retry-After"]) > 0
    assert judge.get("/api/auth/me").status_code == 200  # a session of its own
    # Anonymous callers share their address's bucket (the two logins took two tokens of it).
    assert [anonymous.get("/api/cases").status_code for _ in range(BURST - 1)] == [401, 401, 429]
    assert anonymous.get("/login.html").status_code == 200  # pages are not counted
    # A refused request with a body: its body is not read, so the connection is not reused.
    posted = anonymous.post("/api/auth/login", json={"username": "clerk_a", "password": "x"})
    assert posted.status_code == 429
    assert posted.headers["connection"] == "close"
    assert "connection" not in refused.headers  # a refused GET keeps its connection


def test_the_limit_is_in_force_by_default_in_production_only(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).api_rate_per_second is None
    production = Settings.model_construct(environment="production", api_requests_per_second=None)
    assert production.api_rate_per_second == 10.0
    assert Settings(data_dir=tmp_path, api_requests_per_second=2.5).api_rate_per_second == 2.5


def test_the_caller_is_its_session_else_its_address() -> None:
    def scope(cookie: str | None, client: str = "203.0.113.9") -> dict[str, object]:
        headers = [(b"cookie", cookie.encode())] if cookie is not None else []
        return {"type": "http", "headers": headers, "client": (client, 5555)}

    staff = caller_key(scope("tingshen_staff=abc; other=1"))
    assert staff.startswith("session:") and "abc" not in staff  # kept only as a digest
    assert caller_key(scope("tingshen_staff=abc", client="198.51.100.1")) == staff
    assert caller_key(scope("tingshen_party=xyz")) != staff
    assert caller_key(scope("other=1")) == "address:203.0.113.9"
    assert caller_key(scope('tingshen_staff="unterminated')) == "address:203.0.113.9"
    assert caller_key(scope(None)) == "address:203.0.113.9"
    # A party logged into the portal (its own cookie) is a caller of its own too, not its address:
    # parties behind one NAT each have their own bucket.
    portal_party = caller_key(scope(f"{PORTAL_COOKIE}=p1"))
    assert portal_party.startswith("session:") and portal_party != staff
    assert caller_key(scope(f"{PORTAL_COOKIE}=p2")) != portal_party


async def test_a_refusal_is_held_for_its_retry_after_however_soon_a_token_returns() -> None:
    # Ten connections from one address, a bucket that refills every 0.1 s: each refusal is held
    # for its advertised Retry-After (1 s), not until the next token, so the ten are not let back
    # ten times a second.
    from hearing_server.rate_limit import TokenBuckets
    from hearing_server.request_rate import RequestRateMiddleware

    held: list[float] = []
    reached: list[str] = []

    async def route(scope, receive, send) -> None:
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def sleep(seconds: float) -> None:
        held.append(seconds)

    middleware = RequestRateMiddleware(
        route, buckets=TokenBuckets(rate_per_s=10.0, burst=1), hold_s=1.0, sleep=sleep
    )
    statuses: list[int] = []

    async def send(message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/api/cases",
        "headers": [],
        "client": ("127.0.0.9", 1),
        "query_string": b"",
    }
    for _ in range(10):
        await middleware(dict(scope), receive, send)
    assert statuses == [204] + [429] * 9 and reached == ["/api/cases"]
    assert held == [1.0] * 9


def _portal_ask(
    client, clock, caller: str, *, signature: str | None = None, late: timedelta = timedelta(0)
):
    """The portal's request for a party's links, naming the party ``caller`` (with the caller
    signature it makes, or ``signature`` instead); the body is signed as the portal signs it."""
    body = json.dumps({"case_number": "(2026)粤0104民初123号", "name": "张伟",
                       "phone": "13800000001"}, ensure_ascii=False).encode()  # fmt: skip
    headers = sign_party_links(KEY.encode(), body, clock() - late, caller=caller)
    if signature is not None:
        headers["x-tingshen-caller-signature"] = signature
    return client.post("/api/service/party-links", content=body, headers=headers)


def test_the_portals_parties_each_have_their_own_bucket(world, client, clock) -> None:
    party_a, party_b, party_c = ("a" * 32, "b" * 32, "c" * 32)
    assert [_portal_ask(client, clock, party_a).status_code for _ in range(BURST + 1)] == [
        *[200] * BURST,
        429,
    ]
    # Another party the portal asks for at the same moment, from the same address: not throttled.
    assert [_portal_ask(client, clock, party_b).status_code for _ in range(BURST)] == [200] * BURST
    # Forged caller signatures are counted by the address, whatever caller they name: one bucket.
    forged = [
        _portal_ask(client, clock, f"{n:032x}", signature="0" * 64).status_code
        for n in range(BURST + 1)
    ]
    assert forged == [*[200] * BURST, 429]  # the body's own signature is good: the route answers
    # A stale caller signature is the address's too (accepted, a bucket of its own would have let
    # it reach the route, which refuses the stale body: 401).
    assert _portal_ask(client, clock, party_c, late=timedelta(minutes=6)).status_code == 429
    assert _portal_ask(client, clock, "d" * 32, late=timedelta(minutes=-6)).status_code == 429
    # A party's good request still has its bucket, the address's being empty.
    assert _portal_ask(client, clock, party_c).status_code == 200


def test_a_services_caller_is_keyed_only_with_a_good_fresh_signature(tmp_path: Path) -> None:
    now = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    callers = service_callers(
        Settings(data_dir=tmp_path, party_links_key=SecretStr(KEY)), lambda: now
    )
    assert callers is not None

    def scope(
        caller: str, *, at: datetime = now, key: str = KEY, replace: dict[str, str] | None = None
    ) -> dict[str, Any]:
        signed = sign_party_links(key.encode(), b"{}", at, caller=caller) | (replace or {})
        headers = [(name.encode(), value.encode("latin-1")) for name, value in signed.items()]
        return {"type": "http", "headers": headers, "client": ("203.0.113.9", 5555)}

    party = "0123456789abcdef" * 2
    assert caller_key(scope(party), callers) == f"service:{party}"
    assert caller_key(scope(party, at=now - timedelta(seconds=299)), callers).startswith("serv")
    assert caller_key(scope(party), None) == "address:203.0.113.9"  # no key configured
    address = "address:203.0.113.9"
    assert caller_key(
        scope(party, key="another key, as long as the other 0123456789"), callers
    ) == (address)
    assert caller_key(scope(party, at=now - timedelta(seconds=301)), callers) == address
    assert caller_key(scope(party, at=now + timedelta(seconds=301)), callers) == address
    assert caller_key(scope(party, replace={"x-tingshen-caller": "f" * 32}), callers) == address
    assert caller_key(scope(party, replace={"x-tingshen-timestamp": "x"}), callers) == address
    assert caller_key(scope(party, replace={"x-tingshen-caller-signature": ""}), callers) == address
    assert caller_key(scope("x" * 65), callers) == address  # too long for a digest
    assert caller_key(scope("a b"), callers) == address
    assert caller_key(scope("é"), callers) == address
    # A session cookie does not outrank a good caller signature, nor a bad one the cookie.
    with_cookie = scope(party)
    with_cookie["headers"].append((b"cookie", b"tingshen_party=xyz"))
    assert caller_key(with_cookie, callers) == f"service:{party}"
    forged = scope(party, replace={"x-tingshen-caller-signature": "0" * 64})
    forged["headers"].append((b"cookie", b"tingshen_party=xyz"))
    assert caller_key(forged, callers).startswith("session:")


def test_no_caller_is_believed_under_a_placeholder_key_in_production(tmp_path: Path) -> None:
    production = Settings.model_construct(
        environment="production", party_links_key=SecretStr("changeme")
    )
    assert service_callers(production, lambda: datetime.now(UTC)) is None
    unset = Settings(data_dir=tmp_path)
    assert service_callers(unset, lambda: datetime.now(UTC)) is None
