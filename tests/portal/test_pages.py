"""The portal's pages, served from memory (``portal.pages``): each file of ``portal/static``
byte for byte, ``/portal`` and ``/portal/`` the home page, an ``ETag`` answered ``304``, nothing
outside the directory."""

from __future__ import annotations

from pathlib import Path

from portal.service import STATIC_DIR


def test_every_file_byte_for_byte_and_the_home_page(make_client) -> None:
    client = make_client()
    for path in sorted(STATIC_DIR.iterdir()):
        answer = client.get(f"/portal/{path.name}")
        assert answer.status_code == 200, path.name
        assert answer.content == path.read_bytes()
    index = (STATIC_DIR / "index.html").read_bytes()
    for home in ("/portal", "/portal/"):
        answer = client.get(home, follow_redirects=False)
        assert answer.status_code == 200 and answer.content == index
        assert answer.headers["content-type"] == "text/html; charset=utf-8"
        assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert client.get("/portal/portal.js").headers["content-type"].startswith("text/javascript")


def test_an_etag_is_answered_304_and_a_changed_one_200(make_client) -> None:
    client = make_client()
    first = client.get("/portal/")
    etag = first.headers["etag"]
    again = client.get("/portal/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    stale = client.get("/portal/", headers={"If-None-Match": '"0000"'})
    assert stale.status_code == 200 and stale.content == first.content


def test_nothing_outside_the_directory_and_no_other_method(make_client) -> None:
    client = make_client()
    assert client.get("/portal/nothing.html").status_code == 404
    assert client.get("/portal/../pyproject.toml").status_code == 404
    assert client.get("/portal/%2e%2e/service.py").status_code == 404
    assert client.post("/portal/index.html").status_code in (403, 405)
    head = client.head("/portal/index.html")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len((STATIC_DIR / "index.html").read_bytes())


def test_the_directory_is_read_once(tmp_path: Path) -> None:
    from portal.pages import Pages

    (tmp_path / "index.html").write_text("<p>一</p>", "utf-8")
    pages = Pages(tmp_path)
    (tmp_path / "index.html").write_text("<p>二</p>", "utf-8")
    page = pages.page("/")
    assert page is not None and page.body == "<p>一</p>".encode()
