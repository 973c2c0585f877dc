"""The hearing's links in 我的案件 (issue 17): the portal asks the hearing server's service route
(``POST /api/service/party-links``) over HTTP — here the real app over httpx's ASGI transport —
with the logged-in party's verified identity, for each of the party's cases; the party on the
hearing gets the join link of the clerk's invitation, a party of the case not on the hearing gets
nothing, and without the key or with the hearing server down the page is told so. Each request
names the party it is for with a caller the hearing server's rate limit accepts."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from hearing_server.models import CourtRole, Participant
from hearing_server.request_rate import caller_key, service_callers
from portal.hearing_links import HearingLinks, PartyIdentity, caller_of
from tests.portal.conftest import CHEN, LI, file_case, filed, portal_context
from tests.server.conftest import invite, login

KEY = "party-links key of the test, long enough: 0123456789"
CASE_A = "(2026)粤0104民初123号"  # the hearing world's case A (tests/server/conftest.py)


def _connect(app: FastAPI, transport: httpx.AsyncBaseTransport, key: str = KEY) -> None:
    links = HearingLinks(base_url="http://hearing.test", key=key.encode(), transport=transport)
    app.state.portal = dataclasses.replace(portal_context(app), hearing_links=links)


@pytest.fixture(autouse=True)
def _server_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hearing server's key, in the environment before its settings are read."""
    monkeypatch.setenv("TINGSHEN_PARTY_LINKS_KEY", KEY)


@pytest.fixture
def chen_on_hearing_a(app, ctx, world, make_client) -> str:
    """陈明 a plaintiff's participant of hearing A, invited by the clerk: the join token."""
    with ctx.session_factory() as s:
        hearing_a = s.query(Participant).filter_by(display_name="张伟").one().hearing_id
        chen = Participant(hearing_id=hearing_a, display_name=CHEN[0],
                           court_role=CourtRole.PLAINTIFF, phone=CHEN[2])  # fmt: skip
        s.add(chen)
        s.commit()
        chen_id = chen.id
    clerk = make_client()
    login(clerk, "clerk_a")
    file_case(app, ctx, filed(world.court_a, number=CASE_A))
    return invite(clerk, chen_id)


def test_the_party_on_the_hearing_gets_its_join_link(app, party, chen_on_hearing_a) -> None:
    _connect(app, httpx.ASGITransport(app=app))
    answer = party(CHEN).get("/api/portal/hearing-links")
    assert answer.status_code == 200, answer.text
    assert answer.json()["available"] is True and answer.json()["configured"] is True
    [hearing] = answer.json()["hearings"]
    assert hearing["join_url"].endswith(f"/join/{chen_on_hearing_a}")
    assert hearing["case_number"] == CASE_A and hearing["sign_url"] is None
    # The defendant of the portal's case is no participant of the hearing: nothing.
    assert party(LI).get("/api/portal/hearing-links").json() == {
        "configured": True, "available": True, "hearings": []
    }  # fmt: skip


def test_each_request_names_its_party_with_a_caller_the_server_accepts(
    app, ctx, party, clock, chen_on_hearing_a
) -> None:
    seen: list[Scope] = []

    async def recorded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            seen.append(scope)
        await app(scope, receive, send)

    _connect(app, httpx.ASGITransport(app=recorded))
    assert party(CHEN).get("/api/portal/hearing-links").json()["hearings"]
    assert party(LI).get("/api/portal/hearing-links").status_code == 200
    chen, li = (
        caller_of(KEY.encode(), PartyIdentity(name, phone, id_number))
        for name, id_number, phone in (CHEN, LI)
    )
    # The hearing server's own check, with its settings and clock, as its middleware makes it.
    callers = service_callers(ctx.settings, clock)
    assert callers is not None
    assert {caller_key(scope, callers) for scope in seen} == {f"service:{chen}", f"service:{li}"}
    headers = {name.decode(): value.decode() for name, value in seen[0]["headers"]}
    assert headers["x-tingshen-caller"] == chen and len(chen) == 32
    assert not any(part in chen for part in CHEN)  # a digest, no personal data
    # Without the caller headers the same request is counted by its address.
    bare = {**seen[0], "headers": [(n, v) for n, v in seen[0]["headers"] if b"caller" not in n]}
    assert caller_key(bare, callers).startswith("address:")


