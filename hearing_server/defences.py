"""The defence middlewares every server process wraps its app in: the hearing server's
(``hearing_server.app.create_app``) and a process of the side services alone
(``hearing_server.side_app.create_side_app``), so that both answer alike.

From the inside out: ids beyond 64 bits are 404 on every route; requests forged by another
site's page are refused (403 ``cross_origin``); bodies over the limit are refused as they
arrive; each caller gets a request rate (429); every answer carries the browser headers (strict
CSP, no-store, …); outermost, a trusted reverse proxy's forwarded client and scheme.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from hearing_server.body_limit import UPLOAD_LIMITS, BodyLimitMiddleware, RouteLimit
from hearing_server.browser_headers import BrowserHeadersMiddleware
from hearing_server.id_bounds import IdBoundsMiddleware
from hearing_server.origin_check import OriginCheckMiddleware, origin_policy
from hearing_server.request_rate import RequestRateMiddleware, api_buckets, service_callers
from hearing_server.security import Clock, utc_now
from hearing_server.settings import Settings

__all__ = ["install_defences"]


def install_defences(
    app: FastAPI,
    settings: Settings,
    *,
    upload_limits: Sequence[RouteLimit] = (),
    clock: Clock = utc_now,
) -> None:
    """Wrap ``app`` in the defences ``settings`` configure; call once, after the routes.
    ``upload_limits``: the side services' upload routes and their own body limits; ``clock``:
    the server's (a service's signed caller is fresh by it)."""
    app.add_middleware(IdBoundsMiddleware)  # an id beyond 64 bits: 404, whatever the route
    # Forged by another site's page: 403 cross_origin / WebSocket 4419; off-site redirects: to /.
    app.add_middleware(OriginCheckMiddleware, policy=origin_policy(settings))
    app.add_middleware(
        BodyLimitMiddleware,
        default_bytes=settings.body_limit_bytes,
        routes=(*UPLOAD_LIMITS, *upload_limits),
    )
    app.add_middleware(  # 429 per caller (a party the portal asks for is one)
        RequestRateMiddleware,
        buckets=api_buckets(settings),
        callers=service_callers(settings, clock),
    )
    app.add_middleware(BrowserHeadersMiddleware)  # CSP, no-store, …: on every answer below
    if settings.trusted_proxies:  # outermost: everything inside sees the real client and scheme
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
