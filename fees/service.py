"""The fee service as a side service: ``create_service(host)`` (``tingshen_platform.services``).

``install`` adds its routers under ``/api/fees/``, its pages under ``/fees/`` and its error
handlers; ``running`` runs its event consumer (cases filed and closed), its job worker (sending
notices, receipts, refunds) and its periodic work for as long as the server runs.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from fastapi import FastAPI

from fees.api import ROUTERS
from fees.case_rules import load_case_rules
from fees.consumers import handlers
from fees.context import FeesContext
from fees.db import session_factory, upgrade_fees
from fees.http_errors import install_handlers
from fees.loader import load_schedules
from fees.provider import load_provider
from fees.receipts import RECEIPT_QUEUE, receipt_handler
from fees.refunds import REFUND_QUEUE, refund_handler
from fees.sending import SEND_QUEUE, send_handler
from fees.service_settings import FeesServiceSettings
from fees.settings import FeeSettings
from fees.watch import watch_loop
from tingshen_platform.blobs import LocalBlobStore
from tingshen_platform.events import EventConsumer
from tingshen_platform.jobs import Job
from tingshen_platform.service_runtime import (
    bound_consumer,
    mount_pages,
    poll_consumers,
    running_loops,
    work_due_jobs,
)
from tingshen_platform.services import ServiceHost

__all__ = ["FeesService", "create_service"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
CONSUMER = "fees.cases"


class FeesService:
    name = "fees"

    def __init__(self, ctx: FeesContext) -> None:
        self.ctx = ctx

    def install(self, app: FastAPI) -> None:
        app.state.fees = self.ctx
        install_handlers(app)
        for router in ROUTERS:
            app.include_router(router)
        mount_pages(app, "fees", STATIC_DIR)

    def consumers(self) -> list[EventConsumer]:
        ctx = self.ctx
        return [bound_consumer(ctx.host.engine, CONSUMER, handlers(ctx), clock=ctx.clock)]

    def job_handlers(self) -> dict[str, Callable[[Job], None]]:
        return {
            SEND_QUEUE: send_handler(self.ctx),
            RECEIPT_QUEUE: receipt_handler(self.ctx),
            REFUND_QUEUE: refund_handler(self.ctx),
        }

    def poll_events(self) -> int:
        return poll_consumers(self.consumers())

    def work_jobs(self, owner: str = "fees-test") -> int:
        """Run every due job of the service once, here (tests, commands); how many ran."""
        return work_due_jobs(self.ctx.host.jobs, self.job_handlers(), owner)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        ctx = self.ctx

        async def watching(stop: asyncio.Event) -> None:
            await watch_loop(ctx, stop, ctx.settings.watch_interval_s)

        async with running_loops(
            self.consumers(), poll_s=ctx.settings.consumer_poll_s, jobs=ctx.host.jobs,
            job_handlers=self.job_handlers(), owner=f"fees@{ctx.host.node}",
            loops={"fees-watch": watching},
        ):  # fmt: skip
            yield


def create_service(host: ServiceHost, settings: FeesServiceSettings | None = None) -> FeesService:
    settings = settings or FeesServiceSettings()
    upgrade_fees(host.engine)
    files_dir = settings.files_dir or host.data_dir / "fees"
    ctx = FeesContext(
        settings=settings,
        fee_settings=FeeSettings(),
        schedules=load_schedules(),
        rules=load_case_rules(),
        host=host,
        session_factory=session_factory(host.engine),
        files=LocalBlobStore(files_dir),
        provider=load_provider(
            settings,
            host.data_dir,
            production=host.production,
            clock=lambda: host.clock().timestamp(),
        ),
    )
    return FeesService(ctx)