def test_a_wrong_key_or_none_or_the_server_down_is_no_links(app, party, chen_on_hearing_a) -> None:
    chen = party(CHEN)
    unavailable = {"configured": True, "available": False, "hearings": []}
    off = {"configured": False, "available": False, "hearings": []}
    assert chen.get("/api/portal/hearing-links").json() == off  # no key
    _connect(app, httpx.ASGITransport(app=app), key="not the hearing server's key, 0123456789")
    assert chen.get("/api/portal/hearing-links").json() == unavailable  # 401 there

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    _connect(app, httpx.MockTransport(down))
    assert chen.get("/api/portal/hearing-links").json() == unavailable
    assert chen.get("/api/portal/hearing-links").status_code == 200


def test_only_a_party_asks(app, make_client) -> None:
    assert make_client().get("/api/portal/hearing-links").status_code == 401


def _answering(*hearings: dict[str, object]) -> httpx.MockTransport:
    """A hearing server that answers the party-links route with ``hearings``."""

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/service/party-links"
        return httpx.Response(200, json={"hearings": list(hearings)})

    return httpx.MockTransport(answer)


SIGNED = {
    "case_number": CASE_A, "cause_of_action": "民间借贷纠纷", "court_name": "广州市越秀区人民法院",
    "scheduled_at": "2026-03-02T01:30:00Z", "duration_minutes": 60, "place": "第三法庭",
    "status": "closed", "role_zh": "原告", "role_en": "Plaintiff", "join_url": None,
    "sign_url": None, "signature": "signed", "signed_at": "2026-03-02T03:04:05Z",
}  # fmt: skip


def test_the_signature_on_the_record_reaches_the_page_and_nothing_else(
    app, party, chen_on_hearing_a
) -> None:
    """已签署 and when: the portal passes the hearing server's ``signature`` and ``signed_at``
    on; a field the portal does not know stays behind, an answer that does not fit is none."""
    chen = party(CHEN)
    _connect(app, _answering({**SIGNED, "participant_id": 7}))
    [hearing] = chen.get("/api/portal/hearing-links").json()["hearings"]
    assert hearing["signature"] == "signed" and hearing["sign_url"] is None
    assert hearing["signed_at"] == "2026-03-02T03:04:05Z" and "participant_id" not in hearing
    # A hearing server that does not say yet: no signature state (the page shows the status).
    older = {k: v for k, v in SIGNED.items() if k not in ("signature", "signed_at")}
    _connect(app, _answering(older))
    [hearing] = chen.get("/api/portal/hearing-links").json()["hearings"]
    assert hearing["signature"] is None and hearing["signed_at"] is None
    _connect(app, _answering({**SIGNED, "signature": "maybe"}))
    assert chen.get("/api/portal/hearing-links").json() == {
        "configured": True, "available": False, "hearings": []
    }  # fmt: skip


def test_the_real_server_says_no_signature_before_freezing(app, party, chen_on_hearing_a) -> None:
    _connect(app, httpx.ASGITransport(app=app))
    [hearing] = party(CHEN).get("/api/portal/hearing-links").json()["hearings"]
    assert hearing["signature"] is None and hearing["signed_at"] is None


async def test_one_http_client_serves_every_request_until_the_service_stops() -> None:
    """Making an ``httpx.AsyncClient`` costs the event loop ~20 ms (its TLS context): the party
    links client makes one and keeps it, and the service's stop closes it."""
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.headers["x-tingshen-caller"])
        return httpx.Response(200, json={"hearings": []})

    links = HearingLinks("http://hearing.test", KEY.encode(), transport=httpx.MockTransport(answer))
    who = PartyIdentity(name=CHEN[0], phone=CHEN[2], id_number=CHEN[1])
    now = datetime.now(UTC)
    assert await links.of([CASE_A], who, now) == []
    first = links._shared_client()
    assert await links.of([CASE_A, "(2026)粤0104民初124号"], who, now) == []
    assert links._shared_client() is first and len(asked) == 3
    await links.aclose()
    assert first.is_closed
    assert await links.of([CASE_A], who, now) == [] and len(asked) == 4  # a new one after
    await links.aclose()
