"""Which pages may act on the server, and where its redirects may lead (pure; no framework).

A cross-site request forgery always comes from a browser, and browsers say where a request
comes from: ``Origin`` on every WebSocket handshake and every cross-origin POST (and, in
Chromium and Firefox, on same-origin POSTs too), ``Sec-Fetch-Site`` on requests to a secure
context (HTTPS, and ``http://127.0.0.1``/``localhost``), ``Referer`` unless a policy hides it.
The rule, for a WebSocket handshake and every request of a method that is not safe (anything
but GET, HEAD, OPTIONS, TRACE), decided by the first of these that is present:

1. ``Origin`` with an origin: allowed when it is one of the site's origins, else refused.
2. ``Sec-Fetch-Site``: allowed when ``same-origin`` or ``none`` (typed by the user), else refused
   (``same-site``, ``cross-site``). A page under ``Referrer-Policy: no-referrer`` sends
   ``Origin: null`` on its own same-origin POSTs: this decides those.
3. ``Referer``: allowed when its origin is one of the site's, else refused.
4. ``Origin: null`` and nothing else to go by (a sandboxed frame, a ``file:`` page, a redirect
   from another site): refused.
5. None of them: allowed. Not a browser (an API client, a test client, ``curl``), so not a
   forgery: such a client has to hold the session itself.

The site's origins (:class:`OriginPolicy`): the origin of ``public_base_url``, those listed in
``allowed_origins`` and, in development only, the origin the request was addressed to (its
``Host`` header with the scheme it came in on: ``make run`` opened as ``localhost:8000``, tests
on random ports). A forged request cannot choose that ``Host``: the browser sets it to the
server it sends to, and a page of a DNS-rebound name gets no cookie of the real site. Production
trusts the configured origins only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["SAFE_METHODS", "OriginPolicy", "origin_of", "redirect_on_site"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SOCKET_SCHEMES = {"ws": "http", "wss": "https"}
#: ``Sec-Fetch-Site`` values a forged request cannot carry.
_OWN_FETCH_SITES = frozenset({"same-origin", "none"})
#: Characters a browser drops from a URL before parsing it (tab, line breaks).
_URL_STRIPPED = str.maketrans("", "", "\t\r\n")


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) (or ws(s)) URL, as a browser serialises an origin
    (lower case, default port left out); None when ``url`` has no such origin."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = _SOCKET_SCHEMES.get(parts.scheme.lower(), parts.scheme.lower())
    host = parts.hostname
    if scheme not in _DEFAULT_PORTS or not host or "@" in parts.netloc:
        return None
    if ":" in host:
        host = f"[{host}]"
    shown_port = "" if port is None or port == _DEFAULT_PORTS[scheme] else f":{port}"
    return f"{scheme}://{host}{shown_port}"


def site_origin(setting: str) -> str:
    """A configured origin, checked: ``scheme://host[:port]`` and nothing more (a settings
    validator; raises ``ValueError``)."""
    origin = origin_of(setting)
    parts = urlsplit(setting.strip())
    if origin is None or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{setting!r} is not an origin such as https://court.example:8443")
    return origin


@dataclass(frozen=True, slots=True)
class OriginPolicy:
    """The site's origins, and whether the origin a request was addressed to counts as one."""

    allowed: frozenset[str]
    allow_own_host: bool = False

    @classmethod
    def of(cls, origins: Iterable[str], *, allow_own_host: bool) -> OriginPolicy:
        return cls(frozenset(o for o in map(origin_of, origins) if o), allow_own_host)

    def origins(self, own_origin: str | None) -> frozenset[str]:
        if self.allow_own_host and own_origin:
            return self.allowed | {own_origin}
        return self.allowed

    def refusal(self, headers: Mapping[str, str], own_origin: str | None) -> str | None:
        """None when a request with these (lower-case) headers may act; else what gave it
        away as coming from elsewhere (an origin, or the header that said so)."""
        allowed = self.origins(own_origin)
        origin = headers.get("origin")
        if origin is not None and origin.strip().lower() != "null":
            seen = origin_of(origin)
            return None if seen in allowed else (seen or "Origin: " + origin[:64])
        fetch_site = headers.get("sec-fetch-site")
        if fetch_site is not None:
            fetch_site = fetch_site.strip().lower()
            return None if fetch_site in _OWN_FETCH_SITES else f"Sec-Fetch-Site: {fetch_site[:32]}"
        referer = headers.get("referer")
        if referer:
            seen = origin_of(referer)
            return None if seen in allowed else (seen or "Referer")
        return "Origin: null" if origin is not None else None


def redirect_on_site(location: str, site_origins: frozenset[str]) -> bool:
    """Whether a redirect to ``location`` stays on the site: a path on this server, or an
    absolute http(s) URL of one of ``site_origins``. A browser reads ``\\`` as ``/`` and
    drops tabs and line breaks, so ``/\\other.host`` and ``//other.host`` leave the site."""
    target = location.strip().translate(_URL_STRIPPED).replace("\\", "/")
    if target.startswith("//"):
        return False  # scheme-relative: another host (the site's own is written as a path)
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    if not parts.scheme and not parts.netloc:
        return True
    if not parts.netloc:
        return False  # "https:other.host" is another host to a browser on http
    return origin_of(target) in site_origins
