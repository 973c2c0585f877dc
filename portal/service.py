"""The party portal as a side service: ``create_service(host)`` (``tingshen_platform.services``).

``install`` adds its routers under ``/api/portal/``, its pages under ``/portal/`` and its error
handlers; ``running`` runs its event consumer (cases filed, documents served) for as long as the
server runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from anyio import CapacityLimiter
from argon2 import PasswordHasher
from fastapi import FastAPI, Request, Response

from portal.api import ROUTERS
from portal.consumers import handlers
from portal.context import PortalContext
from portal.db import session_factory, upgrade_portal
from portal.hearing_links import HearingLinks
from portal.http_errors import install_handlers
from portal.pages import Pages
from portal.settings import PortalSettings
from portal.verifier import IdentityVerifier, LocalRegistryVerifier
from tingshen_platform.events import EventConsumer
from tingshen_platform.service_runtime import bound_consumer, poll_consumers, running_loops
from tingshen_platform.services import ServiceHost

__all__ = ["PortalService", "create_service"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
CONSUMER = "portal.documents"


class PortalService:
    name = "portal"

    def __init__(self, ctx: PortalContext) -> None:
        self.ctx = ctx

    def install(self, app: FastAPI) -> None:
        app.state.portal = self.ctx
        install_handlers(app)
        for router in ROUTERS:
            app.include_router(router)

        pages = Pages(STATIC_DIR)

        @app.get("/portal", include_in_schema=False)
        async def portal_home(request: Request) -> Response:
            return pages.answer(request.scope, "/")

        app.mount("/portal", pages, name="portal")

    def consumers(self) -> list[EventConsumer]:
        ctx = self.ctx
        return [bound_consumer(ctx.host.engine, CONSUMER, handlers(ctx), clock=ctx.clock)]

    def poll_events(self) -> int:
        return poll_consumers(self.consumers())

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        async with running_loops(self.consumers(), poll_s=self.ctx.settings.consumer_poll_s):
            try:
                yield
            finally:
                if self.ctx.hearing_links is not None:  # its one HTTP client
                    await self.ctx.hearing_links.aclose()


def create_service(
    host: ServiceHost,
    settings: PortalSettings | None = None,
    verifier: IdentityVerifier | None = None,
) -> PortalService:
    settings = settings or PortalSettings()
    upgrade_portal(host.engine)
    registry = settings.registry_file or host.data_dir / "portal" / "identity-registry.json"
    ctx = PortalContext(
        settings=settings,
        host=host,
        session_factory=session_factory(host.engine),
        verifier=verifier or LocalRegistryVerifier(registry),
        passwords=PasswordHasher(
            time_cost=settings.password_time_cost, memory_cost=settings.password_memory_kib
        ),
        db_threads=CapacityLimiter(settings.db_threads),
        hearing_links=_hearing_links(host, settings),
    )
    return PortalService(ctx)


def _hearing_links(host: ServiceHost, settings: PortalSettings) -> HearingLinks | None:
    if settings.hearing_links_key is None:
        return None
    key = settings.hearing_links_key.get_secret_value().encode()
    return HearingLinks(base_url=settings.hearing_url or host.public_url, key=key)
