"""The party portal's service route (``POST /api/service/party-links``, issue 17): a signed
request with a party's verified name and mobile number and a case number gets that party's
hearings with the join link the clerk's SMS carries, and after closing the pending signing link;
a bad, stale or keyless request is refused, and a party not on the hearing gets nothing. The
requests are signed as the portal signs them (``portal.hearing_links``)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from hearing_server.settings import Settings
from portal.hearing_links import sign_party_links
from tests.server.closing_flow import closed_hearing
from tests.server.conftest import invite, login
from tests.server.test_sign_links import _dispatch, _sign_token

KEY = "party-links key of the test, long enough: 0123456789"
CASE_A = "(2026)粤0104民初123号"
PATH = "/api/service/party-links"


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    """In the environment before the app's settings are read (autouse fixtures come first)."""
    monkeypatch.setenv("TINGSHEN_PARTY_LINKS_KEY", KEY)


def _ask(
    client,
    clock,
    *,
    key: str = KEY,
    late: timedelta = timedelta(0),
    who: dict[str, str] | None = None,
):
    asked = {"case_number": CASE_A, "name": "张伟", "phone": "13800000001"} | (who or {})
    body = json.dumps(asked, ensure_ascii=False).encode()
    headers = sign_party_links(key.encode(), body, clock() - late)
    return client.post(PATH, content=body, headers=headers)


def test_a_party_on_the_hearing_gets_the_join_link_of_its_invitation(
    world, client, make_client, clock
) -> None:
    clerk = make_client()
    login(clerk, "clerk_a")
    token = invite(clerk, world.plaintiff_a)
    answer = _ask(client, clock)
    assert answer.status_code == 200, answer.text
    [hearing] = answer.json()["hearings"]
    assert hearing["join_url"].endswith(f"/join/{token}")
    assert hearing["sign_url"] is None
    assert hearing["role_zh"] == "原告" and hearing["place"] == "第三法庭"
    assert hearing["case_number"] == CASE_A
    # The same party written with +86: the same number.
    assert _ask(client, clock, who={"phone": "+86 138-0000-0001"}).json()["hearings"] == [hearing]
    # A withdrawn link is not handed out; the new one is.
    reissued = clerk.post(f"/api/participants/{world.plaintiff_a}/invitation/reissue")
    assert reissued.status_code in (200, 201), reissued.text
    again = _ask(client, clock).json()["hearings"][0]["join_url"]
    assert again == reissued.json()["url"] and not again.endswith(token)


def test_no_invitation_yet_is_the_hearing_without_a_link(world, client, clock) -> None:
    [hearing] = _ask(client, clock).json()["hearings"]
    assert hearing["join_url"] is None and hearing["sign_url"] is None


def test_a_party_not_on_the_hearing_gets_nothing(world, client, make_client, clock) -> None:
    clerk = make_client()
    login(clerk, "clerk_a")
    invite(clerk, world.plaintiff_a)
    for who in (
        {"phone": "13800000009"},  # the name, another phone
        {"name": "张三"},  # the phone, another name
        {"name": "王芳", "phone": "13800000003"},  # a party of another case
        {"case_number": "(2026)粤0104民初124号"},  # the party, another case
    ):
        answer = _ask(client, clock, who=who)
        assert answer.status_code == 200 and answer.json() == {"hearings": []}, who


def test_a_bad_or_stale_signature_or_no_key_is_refused(
    world, client, clock, ctx, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        _ask(client, clock, key="another key of the same length, 0123456789ab").status_code == 401
    )
    assert _ask(client, clock, late=timedelta(minutes=6)).status_code == 401
    assert _ask(client, clock, late=timedelta(minutes=-6)).status_code == 401
    assert _ask(client, clock, late=timedelta(minutes=4)).status_code == 200
    body = json.dumps({"case_number": CASE_A, "name": "张伟", "phone": "13800000001"}).encode()
    headers = sign_party_links(KEY.encode(), body, clock())
    tampered = body.replace(b"13800000001", b"13800000002")
    assert client.post(PATH, content=tampered, headers=headers).status_code == 401
    assert client.post(PATH, content=body).status_code == 401  # unsigned
    refused = client.post(PATH, content=body, headers={**headers, "x-tingshen-timestamp": "x"})
    assert refused.status_code == 401
    monkeypatch.setattr(ctx.settings, "party_links_key", None)  # a server started without it
    assert _ask(client, clock).status_code == 503


def test_the_key_is_a_setting_read_once_at_start(
    world, client, clock, ctx, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ctx.settings.party_links_key == SecretStr(KEY)
    monkeypatch.delenv("TINGSHEN_PARTY_LINKS_KEY")  # the environment is not read per request
    assert _ask(client, clock).status_code == 200
    assert Settings(data_dir=tmp_path).party_links_key is None
    assert "party-links key" not in repr(ctx.settings)


def test_production_refuses_a_short_or_placeholder_key(
    world, client, clock, ctx, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ctx.settings, "environment", "production")
    for key in ("changeme", "short key"):
        monkeypatch.setattr(ctx.settings, "party_links_key", SecretStr(key))
        assert _ask(client, clock, key=key).status_code == 503
    monkeypatch.setattr(ctx.settings, "party_links_key", SecretStr(KEY))
    assert _ask(client, clock).status_code == 200


def test_after_closing_the_pending_signing_link_and_no_join_link(
    app, ctx, world, make_client, code_sender, clock, tmp_path: Path
) -> None:
    court = closed_hearing(app, ctx, world, make_client, code_sender)
    invite(court.clerk.client, world.plaintiff_a)
    client = make_client()
    [before] = _ask(client, clock).json()["hearings"]
    assert before["join_url"] is None and before["sign_url"] is None  # closed, not frozen
    assert before["signature"] is None and before["signed_at"] is None
    assert court.judge.client.post(f"{court.api}/freeze").status_code == 200
    token = _sign_token(_dispatch(ctx, clock, tmp_path), "13800000001")
    [after] = _ask(client, clock).json()["hearings"]
    assert after["status"] == "closed" and after["join_url"] is None
    assert after["sign_url"].endswith(f"/sign/{token}")
    assert after["signature"] == "pending" and after["signed_at"] is None


def test_after_signing_the_signature_and_when_and_no_link(
    app, ctx, world, make_client, code_sender, clock, tmp_path: Path
) -> None:
    """The portal tells a signed record (已签署) from a pending one whose link has gone."""
    court = closed_hearing(app, ctx, world, make_client, code_sender)
    assert court.judge.client.post(f"{court.api}/freeze").status_code == 200
    _dispatch(ctx, clock, tmp_path)
    client = make_client()
    [pending] = _ask(client, clock).json()["hearings"]
    assert pending["signature"] == "pending" and pending["sign_url"]
    court.plaintiff.sign()
    [signed] = _ask(client, clock).json()["hearings"]
    assert signed["signature"] == "signed" and signed["sign_url"] is None
    assert datetime.fromisoformat(signed["signed_at"]) == clock()
    # Another party of the hearing, still to sign, whose links have all been withdrawn: pending,
    # with no link (not to be confused with signed).
    revoked = court.clerk.client.post(f"/api/participants/{world.defendant_a}/invitations/revoke")
    assert revoked.status_code == 200, revoked.text
    [other] = _ask(client, clock, who={"name": "李娜", "phone": "13800000002"}).json()["hearings"]
    assert other["signature"] == "pending" and other["sign_url"] is None
