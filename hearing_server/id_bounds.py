"""No record has an id beyond 32 bits: such a path is answered 404 before any route runs.

    app.add_middleware(IdBoundsMiddleware)     # in create_app, once for every route

Every id in the API is a path segment of digits stored in an ``Integer`` column: signed 32 bits
on PostgreSQL (64 on SQLite), so no record of either has an id above 2**31 - 1. A larger number
used to reach the database driver and fail there (``OverflowError: Python int too large to
convert to SQLite INTEGER``, PostgreSQL's ``integer out of range``: a 500). Checking the path
here covers every route, those of later side services included, without one bound per parameter.
A WebSocket with such a path is refused before it is accepted (the handshake fails).
"""

from __future__ import annotations

import json

from pydantic import TypeAdapter, ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from hearing_server.errors import error_body
from tingshen_platform.bounded import MAX_ID

__all__ = ["MAX_ID", "IdBoundsMiddleware", "out_of_range_id"]

WS_CLOSE_NO_SUCH_RECORD = 4404
_AS_ROUTES_READ_IT = TypeAdapter(int)


def out_of_range_id(path: str) -> str | None:
    """The first path segment that is a number no record can have as its id, or None.

    A number as the routes read it (pydantic's ``int`` of a string): digits, and also a sign,
    surrounding spaces, ``_`` between digits or a ``.0`` fraction (``-99999999999``,
    ``+1_000_000_000_000``, ``99999999999.0`` reached the driver too)."""
    for segment in path.split("/"):
        if not (segment.isascii() and any(char.isdigit() for char in segment)):
            continue
        if segment.isdigit():
            digits = segment.lstrip("0")  # the length first: int() of 5,000 digits raises
            if len(digits) > 10 or (digits and int(digits) > MAX_ID):
                return segment
            continue
        try:
            value = _AS_ROUTES_READ_IT.validate_python(segment)
        except ValidationError:
            continue  # not a number: the route decides
        if not -MAX_ID - 1 <= value <= MAX_ID:
            return segment
    return None


class IdBoundsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        segment = out_of_range_id(scope.get("path", ""))
        if segment is None:
            await self.app(scope, receive, send)
            return
        shown = segment if len(segment) <= 32 else segment[:29] + "..."
        message = f"no record has the id {shown}: ids are whole numbers up to {MAX_ID}"
        if scope["type"] == "websocket":  # closing before accepting refuses the handshake
            await send({"type": "websocket.close", "code": WS_CLOSE_NO_SUCH_RECORD, "reason": ""})
            return
        body = json.dumps(error_body("not_found", message), ensure_ascii=False).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 404, "headers": headers})
        await send({"type": "http.response.body", "body": body})
