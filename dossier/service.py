"""The dossier as a side service: ``create_service(host)`` (``tingshen_platform.services``).

``install`` adds its routers under ``/api/dossier/``, its pages under ``/dossier/`` and its error
handlers; ``running`` migrates nothing (that happens in ``create_service``, before the app
answers) and runs the event consumers and the periodic work for as long as the server runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path

from fastapi import FastAPI

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
from tingshen_platform.events import EventConsumer
from tingshen_platform.service_runtime import (
    EventHandler,
    Loop,
    bound_consumer,
    mount_pages,
    poll_consumers,
    running_loops,
)
from tingshen_platform.services import ServiceHost

__all__ = ["CONSUMERS", "DossierService", "create_service"]

STATIC_DIR = Path(__file__).resolve().parent / "static"

HandlerSource = Mapping[str, EventHandler] | Callable[[DossierContext], Mapping[str, EventHandler]]
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
        mount_pages(app, "dossier", STATIC_DIR)

    def consumers(self) -> list[EventConsumer]:
        ctx = self.ctx
        return [
            bound_consumer(
                ctx.host.engine, name, source(ctx) if callable(source) else source,
                clock=ctx.clock,
            )
            for name, source in CONSUMERS
        ]  # fmt: skip

    def poll_events(self) -> int:
        return poll_consumers(self.consumers())

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        ctx = self.ctx
        poll_s = ctx.settings.consumer_poll_s
        loops: dict[str, Loop] = {"dossier-fixity": lambda stop: fixity_loop(ctx, stop)}
        async with (
            running_loops(self.consumers(), poll_s=poll_s, loops=loops),
            material_jobs_running(ctx, poll_s=poll_s),
        ):
            yield


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
