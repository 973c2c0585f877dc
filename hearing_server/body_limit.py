"""Every request body has a size limit, checked in one place before any route reads it.

    app.add_middleware(BodyLimitMiddleware, default_bytes=settings.body_limit_bytes)

A request whose ``Content-Length`` is over the limit is answered 413 at once (the body is never
read, the route never runs). A body without a length (chunked) is counted as it streams in: the
route receives chunks while the total is within the limit; the chunk that goes over it is not
handed on, and the request is answered 413 (when the route has not started its answer yet).
So no request makes the server hold more than its limit, whatever it claims or sends.

The default (``TINGSHEN_BODY_LIMIT_BYTES``, 1 MiB) fits every JSON body; the routes that take
uploads have their own, larger limit (:data:`UPLOAD_LIMITS`: evidence files, the PDF to verify),
equal to what the route itself accepts, so the route's own, more precise message stays reachable;
the sign-in routes, which anyone may call, a smaller one (:data:`SIGN_IN_BYTES`).

Starlette's ``RequestBodyLimitMiddleware`` counts too, but only once the route reads the body and
answers in plain text; this one refuses on the declared length before routing and answers in the
project's error format (reason ``body_too_large``, params ``limit_bytes``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hearing_server.errors import BodyTooLargeError, error_body
from hearing_server.evidence.files import MAX_BYTES as EVIDENCE_BYTES

__all__ = ["UPLOAD_LIMITS", "BodyLimitMiddleware", "RouteLimit", "limit_for"]


@dataclass(frozen=True, slots=True)
class RouteLimit:
    method: str
    path: re.Pattern[str]
    max_bytes: int


VERIFY_PDF_BYTES = 50 * 1024 * 1024
"""``POST /api/verify``'s own limit (``hearing_server.api.verification.MAX_PDF_BYTES``, which a
test keeps equal: this module may not import a router)."""

SIGN_IN_BYTES = 16 * 1024
"""The sign-in routes' limit: anyone may call them, and what they take (a user name and a
password, a six-digit code) fits in a few hundred bytes. A stranger's body is refused after 16 KiB
instead of the default 1 MiB: sixty-four times less for the server to take in per refusal
(docs/benchmarks.md §13)."""

UPLOAD_LIMITS: tuple[RouteLimit, ...] = (
    RouteLimit("POST", re.compile(r"/api/hearings/\d+/evidence"), EVIDENCE_BYTES),
    RouteLimit("POST", re.compile(r"/api/verify"), VERIFY_PDF_BYTES),
    RouteLimit("POST", re.compile(r"/api/auth/login"), SIGN_IN_BYTES),
    RouteLimit("POST", re.compile(r"/api/(join|sign-links)/[^/]+/(code|verify)"), SIGN_IN_BYTES),
)


def limit_for(method: str, path: str, default_bytes: int, routes: Sequence[RouteLimit]) -> int:
    """The body limit of one request: its route's own, else the default."""
    for route in routes:
        if route.method == method and route.path.fullmatch(path):
            return route.max_bytes
    return default_bytes


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            if text.isascii() and text.isdigit():
                return int(text[:20])  # a length of 20 digits is over any limit already
            return None
    return None


class BodyLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        default_bytes: int,
        routes: Sequence[RouteLimit] = UPLOAD_LIMITS,
    ) -> None:
        self.app = app
        self.default_bytes = default_bytes
        self.routes = tuple(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["method"], scope.get("path", ""), self.default_bytes, self.routes)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:  # this chunk is not handed on
                    raise BodyTooLargeError(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLargeError:
            # Routes' errors are answered inside (the ServerError handler): this one was raised
            # where no handler runs (a body read after the route returned, e.g. a background task).
            if started:
                raise
            await _refuse(send, limit)


async def _refuse(send: Send, limit: int) -> None:
    error = BodyTooLargeError(limit)
    body = json.dumps(
        error_body(error.code, error.message, reason=error.reason, params=error.params),
        ensure_ascii=False,
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),  # the rest of the body is not read: do not reuse the connection
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
