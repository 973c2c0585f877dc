"""Invitation link → one-time code → participant session."""

from __future__ import annotations

import logging
from datetime import timedelta

from tests.server.conftest import invite, login


def test_invitation_code_verify_flow(make_client, world, code_sender, ctx):
    staff, party = make_client(), make_client()
    login(staff, "clerk_a")
    created = staff.post(f"/api/participants/{world.plaintiff_a}/invitation")
    assert created.status_code == 201
    assert created.json()["url"].startswith(ctx.settings.public_base_url + "/join/")
    token = created.json()["url"].rsplit("/join/", 1)[1]

    summary = party.get(f"/api/join/{token}")
    assert summary.status_code == 200
    data = summary.json()
    assert data["participant_name"] == "张伟"
    assert data["role_label_zh"] == "原告"
    assert data["hearing"]["case_number"] == "(2026)粤0104民初123号"
    assert data["phone_hint"] == "*******0001"

    sent = party.post(f"/api/join/{token}/code")
    assert sent.status_code == 202
    assert sent.json()["sent_to"] == "*******0001"
    code = code_sender.last_code_for(world.plaintiff_a)
    assert len(code) == 6 and code.isdigit()

    wrong = "000000" if code != "000000" else "111111"
    response = party.post(f"/api/join/{token}/verify", json={"code": wrong})
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "wrong code; 4 attempt(s) left"
    assert party.get("/api/join/me").status_code == 401

    verified = party.post(f"/api/join/{token}/verify", json={"code": code})
    assert verified.status_code == 200
    assert "HttpOnly" in verified.headers["set-cookie"]
    me = party.get("/api/join/me").json()
    assert me == {
        "participant_id": world.plaintiff_a,
        "hearing_id": world.hearing_a,
        "display_name": "张伟",
        "court_role": "plaintiff",
        "scope": "hearing",  # a join link's session; a signing link's is "record"
        "case_id": world.case_a,  # what a side service needs to authorise the party
        "case_number": "(2026)粤0104民初123号",
        "court_id": 1,
        "case_party_ref": None,
    }
    # Leaving ends the session on the server.
    assert party.post("/api/join/logout").status_code == 204
    assert party.get("/api/join/me").status_code == 401
    # A used code cannot be replayed.
    replay = make_client().post(f"/api/join/{token}/verify", json={"code": code})
    assert replay.status_code == 410


def test_five_wrong_codes_burn_the_code(client, world, code_sender, clock):
    login(client, "clerk_a")
    token = invite(client, world.defendant_a)
    client.post(f"/api/join/{token}/code")
    code = code_sender.last_code_for(world.defendant_a)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert client.post(f"/api/join/{token}/verify", json={"code": wrong}).status_code == 401
    response = client.post(f"/api/join/{token}/verify", json={"code": code})
    assert response.status_code == 410
    assert "request a new code" in response.json()["error"]["message"]
    # A new code works (after the resend interval).
    clock.advance(timedelta(seconds=60))
    assert client.post(f"/api/join/{token}/code").status_code == 202
    new_code = code_sender.last_code_for(world.defendant_a)
    assert client.post(f"/api/join/{token}/verify", json={"code": new_code}).status_code == 200


def test_code_expires_after_ten_minutes(client, world, code_sender, clock):
    login(client, "clerk_a")
    token = invite(client, world.plaintiff_a)
    client.post(f"/api/join/{token}/code")
    code = code_sender.last_code_for(world.plaintiff_a)
    clock.advance(timedelta(minutes=10, seconds=1))
    response = client.post(f"/api/join/{token}/verify", json={"code": code})
    assert response.status_code == 410
    assert "expired" in response.json()["error"]["message"]


def test_code_requests_are_limited(client, world, clock):
    login(client, "clerk_a")
    token = invite(client, world.plaintiff_a)
    answers = []
    for _ in range(6):
        answers.append(client.post(f"/api/join/{token}/code"))
        clock.advance(timedelta(seconds=61))
    assert [a.status_code for a in answers] == [202] * 5 + [429]
    assert answers[-1].json()["error"]["reason"] == "code_rate_limited"


def test_a_new_code_waits_for_the_resend_interval(client, world, code_sender, clock):
    login(client, "clerk_a")
    token = invite(client, world.plaintiff_a)
    first = client.post(f"/api/join/{token}/code")
    assert first.status_code == 202
    assert first.json()["resend_after_seconds"] == 60
    clock.advance(timedelta(seconds=20))
    again = client.post(f"/api/join/{token}/code")
    assert again.status_code == 429
    error = again.json()["error"]
    assert (error["code"], error["reason"], error["params"]) == (
        "rate_limited",
        "code_cooldown",
        {"seconds": 40},
    )
    assert again.headers["Retry-After"] == "40"
    # The refused request sent nothing; after the interval a new code goes out.
    assert len(code_sender.sent) == 1
    clock.advance(timedelta(seconds=40))
    assert client.post(f"/api/join/{token}/code").status_code == 202
    assert len(code_sender.sent) == 2


def test_the_resend_interval_holds_across_a_participants_links(client, world, clock):
    login(client, "clerk_a")
    first, second = invite(client, world.plaintiff_a), invite(client, world.plaintiff_a)
    assert client.post(f"/api/join/{first}/code").status_code == 202
    again = client.post(f"/api/join/{second}/code")
    assert again.status_code == 429
    assert again.json()["error"]["reason"] == "code_cooldown"
    # Another participant is not held up.
    other = invite(client, world.defendant_a)
    assert client.post(f"/api/join/{other}/code").status_code == 202


def test_code_is_never_logged_at_info(client, world, code_sender, caplog):
    login(client, "clerk_a")
    token = invite(client, world.plaintiff_a)
    with caplog.at_level(logging.INFO, logger="hearing_server"):
        client.post(f"/api/join/{token}/code")
    code = code_sender.last_code_for(world.plaintiff_a)
    assert "one-time code sent" in caplog.text
    assert code not in caplog.text


def test_malformed_code_is_422(client, world):
    login(client, "clerk_a")
    token = invite(client, world.plaintiff_a)
    response = client.post(f"/api/join/{token}/verify", json={"code": "12ab"})
    assert response.status_code == 422
    assert "code" in response.json()["error"]["message"]


def test_simultaneous_guesses_never_exceed_the_attempt_limit(client, world, code_sender, ctx):
    """40 wrong guesses at once: exactly five are checked against the code, the rest are told
    the code is used up (before: the counter was read, then written, and 14 of 40 got through)."""
    import threading

    from hearing_server.errors import GoneError, InvalidTokenError
    from hearing_server.joining import do_verify_code
    from hearing_server.security import CODE_MAX_ATTEMPTS

    login(client, "clerk_a")
    token = invite(client, world.defendant_a)
    assert client.post(f"/api/join/{token}/code").status_code == 202
    code = code_sender.last_code_for(world.defendant_a)
    wrong = "000000" if code != "000000" else "111111"
    start = threading.Barrier(40)
    outcomes: list[str] = []
    lock = threading.Lock()

    def guess() -> None:
        with ctx.session_factory() as session:
            start.wait(timeout=30)
            try:
                do_verify_code(session, ctx, token=token, code=wrong)
                outcome = "accepted"
            except InvalidTokenError:
                outcome = "checked"
            except GoneError:
                outcome = "refused"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 40
    assert outcomes.count("checked") == CODE_MAX_ATTEMPTS
    assert outcomes.count("refused") == 40 - CODE_MAX_ATTEMPTS
    # And the right code is no use any more.
    late = client.post(f"/api/join/{token}/verify", json={"code": code})
    assert late.status_code == 410
