"""Every request body has a limit, enforced before the route holds it (issue 14: ten 50 MB bodies
to the login endpoint took the server from 592 to 1,164 MB)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel

from hearing_server.api.verification import MAX_PDF_BYTES
from hearing_server.body_limit import (
    SIGN_IN_BYTES,
    UPLOAD_LIMITS,
    BodyLimitMiddleware,
    RouteLimit,
    limit_for,
)
from hearing_server.errors import install_handlers
from hearing_server.evidence.files import MAX_BYTES as EVIDENCE_BYTES

LIMIT = 1000


class Note(BaseModel):
    text: str


def _app() -> tuple[FastAPI, list[int]]:
    """A small app of the project's shape; ``seen`` records how many body bytes each route got."""
    seen: list[int] = []
    app = FastAPI()
    install_handlers(app)

    @app.post("/json")
    def take_json(note: Note) -> dict[str, int]:
        seen.append(len(note.text))
        return {"n": len(note.text)}

    @app.post("/stream")
    async def take_stream(request: Request) -> dict[str, int]:
        total = 0
        try:
            async for chunk in request.stream():
                total += len(chunk)
        finally:
            seen.append(total)
        return {"n": total}

    @app.post("/upload")
    async def upload(request: Request) -> dict[str, int]:
        body = await request.body()
        seen.append(len(body))
        return {"n": len(body)}

    app.add_middleware(
        BodyLimitMiddleware,
        default_bytes=LIMIT,
        routes=[RouteLimit("POST", re.compile("/upload"), 3 * LIMIT)],
    )
    return app, seen


def _call(
    app: FastAPI, path: str, chunks: list[bytes], *, declared: int | None
) -> tuple[int, bytes, int]:
    """One request through the ASGI app: (status, body, how many chunks it pulled)."""
    headers = [(b"content-type", b"application/json")]
    if declared is not None:
        headers.append((b"content-length", str(declared).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    pending: Iterator[bytes] = iter(chunks)
    pulled = 0
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        nonlocal pulled
        chunk = next(pending, None)
        if chunk is None:
            await asyncio.Event().wait()  # the client sends nothing more (a disconnect waits)
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": pulled < len(chunks)}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(asyncio.wait_for(app(scope, receive, send), 10))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert isinstance(status, int)
    return status, body, pulled


def _json(size: int) -> bytes:
    return b'{"text": "' + b"x" * (size - 12) + b'"}'


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read() -> None:
    app, seen = _app()
    status, body, pulled = _call(app, "/json", [_json(50_000)], declared=50_000)
    assert status == 413
    assert pulled == 0 and seen == []  # neither the middleware nor the route read a byte
    error = json.loads(body)["error"]
    assert error["code"] == "too_large" and error["reason"] == "body_too_large"
    assert error["params"] == {"limit_bytes": LIMIT}


def test_a_body_within_the_limit_reaches_the_route() -> None:
    app, seen = _app()
    status, _, _ = _call(app, "/json", [_json(LIMIT)], declared=LIMIT)
    assert status == 200 and seen == [LIMIT - 12]


def test_a_chunked_body_is_counted_as_it_arrives_and_never_handed_on_past_the_limit() -> None:
    app, seen = _app()
    chunks = [b"y" * 300] * 20  # 6,000 bytes, no Content-Length
    status, body, pulled = _call(app, "/stream", chunks, declared=None)
    assert status == 413 and b"body_too_large" in body
    assert seen == [900]  # three chunks within the limit; the fourth (1,200 > 1,000) never arrived
    assert pulled == 4  # and nothing after it was read


def test_a_chunked_json_body_over_the_limit_is_413_not_a_parse_error() -> None:
    app, seen = _app()
    status, body, _ = _call(app, "/json", [b'{"text": "'] + [b"z" * 400] * 10, declared=None)
    assert status == 413 and b"body_too_large" in body
    assert seen == []


def test_a_lying_content_length_is_still_counted() -> None:
    app, seen = _app()
    status, _, pulled = _call(app, "/stream", [b"q" * 600] * 4, declared=10)
    assert status == 413 and seen == [600] and pulled == 2


def test_a_route_with_uploads_has_its_own_larger_limit() -> None:
    app, seen = _app()
    assert _call(app, "/upload", [b"a" * 2500], declared=2500)[0] == 200
    assert _call(app, "/upload", [b"a" * 3001], declared=3001)[0] == 413
    assert seen == [2500]


def test_the_upload_routes_are_the_evidence_and_verification_uploads() -> None:
    assert limit_for("POST", "/api/hearings/12/evidence", 1, UPLOAD_LIMITS) == EVIDENCE_BYTES
    assert limit_for("POST", "/api/verify", 1, UPLOAD_LIMITS) == MAX_PDF_BYTES
    assert limit_for("POST", "/api/hearings/12/evidence/present", 1, UPLOAD_LIMITS) == 1
    assert limit_for("GET", "/api/verify", 1, UPLOAD_LIMITS) == 1


def test_the_app_refuses_a_big_login_body(client) -> None:
    response = client.post(
        "/api/auth/login",
        content=b'{"username": "' + b"u" * 2_000_000 + b'", "password": "x"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["reason"] == "body_too_large"
    assert error["params"] == {"limit_bytes": SIGN_IN_BYTES}


def test_the_sign_in_routes_take_small_bodies_only() -> None:
    for path in (
        "/api/auth/login",
        "/api/join/abc.def/code",
        "/api/join/abc.def/verify",
        "/api/sign-links/abc.def/verify",
    ):
        assert limit_for("POST", path, 1024 * 1024, UPLOAD_LIMITS) == SIGN_IN_BYTES, path
    assert limit_for("POST", "/api/join/abc/code/x", 1024 * 1024, UPLOAD_LIMITS) == 1024 * 1024
    assert limit_for("POST", "/api/auth/logout", 1024 * 1024, UPLOAD_LIMITS) == 1024 * 1024


def test_a_login_body_just_over_the_sign_in_limit_is_refused(client) -> None:
    padding = b" " * (SIGN_IN_BYTES - 39)  # the rest of the body is 40 bytes: one over
    response = client.post(
        "/api/auth/login",
        content=b'{"username": "clerk_a", ' + padding + b'"password": "x"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["params"] == {"limit_bytes": SIGN_IN_BYTES}


def test_the_app_counts_a_chunked_login_body(client) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"username": "'
        for _ in range(40):
            yield b"u" * 65536
        yield b'", "password": "x"}'

    response = client.post(
        "/api/auth/login", content=body(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413, response.text
    assert response.json()["error"]["reason"] == "body_too_large"


@pytest.mark.parametrize("size", [10, 2048])
def test_the_limit_is_a_setting(settings, size: int) -> None:
    assert settings.body_limit_bytes == 1024 * 1024
    assert type(settings)(body_limit_bytes=size * 1024).body_limit_bytes == size * 1024


def test_a_chunked_body_refused_in_the_route_closes_the_connection(client) -> None:
    """Refused while the route reads it (no Content-Length to refuse on): the answer closes the
    connection, or the server would take in and parse every byte still coming (a 50 MB body cost
    it 27 ms of CPU instead of 2: docs/benchmarks.md §13)."""

    def body() -> Iterator[bytes]:
        yield b'{"username": "'
        for _ in range(40):
            yield b"u" * 1024

    response = client.post(
        "/api/auth/login", content=body(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers  # sent chunked
    assert response.status_code == 413
    assert response.json()["error"]["reason"] == "body_too_large"
    assert response.headers["connection"] == "close"
