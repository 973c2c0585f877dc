"""The dossier as a side service: ``create_service(host)`` (``tingshen_platform.services``).

``install`` adds its routers under ``/api/dossier/``, its pages under ``/dossier/`` and its error
handlers; ``running`` migrates nothing (that happens in ``create_service``, before the app
answers) and runs the event consumers and the periodic work for as long as the server runs.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Connection

from dossier import consumers
from dossier.api import ROUTERS
from dossier.archive import tables as _archive_tables  # noqa: F401  (their metadata)
from dossier.archive.fixity import fixity_loop
from dossier.context import DossierContext
from dossier.db import session_factory, upgrade_dossier
from dossier.errors import install_handlers
from dossier.filing import tables as _filing_tables  # noqa: F401  (their metadata)
from dossier.materials import search_tables as _search_tables  # noqa: F401  (metadata)
from dossier.materials import tables as _material_tables  # noqa: F401  (their metadata)
from dossier.materials.processing import (
    material_body_limits,
)
from dossier.materials.processing import (
    worker_running as material_jobs_running,
)
from dossier.publish import materials_in
from dossier.publish import tables as _publish_tables  # noqa: F401  (their metadata)
from dossier.register import hearings as register_hearings
from dossier.settings import DossierSettings
from tingshen_platform.blobs import LocalBlobStore
from tingshen_platform.events import Event, EventConsumer
from tingshen_platform.services import ServiceHost

__all__ = ["CONSUMERS", "DossierService", "create_service"]

STATIC_DIR = Path(__file__).resolve().parent / "static"

Handler = Callable[[Connection, Event], None]
HandlerSource = Mapping[str, Handler] | Callable[[DossierContext], Mapping[str, Handler]]
"""The handlers by event type, or a function of the service's context that makes them (for
handlers that need its file stores)."""
CONSUMERS: tuple[tuple[str, HandlerSource], ...] = (
    ("dossier.cases", consumers.HANDLERS),
    ("dossier.materials_in", materials_in.handlers),
    ("dossier.hearings", register_hearings.HANDLERS),
    ("dossier.records", register_hearings.RECORD_HANDLERS),
)
"""Each consumer (its own name, so one failing handler holds up only its own events) and the
event types it handles."""


class DossierService:
    name = "dossier"

    def __init__(self, ctx: DossierContext) -> None:
        self.ctx = ctx
        self.body_limits = material_body_limits(ctx.settings)

    def install(self, app: FastAPI) -> None:
        app.state.dossier = self.ctx
        install_handlers(app)
        for router in ROUTERS:
            app.include_router(router)

        @app.get("/dossier", include_in_schema=False)
        def dossier_home() -> FileResponse:
            return FileResponse(STATIC_DIR / "index.html")

        app.mount("/dossier", StaticFiles(directory=STATIC_DIR, html=True), name="dossier")

    def consumers(self) -> list[EventConsumer]:
        bound = [
            (name, source(self.ctx) if callable(source) else source) for name, source in CONSUMERS
        ]
        return [
            EventConsumer(
                self.ctx.host.engine,
                name,
                _dispatch(handlers),
                types=set(handlers),
                clock=self.ctx.clock,
            )
            for name, handlers in bound
        ]

    def poll_events(self) -> int:
        return sum(consumer.poll_once() for consumer in self.consumers())

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        stop = asyncio.Event()
        poll_s = self.ctx.settings.consumer_poll_s
        tasks = [
            asyncio.create_task(consumer.run(stop, poll_seconds=poll_s), name=consumer.name)
            for consumer in self.consumers()
        ]
        tasks.append(asyncio.create_task(fixity_loop(self.ctx, stop), name="dossier-fixity"))
        try:
            async with material_jobs_running(self.ctx, poll_s=poll_s):
                yield
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)


def _dispatch(handlers: Mapping[str, Handler]) -> Handler:
    def handle(connection: Connection, event: Event) -> None:
        handlers[event.type](connection, event)

    return handle


def create_service(host: ServiceHost, settings: DossierSettings | None = None) -> DossierService:
    settings = settings or DossierSettings()
    upgrade_dossier(host.engine)
    files_dir = settings.files_dir or host.data_dir / "dossier"
    ctx = DossierContext(
        settings=settings,
        host=host,
        session_factory=session_factory(host.engine),
        files=LocalBlobStore(files_dir),
    )
    return DossierService(ctx)
