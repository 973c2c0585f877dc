"""Staff login, rate limiting, session expiry, logout."""

from __future__ import annotations

from datetime import timedelta

from tests.server.conftest import PASSWORD, login


def test_login_sets_httponly_lax_cookie_and_me_works(client, world):
    response = client.post("/api/auth/login", json={"username": "judge_a", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["role"] == "judge"
    assert response.json()["court_name"] == "广州市越秀区人民法院"
    cookie = response.headers["set-cookie"]
    assert "tingshen_staff=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    me = client.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json()["username"] == "judge_a"


def test_wrong_password_and_unknown_user_get_the_same_401(client, world):
    for username in ("judge_a", "nobody"):
        response = client.post("/api/auth/login", json={"username": username, "password": "nope"})
        assert response.status_code == 401
        assert response.json() == {
            "error": {
                "code": "not_authenticated",
                "message": "wrong username or password",
                "reason": "login_failed",
                "params": {},
            }
        }
    assert client.get("/api/auth/me").status_code == 401


def test_login_is_rate_limited_per_user_and_ip(client, world, clock):
    for _ in range(5):
        response = client.post("/api/auth/login", json={"username": "clerk_a", "password": "x"})
        assert response.status_code == 401
    blocked = client.post("/api/auth/login", json={"username": "clerk_a", "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "rate_limited"
    # Another username from the same address is not affected.
    login(client, "judge_a")
    # The window slides: a minute later the right password works again.
    clock.advance(timedelta(seconds=61))
    login(client, "clerk_a")


def test_session_expires(client, world, clock):
    login(client, "judge_a")
    clock.advance(timedelta(minutes=59))
    assert client.get("/api/auth/me").status_code == 200
    clock.advance(timedelta(minutes=2))
    response = client.get("/api/auth/me")
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


def test_logout_ends_the_session(client, world):
    login(client, "judge_a")
    token = client.cookies.get("tingshen_staff")
    assert client.post("/api/auth/logout").status_code == 204
    assert client.get("/api/auth/me").status_code == 401
    # The old token is dead on the server too, not only deleted from the browser.
    client.cookies.set("tingshen_staff", token or "")
    assert client.get("/api/auth/me").status_code == 401


def test_inactive_staff_cannot_log_in(client, world, ctx):
    from sqlalchemy import update

    from hearing_server.models import StaffUser

    with ctx.session_factory() as s:
        s.execute(update(StaffUser).where(StaffUser.username == "judge_a").values(active=False))
        s.commit()
    response = client.post("/api/auth/login", json={"username": "judge_a", "password": PASSWORD})
    assert response.status_code == 401
