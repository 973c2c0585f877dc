"""The front-end mount: pages, invitation links and assets are served, the API still wins."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from hearing_server.web_mount import STATIC_DIR


def test_pages_and_assets_are_served(client: TestClient) -> None:
    for path in ("/login.html", "/dashboard.html", "/join.html", "/room.html"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "text/html" in response.headers["content-type"]
    for path in ("/style.css", "/i18n.js", "/common.js", "/room.js", "/join.js"):
        assert client.get(path).status_code == 200, path


def test_invitation_link_opens_the_join_page(client: TestClient) -> None:
    response = client.get("/join/some-token")
    assert response.status_code == 200
    assert 'src="/join.js"' in response.text


def test_home_redirects_to_the_dashboard(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307)
    assert response.headers["location"] == "/dashboard.html"


def test_api_routes_are_not_shadowed(client: TestClient) -> None:
    assert client.get("/api/auth/me").status_code == 401


def test_pages_load_nothing_from_the_network() -> None:
    for page in STATIC_DIR.iterdir():
        if page.suffix in {".html", ".js", ".css"}:
            text = page.read_text(encoding="utf-8")
            assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), page.name
            assert "@import" not in text, page.name


def test_both_languages_have_the_same_keys() -> None:
    source = (STATIC_DIR / "i18n.js").read_text(encoding="utf-8")
    zh, en = source.split('"zh-CN": {', 1)[1].split("\n  en: {", 1)
    en = en.split("\n};", 1)[0]
    key = re.compile(r"^    (\w+):", re.MULTILINE)
    assert set(key.findall(zh)) == set(key.findall(en))


def test_short_links_and_unknown_pages(client: TestClient) -> None:
    assert 'src="/dashboard.js"' in client.get("/dashboard").text
    assert 'src="/login.js"' in client.get("/login").text
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"]  # the API's error shape, also for unknown pages
