"""Passkeys (WebAuthn, py_webauthn): a logged-in party registers one, then logs in with it alone
(a new session, no password, no SMS code); a ceremony is used once; a wrong origin, a wrong
relying party, a user not verified, an unknown credential, a replayed or forged answer are all
refused with the same answer and no session. The authenticator is software
(``tests/portal/softauthn.py``); Chromium's own registration ceremony is in
``tests/e2e/test_portal_browser.py``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from portal.passkeys import relying_party
from tests.portal.conftest import CHEN, LI, PortalWorld, portal_context
from tests.portal.softauthn import SoftAuthenticator

REFUSED = "portal_passkey_refused"


def _registered(app, party) -> tuple[TestClient, SoftAuthenticator]:
    chen = party(CHEN)
    _, origin = relying_party(portal_context(app))
    device = SoftAuthenticator(origin)
    started = chen.post("/api/portal/passkeys/register/options").json()
    assert started["options"]["authenticatorSelection"]["userVerification"] == "required"
    assert started["options"]["user"]["displayName"] == "陈明"
    answer = chen.post("/api/portal/passkeys/register",
                       json={"ceremony": started["ceremony"],
                             "credential": device.create(started["options"])})  # fmt: skip
    assert answer.status_code == 201, answer.text
    return chen, device


def _login(client, device: SoftAuthenticator, **kw):
    started = client.post("/api/portal/passkeys/login/options").json()
    credential = device.get(started["options"], **kw)
    return client.post("/api/portal/passkeys/login",
                       json={"ceremony": started["ceremony"], "credential": credential})  # fmt: skip


def test_register_then_log_in_with_the_passkey_alone(
    app, world: PortalWorld, party, make_client
) -> None:
    chen, device = _registered(app, party)
    [listed] = chen.get("/api/portal/passkeys").json()
    assert listed["last_used_at"] is None
    browser = make_client()
    assert browser.get("/api/portal/me").status_code == 401
    answer = _login(browser, device)
    assert answer.status_code == 200, answer.text
    assert browser.get("/api/portal/me").json()["name"] == "陈明"
    assert _login(make_client(), device).status_code == 200  # the counter moves on
    assert chen.get("/api/portal/passkeys").json()[0]["last_used_at"] is not None


def test_a_ceremony_is_used_once(app, world: PortalWorld, party, make_client) -> None:
    _, device = _registered(app, party)
    browser = make_client()
    started = browser.post("/api/portal/passkeys/login/options").json()
    body = {"ceremony": started["ceremony"], "credential": device.get(started["options"])}
    assert browser.post("/api/portal/passkeys/login", json=body).status_code == 200
    replayed = make_client().post("/api/portal/passkeys/login", json=body)
    assert replayed.status_code == 422 and replayed.json()["error"]["reason"] == REFUSED


def test_wrong_origin_rp_verification_or_credential_get_no_session(
    app, world: PortalWorld, party, make_client
) -> None:
    _, device = _registered(app, party)
    rp_id, origin = relying_party(portal_context(app))
    host = urlsplit(origin).hostname
    cases: dict[str, dict[str, Any]] = {
        "origin": {"origin": "https://evil.example"},
        "rp": {"rp_id": "evil.example"},
        "not verified": {"flags": 0x01},
    }
    for what, kw in cases.items():
        browser = make_client()
        answer = _login(browser, device, **kw)
        assert answer.status_code == 401, what
        assert answer.json()["error"]["reason"] == REFUSED, what
        assert browser.get("/api/portal/me").status_code == 401, what
    stranger = SoftAuthenticator(origin)  # never registered
    answer = _login(make_client(), stranger)
    assert answer.status_code == 401 and answer.json()["error"]["reason"] == REFUSED
    forged = SoftAuthenticator(origin, credential_id=device.credential_id)  # another key
    forged.user_handle = device.user_handle
    assert _login(make_client(), forged).status_code == 401
    assert rp_id == host


def test_registration_needs_a_session_and_its_own_ceremony(
    app, world: PortalWorld, party, make_client
) -> None:
    anonymous = make_client()
    assert anonymous.post("/api/portal/passkeys/register/options").status_code == 401
    chen, li = party(CHEN), party(LI)
    started = chen.post("/api/portal/passkeys/register/options").json()
    _, origin = relying_party(portal_context(app))
    device = SoftAuthenticator(origin)
    body = {"ceremony": started["ceremony"], "credential": device.create(started["options"])}
    stolen = li.post("/api/portal/passkeys/register", json=body)  # another account's ceremony
    assert stolen.status_code == 422 and stolen.json()["error"]["reason"] == REFUSED
    assert chen.post("/api/portal/passkeys/register", json=body).status_code == 422  # spent
    assert li.get("/api/portal/passkeys").json() == []
    again = chen.post("/api/portal/passkeys/register/options").json()
    wrong = SoftAuthenticator("https://evil.example")
    answer = chen.post("/api/portal/passkeys/register",
                       json={"ceremony": again["ceremony"],
                             "credential": wrong.create(again["options"])})  # fmt: skip
    assert answer.status_code == 422 and chen.get("/api/portal/passkeys").json() == []
