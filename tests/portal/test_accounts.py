"""Registration under the real name, login with password and SMS code, lockout, and the bad
input of the issue: invalid ID numbers, SMS-code brute force, an identity that does not match —
each a clear error, with nothing half-done."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from hearing_server.context import ServerContext
from portal.tables import PortalAccount, PortalAudit
from portal.verifier import LocalRegistryVerifier
from tests.portal.conftest import (
    CHEN,
    LICENCE,
    PORTAL_PASSWORD,
    STRANGER,
    WANG,
    PortalWorld,
    last_code,
    portal_context,
)
from tests.server.conftest import FakeClock


def accounts(app) -> int:
    with portal_context(app).session_factory() as s:
        return s.scalar(select(func.count(PortalAccount.id))) or 0


def test_register_then_log_in_with_password_and_code(
    app, ctx: ServerContext, world: PortalWorld, party, make_client
) -> None:
    browser = party(CHEN)
    me = browser.get("/api/portal/me").json()
    assert me == {"name": "陈明", "kind": "person", "id_tail": "002X", "phone_tail": "0011",
                  "licence_number": None}  # fmt: skip
    assert browser.post("/api/portal/logout").status_code == 204
    assert browser.get("/api/portal/me").status_code == 401
    other = make_client()
    answer = other.post("/api/portal/login", json={"id_number": CHEN[1].lower(),
                                                   "password": PORTAL_PASSWORD})  # fmt: skip
    assert answer.status_code == 200, answer.text
    challenge = answer.json()["challenge"]
    assert other.get("/api/portal/me").status_code == 401  # the password alone is not a login
    done = other.post("/api/portal/login/code",
                      json={"challenge": challenge, "code": last_code(ctx, CHEN[2])})  # fmt: skip
    assert done.status_code == 200, done.text
    assert other.get("/api/portal/me").json()["name"] == "陈明"
    with portal_context(app).session_factory() as s:
        actions = s.scalars(select(PortalAudit.action)).all()
        details = s.scalars(select(PortalAudit.detail)).all()
    assert {"account.registered", "account.login"} <= set(actions)
    assert CHEN[1] not in repr(details)  # ID numbers only masked


def test_invalid_id_numbers_are_refused_before_anything_is_spent(
    app, ctx: ServerContext, world: PortalWorld, make_client
) -> None:
    browser = make_client()
    assert browser.post("/api/portal/register/code", json={"phone": CHEN[2]}).status_code == 202
    code = last_code(ctx, CHEN[2])
    for bad, reason_zh in (("1101051949123100X2", "前17位"), ("110105194912310021", "校验位"),
                           ("11010519491231002X1", "18位"), ("110105194913310024", "出生日期")):  # fmt: skip
        answer = browser.post("/api/portal/register", json={
            "name": CHEN[0], "id_number": bad, "phone": CHEN[2], "code": code,
            "password": PORTAL_PASSWORD})  # fmt: skip
        assert answer.status_code == 422, answer.text
        error = answer.json()["error"]
        assert error["reason"] == "portal_id_number"
        assert reason_zh in error["message_zh"]
    assert accounts(app) == 0
    # The code was not spent by the refusals: the right number registers with it.
    answer = browser.post("/api/portal/register", json={
        "name": CHEN[0], "id_number": CHEN[1], "phone": CHEN[2], "code": code,
        "password": PORTAL_PASSWORD})  # fmt: skip
    assert answer.status_code == 201, answer.text


def test_a_name_that_does_not_match_the_register_creates_nothing(
    app, ctx: ServerContext, world: PortalWorld, make_client
) -> None:
    browser = make_client()
    browser.post("/api/portal/register/code", json={"phone": CHEN[2]})
    answer = browser.post("/api/portal/register", json={
        "name": "陈明明", "id_number": CHEN[1], "phone": CHEN[2],
        "code": last_code(ctx, CHEN[2]), "password": PORTAL_PASSWORD})  # fmt: skip
    assert answer.status_code == 422
    assert answer.json()["error"]["reason"] == "portal_identity_mismatch"
    assert accounts(app) == 0


def test_sms_code_brute_force_spends_the_code(
    app, ctx: ServerContext, world: PortalWorld, make_client
) -> None:
    browser = make_client()
    browser.post("/api/portal/register/code", json={"phone": CHEN[2]})
    right = last_code(ctx, CHEN[2])
    wrong = [f"{n:06d}" for n in range(1000) if f"{n:06d}" != right][:5]
    body = {"name": CHEN[0], "id_number": CHEN[1], "phone": CHEN[2], "password": PORTAL_PASSWORD}
    for n, code in enumerate(wrong):
        answer = browser.post("/api/portal/register", json=body | {"code": code})
        assert answer.json()["error"]["reason"] == "portal_code_wrong"
        assert answer.json()["error"]["params"]["left"] == 4 - n
    answer = browser.post("/api/portal/register", json=body | {"code": right})
    assert answer.json()["error"]["reason"] == "portal_code_expired"  # spent, even the right one
    assert accounts(app) == 0


def test_codes_per_phone_are_limited(
    app, ctx: ServerContext, world: PortalWorld, make_client
) -> None:
    browser = make_client()
    answers = [browser.post("/api/portal/register/code", json={"phone": CHEN[2]}).status_code
               for _ in range(6)]  # fmt: skip
    assert answers == [202] * 5 + [429]


def test_wrong_passwords_lock_the_account(
    app, ctx: ServerContext, world: PortalWorld, party, make_client, clock: FakeClock
) -> None:
    party(STRANGER)
    browser = make_client()
    wrong = {"id_number": STRANGER[1], "password": "not the password"}
    for _ in range(5):
        assert browser.post("/api/portal/login", json=wrong).json()["error"]["reason"] == (
            "portal_login_failed"
        )
    right = {"id_number": STRANGER[1], "password": PORTAL_PASSWORD}
    assert (
        browser.post("/api/portal/login", json=right).json()["error"]["reason"] == "portal_locked"
    )
    clock.advance(timedelta(minutes=16))
    assert browser.post("/api/portal/login", json=right).status_code == 200
    # An unknown ID number gets the answer of a wrong password.
    unknown = {"id_number": "110105194912310010", "password": PORTAL_PASSWORD}
    answer = browser.post("/api/portal/login", json=unknown)
    assert answer.status_code in (422, 429)


def test_a_lawyer_registers_with_a_licence_number(
    app, ctx: ServerContext, world: PortalWorld, party, make_client
) -> None:
    browser = make_client()
    browser.post("/api/portal/register/code", json={"phone": WANG[2]})
    body = {"kind": "lawyer", "name": WANG[0], "id_number": WANG[1], "phone": WANG[2],
            "code": last_code(ctx, WANG[2]), "password": PORTAL_PASSWORD}  # fmt: skip
    answer = browser.post("/api/portal/register", json=body)
    assert answer.json()["error"]["reason"] == "portal_licence_needed"
    answer = browser.post("/api/portal/register", json=body | {"licence_number": LICENCE})
    assert answer.status_code == 201, answer.text
    assert answer.json()["licence_number"] == LICENCE


def test_the_identity_provider_down_is_a_503_and_writes_nothing(
    app, ctx: ServerContext, world: PortalWorld, make_client
) -> None:
    verifier = portal_context(app).verifier
    assert isinstance(verifier, LocalRegistryVerifier)
    verifier.unavailable_for(CHEN[0])
    browser = make_client()
    browser.post("/api/portal/register/code", json={"phone": CHEN[2]})
    code = last_code(ctx, CHEN[2])
    body = {"name": CHEN[0], "id_number": CHEN[1], "phone": CHEN[2], "code": code,
            "password": PORTAL_PASSWORD}  # fmt: skip
    answer = browser.post("/api/portal/register", json=body)
    assert answer.status_code == 503
    assert answer.json()["error"]["reason"] == "portal_verifier_down"
    assert accounts(app) == 0
