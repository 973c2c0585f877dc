"""A per-caller rate limit on the API, so that one client cannot take the server from the others.

    app.add_middleware(RequestRateMiddleware, buckets=api_buckets(settings),
                       callers=service_callers(settings, clock))  # hearing_server.defences

Every request under ``/api/`` takes a token from its caller's bucket
(:class:`~hearing_server.rate_limit.TokenBuckets`: ``api_request_burst`` at once, then
``api_requests_per_second`` sustained); without one it is answered ``429 rate_limited`` with
``Retry-After`` before any route runs. A party pulling a 10,000-edit history page after page as
fast as it can is the case this bounds (docs/benchmarks.md §13): the pages a person uses ask a few
requests a second at most.

The caller is its session (the staff or party cookie, kept only as a digest), else its address
(``scope["client"]``, which the trusted-proxy layer outside has already made the real client's).
A service asking on behalf of many people names the one it asks for: the party portal sends
``X-Tingshen-Caller`` (an opaque digest of the party, at most 64 letters, digits, ``-`` or ``_``)
and ``X-Tingshen-Caller-Signature``, the hex HMAC-SHA256 of ``"caller.<timestamp>.<caller>"``
(``X-Tingshen-Timestamp``; :mod:`tingshen_platform.signed_requests`) under the party-links key,
which the portal alone shares. With a good signature no older (or newer) than
``CALLER_WINDOW_S`` the caller is ``service:<caller>``, so that two hundred parties opening the
portal at once are not throttled as one address; a missing, malformed, forged or stale one is
ignored and the request is counted by session or address as any other (the route then checks the
body's own signature).
Pages, scripts and sockets are not counted (sockets have their own per-message limits:
:mod:`hearing_server.socket_limits`). In force by default in production (10/s, a burst of 60);
in development unset means no limit, so that tests and demos are not throttled.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from http.cookies import CookieError, SimpleCookie

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from hearing_server.errors import REASONS, ConfigurationError, error_body
from hearing_server.rate_limit import TokenBuckets
from hearing_server.settings import Settings, resolve_party_links_key
from tingshen_platform import signed_requests

# hearing_server.deps' cookie names, and the party portal's login (portal.api.deps.COOKIE: this
# server does not import it; a test keeps the names equal): each login is a caller of its own.
SESSION_COOKIES = ("tingshen_staff", "tingshen_party", "tingshen_portal")
CALLER_HEADER = b"x-tingshen-caller"
CALLER_SIGNATURE_HEADER = b"x-tingshen-caller-signature"
TIMESTAMP_HEADER = b"x-tingshen-timestamp"
CALLER_DOMAIN = "caller."
CALLER_WINDOW_S = 300  # as the party-links request's own (hearing_server.party_links.WINDOW_S)
_CALLER = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True, slots=True)
class ServiceCallers:
    """What tells a service's signed caller: the key it signs with and the server's clock."""

    key: bytes
    clock: Callable[[], datetime]
    window_s: int = CALLER_WINDOW_S


def service_callers(settings: Settings, clock: Callable[[], datetime]) -> ServiceCallers | None:
    """The party portal's callers, when the party-links key is configured (and, in production,
    no placeholder: :func:`~hearing_server.settings.resolve_party_links_key`)."""
    try:
        return ServiceCallers(key=resolve_party_links_key(settings), clock=clock)
    except ConfigurationError:
        return None


def api_buckets(settings: Settings) -> TokenBuckets | None:
    rate = settings.api_rate_per_second
    if rate is None:
        return None
    return TokenBuckets(rate_per_s=rate, burst=settings.api_request_burst)


def service_caller(scope: Scope, callers: ServiceCallers) -> str | None:
    """The caller a service named and signed for, if the signature is good and fresh."""
    found: dict[bytes, str] = {}
    for name, value in scope.get("headers", ()):
        name = name.lower()
        if name in (CALLER_HEADER, CALLER_SIGNATURE_HEADER, TIMESTAMP_HEADER):
            found.setdefault(name, value.decode("latin-1"))
    caller = found.get(CALLER_HEADER, "")
    if not _CALLER.fullmatch(caller):
        return None
    try:
        signed_requests.check(
            callers.key,
            CALLER_DOMAIN,
            found.get(TIMESTAMP_HEADER, ""),
            found.get(CALLER_SIGNATURE_HEADER, ""),
            caller.encode(),
            callers.clock(),
            callers.window_s,
        )
    except signed_requests.SignatureError:
        return None
    return caller


def caller_key(scope: Scope, callers: ServiceCallers | None = None) -> str:
    """``service:<caller>`` for a request with a service's good caller signature (``callers``
    given), else ``session:<digest>`` for a request with a session cookie, else
    ``address:<ip>``."""
    if callers is not None and (caller := service_caller(scope, callers)) is not None:
        return f"service:{caller}"
    cookie_header = b"; ".join(
        value for name, value in scope.get("headers", ()) if name.lower() == b"cookie"
    ).decode("latin-1")
    if cookie_header:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(cookie_header)
        except CookieError:
            jar = SimpleCookie()
        for name in SESSION_COOKIES:
            if name in jar and jar[name].value:
                digest = hashlib.sha256(jar[name].value.encode("utf-8")).hexdigest()[:32]
                return f"session:{digest}"
    client = scope.get("client")
    return f"address:{client[0] if client else 'unknown'}"


HOLD_S = 1.0  # a refusal is answered after at most this long (see the class)


class RequestRateMiddleware:
    """Refusals are held: the 429 goes out after ``min(Retry-After, hold_s)`` seconds (a whole
    second by default), so a client that asks again at once, ignoring ``Retry-After``, is slowed to
    one refusal a second per connection instead of costing the server hundreds of answers a second
    (a held refusal is a sleeping coroutine). The hold is the advertised ``Retry-After``, not the
    time until the bucket's next token: ten connections from one address would otherwise each be
    let back every tenth of a second. A refused request that came with a body is answered
    ``Connection: close``, so its body is not read."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        buckets: TokenBuckets | None,
        callers: ServiceCallers | None = None,
        hold_s: float = HOLD_S,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.app = app
        self.buckets = buckets
        self.callers = callers
        self.hold_s = hold_s
        self._sleep = sleep

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.buckets is None
            or scope["type"] != "http"
            or not str(scope.get("path", "")).startswith("/api/")
        ):
            await self.app(scope, receive, send)
            return
        wait_s = self.buckets.take(caller_key(scope, self.callers))
        if wait_s <= 0:
            await self.app(scope, receive, send)
            return
        seconds = self.buckets.retry_after_s(wait_s)
        body = error_body(
            "rate_limited",
            REASONS["too_many_requests"].format(seconds=seconds),
            reason="too_many_requests",
            params={"seconds": seconds},
        )
        headers = {"Retry-After": str(seconds)}
        if _has_body(scope):
            headers["Connection"] = "close"
        await self._sleep(min(float(seconds), self.hold_s))
        await JSONResponse(body, status_code=429, headers=headers)(scope, receive, send)


def _has_body(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"transfer-encoding" or (
            name.lower() == b"content-length" and value.strip() not in (b"", b"0")
        ):
            return True
    return False
