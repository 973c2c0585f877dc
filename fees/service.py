"""The fee service as a side service: ``create_service(host)`` (``tingshen_platform.services``).

``install`` adds its routers under ``/api/fees/``, its pages under ``/fees/`` and its error
handlers; ``running`` runs its event consumer (cases filed and closed), its job worker (sending
notices, receipts, refunds) and its periodic work for as long as the server runs.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Connection

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
from tingshen_platform.events import Event, EventConsumer
from tingshen_platform.jobs import Job, JobWorker, work_one
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

        @app.get("/fees", include_in_schema=False)
        def fees_home() -> FileResponse:
            return FileResponse(STATIC_DIR / "index.html")

        app.mount("/fees", StaticFiles(directory=STATIC_DIR, html=True), name="fees")

    def consumers(self) -> list[EventConsumer]:
        bound = handlers(self.ctx)
        return [
            EventConsumer(
                self.ctx.host.engine,
                CONSUMER,
                _dispatch(bound),
                types=set(bound),
                clock=self.ctx.clock,
            )
        ]

    def job_handlers(self) -> dict[str, Callable[[Job], None]]:
        return {
            SEND_QUEUE: send_handler(self.ctx),
            RECEIPT_QUEUE: receipt_handler(self.ctx),
            REFUND_QUEUE: refund_handler(self.ctx),
        }

    def poll_events(self) -> int:
        return sum(consumer.poll_once() for consumer in self.consumers())

    def work_jobs(self, owner: str = "fees-test") -> int:
        """Run every due job of the service once, here (tests, commands); how many ran."""
        done = 0
        while (
            work_one(self.ctx.host.jobs, self.job_handlers(), owner, lease=timedelta(minutes=5))
            is not None
        ):
            done += 1
        return done

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        stop = asyncio.Event()
        poll_s = self.ctx.settings.consumer_poll_s
        worker = JobWorker(
            self.ctx.host.jobs,
            self.job_handlers(),
            owner=f"fees@{self.ctx.host.node}",
            poll_seconds=poll_s,
        )
        tasks = [
            asyncio.create_task(consumer.run(stop, poll_seconds=poll_s), name=consumer.name)
            for consumer in self.consumers()
        ]
        tasks.append(asyncio.create_task(worker.run(stop), name="fees-jobs"))
        tasks.append(
            asyncio.create_task(
                watch_loop(self.ctx, stop, self.ctx.settings.watch_interval_s), name="fees-watch"
            )
        )
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)


def _dispatch(
    bound: Mapping[str, Callable[[Connection, Event], None]],
) -> Callable[[Connection, Event], None]:
    def handle(connection: Connection, event: Event) -> None:
        bound[event.type](connection, event)

    return handle


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
