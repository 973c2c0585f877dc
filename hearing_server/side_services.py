"""The side services this process runs (``TINGSHEN_SIDE_SERVICES``, by default the dossier),
loaded by package name so that the hearing server imports none of them
(``tingshen_platform.services``). They get the host's engine, data directory, clock, fan-out and
job queue, the hearing server's :class:`~hearing_server.identity.LocalIdentity`, and its document
store to read the documents its events name."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence

from fastapi import FastAPI

from hearing_server.identity import LocalIdentity
from hearing_server.services import Services
from tingshen_platform.blobs import LocalBlobStore
from tingshen_platform.jobs import JobQueue
from tingshen_platform.services import ServiceHost, SideService, load_services

__all__ = ["install_side_services", "side_services_running"]


def service_host(services: Services) -> ServiceHost:
    ctx = services.context
    return ServiceHost(
        engine=ctx.engine,
        data_dir=ctx.settings.data_dir,
        identity=LocalIdentity(ctx),
        bus=services.bus,
        jobs=JobQueue(ctx.engine, clock=ctx.clock),
        clock=ctx.clock,
        exchange=LocalBlobStore(ctx.settings.data_dir / "documents"),
        production=ctx.settings.environment == "production",
        node=services.node,
    )


def install_side_services(app: FastAPI, services: Services) -> list[SideService]:
    """Load and install (routers, pages) every configured side service; before the app's
    catch-all static mount."""
    loaded = load_services(services.context.settings.side_services, service_host(services))
    for service in loaded:
        service.install(app)
    return loaded


@contextlib.asynccontextmanager
async def side_services_running(loaded: Sequence[SideService]) -> AsyncIterator[None]:
    async with contextlib.AsyncExitStack() as stack:
        for service in loaded:
            await stack.enter_async_context(service.running())
        yield
