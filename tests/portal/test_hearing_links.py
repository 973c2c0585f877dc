"""The hearing's links in 我的案件 (issue 17): the portal asks the hearing server's service route
(``POST /api/service/party-links``) over HTTP — here the real app over httpx's ASGI transport —
with the logged-in party's verified identity, for each of the party's cases; the party on the
hearing gets the join link of the clerk's invitation, a party of the case not on the hearing gets
nothing, and without the key or with the hearing server down the page is told so."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from fastapi import FastAPI

from hearing_server.models import CourtRole, Participant
from portal.hearing_links import HearingLinks
from tests.portal.conftest import CHEN, LI, file_case, filed, portal_context
from tests.server.conftest import invite, login

KEY = "party-links key of the test, long enough: 0123456789"
CASE_A = "(2026)粤0104民初123号"  # the hearing world's case A (tests/server/conftest.py)


def _connect(app: FastAPI, transport: httpx.AsyncBaseTransport, key: str = KEY) -> None:
    links = HearingLinks(base_url="http://hearing.test", key=key.encode(), transport=transport)
    app.state.portal = dataclasses.replace(portal_context(app), hearing_links=links)


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


def test_the_party_on_the_hearing_gets_its_join_link(
    app, party, chen_on_hearing_a, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TINGSHEN_PARTY_LINKS_KEY", KEY)
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


def test_a_wrong_key_or_none_or_the_server_down_is_no_links(
    app, party, chen_on_hearing_a, monkeypatch: pytest.MonkeyPatch
) -> None:
    chen = party(CHEN)
    unavailable = {"configured": True, "available": False, "hearings": []}
    off = {"configured": False, "available": False, "hearings": []}
    assert chen.get("/api/portal/hearing-links").json() == off  # no key
    monkeypatch.setenv("TINGSHEN_PARTY_LINKS_KEY", KEY)
    _connect(app, httpx.ASGITransport(app=app), key="not the hearing server's key, 0123456789")
    assert chen.get("/api/portal/hearing-links").json() == unavailable  # 401 there

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    _connect(app, httpx.MockTransport(down))
    assert chen.get("/api/portal/hearing-links").json() == unavailable
    assert chen.get("/api/portal/hearing-links").status_code == 200


def test_only_a_party_asks(app, make_client) -> None:
    assert make_client().get("/api/portal/hearing-links").status_code == 401
