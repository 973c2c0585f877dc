"""The side services alone: ``tingshen serve --side-services-only --hearing-url URL``.

A process that serves only the side services' routes and pages (``TINGSHEN_SIDE_SERVICES``, by
default the dossier), behind the same defences as the hearing server
(:func:`~hearing_server.defences.install_defences`), on the same database and data directory.
It holds no sessions of its own: who is calling is asked of the hearing server at
``hearing_url`` with the caller's cookies (:class:`tingshen_platform.identity.HttpIdentity`), so
a staff member logged in there is logged in here (both behind one site, or with the cookie
sent to both). The court seal is that of the court PKI in the data directory (signing on).

What the hearing UI's pages share (``/style.css``, ``/common.js``, ``/i18n.js``) is served from
the same static files, so the side services' pages look and speak as they do there.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from hearing_server.court_pki import CourtPki
from hearing_server.db import upgrade
from hearing_server.defences import install_defences
from hearing_server.errors import (
    ERROR_RESPONSES,
    ConfigurationError,
    ServiceUnavailableError,
    install_handlers,
)
from hearing_server.notices.messenger import build_messenger
from hearing_server.security import Clock, utc_now
from hearing_server.settings import Settings
from hearing_server.side_services import (
    seal_file_with,
    seal_with,
    side_body_limits,
    side_services_running,
)
from hearing_server.transcript.pdf import find_cjk_font
from hearing_server.web_mount import STATIC_DIR
from tingshen_platform.blobs import LocalBlobStore
from tingshen_platform.bus import Bus, InProcessBus, RedisBus
from tingshen_platform.identity import HttpIdentity, Principal, StaffPrincipal
from tingshen_platform.jobs import JobQueue
from tingshen_platform.services import ServiceHost, load_services

__all__ = ["HearingServerIdentity", "create_side_app"]

logger = logging.getLogger(__name__)


class HearingServerIdentity(HttpIdentity):
    """:class:`HttpIdentity` whose failure to reach the hearing server is a 503 (the caller
    tries again), not a server error."""

    async def who(self, cookies: Mapping[str, str]) -> Principal | None:
        try:
            return await super().who(cookies)
        except httpx.HTTPError as exc:
            raise _unreachable(exc) from exc

    async def staff_of_court(
        self, court_id: int, cookies: Mapping[str, str]
    ) -> list[StaffPrincipal]:
        try:
            return await super().staff_of_court(court_id, cookies)
        except httpx.HTTPError as exc:
            raise _unreachable(exc) from exc


def _unreachable(exc: httpx.HTTPError) -> ServiceUnavailableError:
    logger.warning("the hearing server did not answer who is calling: %s", type(exc).__name__)
    return ServiceUnavailableError("the hearing server cannot be reached; try again shortly")


def _seal(
    settings: Settings, clock: Clock
) -> tuple[Callable[[bytes, str], bytes] | None, Callable[[Path, Path, str], None] | None]:
    """The court seal, of bytes and from file to file (None, None: signing is off)."""
    if not settings.signing_enabled:
        return None, None
    pki = CourtPki.open(settings, clock=clock)
    font = partial(find_cjk_font, settings.pdf_font)
    return seal_with(pki, font, clock), seal_file_with(pki, font, clock)


def create_side_app(
    settings: Settings,
    *,
    hearing_url: str,
    clock: Clock = utc_now,
    identity: HttpIdentity | None = None,
) -> FastAPI:
    """``identity``: who is calling (default: the hearing server at ``hearing_url``)."""
    if not settings.side_services:
        raise ConfigurationError("no side services to run (TINGSHEN_SIDE_SERVICES is empty)")
    engine = upgrade(settings)  # the platform's tables (events, jobs) as the hearing server's
    bus: Bus = (
        RedisBus(settings.redis_url, prefix=settings.bus_prefix)
        if settings.redis_url
        else InProcessBus()
    )
    who = identity if identity is not None else HearingServerIdentity(hearing_url)
    seal, seal_file = _seal(settings, clock)
    host = ServiceHost(
        engine=engine,
        data_dir=settings.data_dir,
        identity=who,
        bus=bus,
        jobs=JobQueue(engine, clock=clock),
        clock=clock,
        exchange=LocalBlobStore(settings.data_dir / "documents"),
        production=settings.environment == "production",
        node=settings.node_name or f"{socket.gethostname()}-{os.getpid()}-side",
        seal=seal,
        seal_file=seal_file,
        messenger=build_messenger(settings),
        public_url=settings.public_base_url,
    )
    side = load_services(settings.side_services, host)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            async with side_services_running(side):
                yield
        finally:
            await who.aclose()
            await bus.aclose()
            engine.dispose()

    app = FastAPI(
        title="Tingshen side services",
        version="0.1.0",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    install_handlers(app)
    for service in side:
        service.install(app)
    app.state.side_services = side
    first = settings.side_services[0]

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse(f"/{first}/")

    # The hearing UI's shared assets (style, fetch helpers, dictionaries) for the pages above.
    app.mount("/", StaticFiles(directory=STATIC_DIR), name="web")
    install_defences(app, settings, upload_limits=side_body_limits(side))
    return app
