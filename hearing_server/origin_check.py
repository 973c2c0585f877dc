"""Refuses requests forged by another site's pages, and redirects that would leave the site.

    app.add_middleware(OriginCheckMiddleware, policy=origin_policy(settings))   # in create_app

Installed around the whole app, so every route is covered, those of side services mounted
later included. The rule (which headers decide, what counts as the site) is
:mod:`hearing_server.origins`'s. A refused request is answered ``403`` with the error body
``{"error": {"code": "forbidden", "reason": "cross_origin", ...}}``; a refused WebSocket is
closed before it is accepted with :data:`WS_CLOSE_CROSS_ORIGIN` (the handshake fails; a browser
sees 1006, a test client the code). Safe methods (GET, HEAD, OPTIONS) are not checked: they
change nothing, and pages, links and images of other sites may load them.

A redirect (3xx) whose ``Location`` leaves the site
(:func:`~hearing_server.origins.redirect_on_site`) is sent to ``/`` instead, and logged: no
route can be made an open redirect.
"""

from __future__ import annotations

import logging

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hearing_server.errors import ForbiddenError, error_body
from hearing_server.origins import SAFE_METHODS, OriginPolicy, origin_of, redirect_on_site
from hearing_server.settings import Settings

__all__ = ["WS_CLOSE_CROSS_ORIGIN", "OriginCheckMiddleware", "origin_policy"]

logger = logging.getLogger(__name__)

#: A WebSocket handshake from a page of another site (docs/protocol.md, close codes).
WS_CLOSE_CROSS_ORIGIN = 4419
CROSS_ORIGIN = "cross_origin"


def origin_policy(settings: Settings) -> OriginPolicy:
    """The site's origins from the settings: ``public_base_url`` and ``allowed_origins``; in
    development also the origin each request was addressed to."""
    return OriginPolicy.of(
        [settings.public_base_url, *settings.allowed_origins],
        allow_own_host=settings.environment == "development",
    )


def _own_origin(scope: Scope, headers: Headers) -> str | None:
    host = headers.get("host")
    return origin_of(f"{scope.get('scheme', 'http')}://{host}") if host else None


class OriginCheckMiddleware:
    def __init__(self, app: ASGIApp, policy: OriginPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        own = _own_origin(scope, headers)
        if kind == "websocket" or scope["method"] not in SAFE_METHODS:
            refused = self.policy.refusal(headers, own)
            if refused is not None:
                await self._refuse(scope, receive, send, refused)
                return
        if kind == "websocket":
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, self._guard_redirects(send, self.policy.origins(own)))

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, seen: str) -> None:
        where = f"{scope.get('method', 'WebSocket')} {scope.get('path', '')}"
        logger.warning("refused %s from another site (%s)", where, seen)
        if scope["type"] == "websocket":  # closing before accepting refuses the handshake
            await send({"type": "websocket.close", "code": WS_CLOSE_CROSS_ORIGIN, "reason": ""})
            return
        error = ForbiddenError.because(CROSS_ORIGIN)
        body = error_body(error.code, error.message, reason=error.reason, params=error.params)
        await JSONResponse(body, status_code=error.status_code)(scope, receive, send)

    @staticmethod
    def _guard_redirects(send: Send, site: frozenset[str]) -> Send:
        async def guarded(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                headers = MutableHeaders(scope=message)
                location = headers.get("location")
                if location is not None and not redirect_on_site(location, site):
                    logger.warning("a redirect off the site (%.120r) went to / instead", location)
                    headers["location"] = "/"
            await send(message)

        return guarded
