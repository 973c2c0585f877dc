"""The side services alone (issue 15: "inside ``tingshen serve`` by default and alone with a
flag"): a hearing server without them (``TINGSHEN_SIDE_SERVICES='[]'``) and a second process
``tingshen serve --side-services-only --hearing-url …`` on the same data directory, both real
processes. A staff member logged in on the hearing server is known to the dossier process by
the same cookie (asked of the hearing server over HTTP); without it, 401; the defences hold
there as in the hearing server."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.serve_process import ServeProcess, free_port, start_serve
from tingshen_platform.identity import STAFF_COOKIE

WAIT_S = 20.0


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServeProcess, ServeProcess]]:
    data_dir: Path = tmp_path_factory.mktemp("alone") / "data"
    hearing = start_serve(data_dir, free_port(), env={"TINGSHEN_SIDE_SERVICES": "[]"})
    try:
        side = start_serve(
            data_dir,
            free_port(),
            demo=False,
            extra_args=["--side-services-only", "--hearing-url", hearing.base_url],
        )
        try:
            yield hearing, side
        finally:
            _stop(side)
    finally:
        _stop(hearing)


def _stop(server: ServeProcess) -> None:
    server.proc.send_signal(signal.SIGINT)
    rest, _ = server.proc.communicate(timeout=30)  # the rest of its output; closes the pipe
    output = "".join(server.lines) + rest
    assert server.proc.returncode == 0 and "Traceback" not in output, output


def _staff_cookie(hearing: ServeProcess) -> str:
    with httpx.Client(base_url=hearing.base_url) as client:
        answer = client.post(
            "/api/auth/login",
            json={"username": "clerk", "password": hearing.passwords["clerk"]},
        )
        assert answer.status_code == 200, answer.text
        return answer.cookies[STAFF_COOKIE]


def _demo_case(side: httpx.Client) -> httpx.Response:
    """The demo case in the dossier's register (id 1: the first it learned of), once the side
    process's consumer has read the demo's ``case.created`` (it polls from its start)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        answer = side.get("/api/dossier/cases/1")
        if answer.status_code != 404 or time.monotonic() > deadline:
            return answer
        time.sleep(0.1)  # polling a condition with a deadline, not a guess at an order


def test_the_dossier_alone_knows_the_hearing_servers_staff_by_their_cookie(servers) -> None:
    hearing, side = servers
    cookie = _staff_cookie(hearing)
    with httpx.Client(base_url=side.base_url, cookies={STAFF_COOKIE: cookie}) as staff:
        assert staff.get("/api/dossier/cases/999999").status_code == 404  # known, and not found
        answer = _demo_case(staff)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["case_number"] == "(2026)粤0104民初123号"
        assert body["court_name"] == "广州市越秀区人民法院" and body["hearing_case_id"] >= 1
    with httpx.Client(base_url=side.base_url) as anonymous:
        refused = anonymous.get("/api/dossier/cases/1")
        assert refused.status_code == 401, refused.text
    with httpx.Client(base_url=side.base_url, cookies={STAFF_COOKIE: "not-a-session"}) as forged:
        assert forged.get("/api/dossier/cases/1").status_code == 401


def test_the_hearing_server_runs_without_them_and_the_side_process_serves_only_them(
    servers,
) -> None:
    hearing, side = servers
    cookie = _staff_cookie(hearing)
    with httpx.Client(base_url=hearing.base_url, cookies={STAFF_COOKIE: cookie}) as client:
        assert client.get("/api/dossier/cases/1").status_code == 404  # not in this process
        assert client.get("/api/fees/accounts").status_code == 404
        assert client.get("/api/cases").status_code == 200
    with httpx.Client(base_url=side.base_url, cookies={STAFF_COOKIE: cookie}) as client:
        assert client.get("/api/cases").status_code == 404  # the hearing API is not here
        page = client.get("/dossier/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert client.get("/style.css").status_code == 200  # the shared look and helpers
        assert client.get("/i18n.js").status_code == 200
        paths = client.get("/openapi.json").json()["paths"]
        side_prefixes = (
            "/api/dossier/",
            "/api/fees/",
            "/api/delivery/",
            "/api/addresses/",
            "/api/portal/",
            "/api/ledger/",
        )
        assert paths and all(path.startswith(side_prefixes) for path in paths)
        assert client.get("/fees/").status_code == 200  # the fee service's pages too


def test_the_side_process_has_the_hearing_servers_defences(servers) -> None:
    hearing, side = servers
    cookie = _staff_cookie(hearing)
    with httpx.Client(base_url=side.base_url, cookies={STAFF_COOKIE: cookie}) as client:
        forged = client.post(
            "/api/dossier/cases/1", headers={"origin": "https://evil.example"}, json={}
        )
        assert forged.status_code == 403 and forged.json()["error"]["reason"] == "cross_origin"
        too_big = client.post(
            "/api/dossier/cases/1",
            content=b"x" * (1024 * 1024 + 1),  # the default limit, 1 MiB
            headers={"content-type": "application/json"},
        )
        assert too_big.status_code == 413
        assert client.get(f"/api/dossier/cases/{2**70}").status_code == 404  # id beyond 64 bits


def test_an_unreachable_hearing_server_is_a_503_not_a_server_error(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from hearing_server.settings import Settings
    from hearing_server.side_app import create_side_app

    nobody = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings = Settings(data_dir=tmp_path / "data", signing_enabled=False)
    with TestClient(create_side_app(settings, hearing_url=nobody)) as client:
        client.cookies.set(STAFF_COOKIE, "some-session")
        answer = client.get("/api/dossier/cases/1")
        assert answer.status_code == 503, answer.text
        assert answer.json()["error"]["code"] == "unavailable"
        client.cookies.clear()
        assert client.get("/api/dossier/cases/1").status_code == 401  # no cookie: no question


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--side-services-only"], "--hearing-url"),
        (["--side-services-only", "--hearing-url", "http://127.0.0.1:9", "--demo"], "--demo"),
    ],
)
def test_the_flag_refuses_what_it_cannot_do(tmp_path: Path, args: list[str], says: str) -> None:
    from typer.testing import CliRunner

    from hearing_server.cli import app

    result = CliRunner().invoke(app, ["serve", *args, "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 2 and says in result.output, result.output
