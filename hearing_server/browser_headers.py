"""Every browser-side defence header, set in one place for every answer of the app.

    app.add_middleware(BrowserHeadersMiddleware)   # in create_app, last: the outermost layer

A pure ASGI middleware: it wraps the whole application, so routers, the web mount and any side
service mounted later (``app.mount(...)``) get the same headers without a line of their own; a
side service run as an app of its own adds the same line to its factory. Whatever a
route set is replaced, so no route can ship weaker headers by accident; the one exception is a
``Cache-Control`` a route declares ``public`` (the public broadcast's HLS segments), kept as is.

What each answer carries (:func:`response_headers`, pure):

- ``Content-Security-Policy`` (:func:`content_security_policy`): scripts, styles, fonts and
  frames from the site only, no inline script or style, no ``eval``; images also ``data:`` and
  ``blob:`` (the signature pad's ink, canvases); media and workers also ``blob:`` (hls.js plays
  through MediaSource and transmuxes in a worker made from a blob); ``connect-src 'self'``, which
  in CSP Level 3 covers the same origin's ``ws:``/``wss:``, plus that origin spelled out for
  older browsers (when the ``Host`` header is a plain host); ``frame-ancestors 'none'``,
  ``base-uri 'none'``, ``form-action 'self'``, ``object-src 'none'``.
- ``X-Frame-Options: DENY`` (browsers without ``frame-ancestors``), ``X-Content-Type-Options:
  nosniff``, ``Referrer-Policy: no-referrer`` (invitation and signing tokens are in page URLs),
  ``Cross-Origin-Opener-Policy: same-origin`` and a ``Permissions-Policy`` that allows the
  camera, the microphone, screen sharing, full screen, autoplay and passkey sign-in
  (``publickey-credentials-get``, the party portal) to the site only and nothing else.
- ``Cache-Control: no-store`` on every answer (pages with tokens in their URL, API answers,
  recordings, downloads, errors), except the site's own scripts and style sheets (answers of
  type JavaScript or CSS outside ``/api/``), which carry nothing private: ``no-cache`` (kept,
  but revalidated each time, so a new release is seen at once).
- ``Strict-Transport-Security`` only when the request came over TLS (``scope["scheme"]`` is
  ``https``/``wss``, which a trusted proxy's ``X-Forwarded-Proto`` sets upstream).

WebSockets: an accepted socket's handshake answer is not a page, and a socket refused before it
is accepted gets the server's bare 403; a refusal sent as an HTTP answer (the ASGI
``websocket.http.response`` extension) carries the headers like any other answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hearing_server.errors import error_body

__all__ = [
    "HSTS_MAX_AGE_S",
    "BrowserHeadersMiddleware",
    "content_security_policy",
    "response_headers",
]

#: One year, the usual floor for HSTS preload lists.
HSTS_MAX_AGE_S = 31_536_000

#: Features a page of the site may use (for the site itself only); every other listed one is off.
ALLOWED_FEATURES = (
    "camera",
    "microphone",
    "display-capture",
    "fullscreen",
    "autoplay",
    "publickey-credentials-get",  # the party portal's passkey login (WebAuthn)
)
DENIED_FEATURES = (
    "accelerometer",
    "geolocation",
    "gyroscope",
    "hid",
    "magnetometer",
    "midi",
    "payment",
    "serial",
    "usb",
    "xr-spatial-tracking",
)

#: A ``Host`` header that may be written into the policy: a name or an address, and a port.
_PLAIN_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?"
)
_STATIC_TYPES = ("text/javascript", "application/javascript", "text/css")
_SECURE_SCHEMES = ("https", "wss")


def content_security_policy(host: str | None, *, secure: bool) -> str:
    """The policy for an answer to a request for ``host`` (its ``Host`` header, if plain)."""
    connect = ["'self'"]
    if host is not None and _PLAIN_HOST.fullmatch(host):
        connect.append(f"{'wss' if secure else 'ws'}://{host}")
    directives = (
        ("default-src", "'self'"),
        ("script-src", "'self'"),
        ("style-src", "'self'"),
        ("img-src", "'self' data: blob:"),
        ("media-src", "'self' blob:"),
        ("worker-src", "'self' blob:"),
        ("connect-src", " ".join(connect)),
        ("font-src", "'self'"),
        ("frame-src", "'self'"),
        ("object-src", "'none'"),
        ("base-uri", "'none'"),
        ("form-action", "'self'"),
        ("frame-ancestors", "'none'"),
    )
    return "; ".join(f"{name} {value}" for name, value in directives)


def permissions_policy() -> str:
    allowed = [f"{feature}=(self)" for feature in ALLOWED_FEATURES]
    denied = [f"{feature}=()" for feature in DENIED_FEATURES]
    return ", ".join(allowed + denied)


def cache_control(path: str, content_type: str, declared: str | None) -> str:
    """``no-store`` unless the route declared the answer public, or it is the site's own script
    or style sheet (``no-cache``)."""
    if declared is not None and "public" in _directives(declared):
        return declared
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in _STATIC_TYPES and not path.startswith("/api/"):
        return "no-cache"
    return "no-store"


def response_headers(
    *,
    path: str,
    scheme: str,
    host: str | None,
    content_type: str,
    declared_cache_control: str | None,
    hsts_max_age_s: int = HSTS_MAX_AGE_S,
) -> list[tuple[str, str]]:
    """The defence headers of one answer (names in lower case)."""
    secure = scheme in _SECURE_SCHEMES
    headers = [
        ("content-security-policy", content_security_policy(host, secure=secure)),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-opener-policy", "same-origin"),
        ("permissions-policy", permissions_policy()),
        ("cache-control", cache_control(path, content_type, declared_cache_control)),
    ]
    if secure:
        value = f"max-age={hsts_max_age_s}; includeSubDomains"
        headers.append(("strict-transport-security", value))
    return headers


def _directives(value: str) -> set[str]:
    return {part.strip().split("=", 1)[0].lower() for part in value.split(",")}


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class BrowserHeadersMiddleware:
    """Adds :func:`response_headers` to every HTTP answer (and WebSocket refusal answer)."""

    def __init__(self, app: ASGIApp, *, hsts_max_age_s: int = HSTS_MAX_AGE_S) -> None:
        self.app = app
        self.hsts_max_age_s = hsts_max_age_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_headers: Sequence[tuple[bytes, bytes]] = scope.get("headers", ())
        host = _header(request_headers, b"host")
        start = {"http": "http.response.start", "websocket": "websocket.http.response.start"}

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == start[scope["type"]]:
                started = True
                message = {**message, "headers": self._merged(scope, host, message)}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # A bug (no handler mapped it): answer the project's 500 with the headers here, where
            # they are added, then re-raise so that the server logs it (Starlette's outermost error
            # middleware sees the answer started and sends nothing more).
            if scope["type"] == "http" and not started:
                await JSONResponse(
                    error_body("server_error", "internal server error"), status_code=500
                )(scope, receive, send_with_headers)
            raise

    def _merged(
        self, scope: Scope, host: str | None, message: Message
    ) -> list[tuple[bytes, bytes]]:
        original: list[tuple[bytes, bytes]] = list(message.get("headers", ()))
        added = response_headers(
            path=scope.get("path", ""),
            scheme=scope.get("scheme", "http"),
            host=host,
            content_type=_header(original, b"content-type") or "",
            declared_cache_control=_header(original, b"cache-control"),
            hsts_max_age_s=self.hsts_max_age_s,
        )
        names = {name.encode() for name, _ in added}
        kept = [(key, value) for key, value in original if key.lower() not in names]
        return kept + [(name.encode(), value.encode("latin-1")) for name, value in added]
