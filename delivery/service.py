"""The delivery service as a side service: ``create_service(host)``
(``tingshen_platform.services``).

``install`` adds its routers under ``/api/delivery/``, its pages under ``/delivery/`` and its
error handlers; ``running`` runs its event consumer (cases filed, documents opened in the portal)
and its job worker (sending attempts, issuing proofs of service) for as long as the server runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from fastapi import FastAPI
from pydantic import SecretStr

from delivery.api import ROUTERS
from delivery.consumers import handlers
from delivery.context import DeliveryContext
from delivery.courier.local import LocalCourier
from delivery.db import session_factory, upgrade_delivery
from delivery.errors import install_handlers
from delivery.proof import proof_handler
from delivery.sending import send_handler
from delivery.serving import SEND_QUEUE
from delivery.settings import DeliveryServiceSettings
from delivery.sms_simulator import LocalSmsReceipts, Poster, http_poster
from delivery.steps import PROOF_QUEUE
from delivery.traces import TRACE_QUEUE, AsrTranscriber, Transcriber, trace_handler
from tingshen_platform.blobs import LocalBlobStore
from tingshen_platform.events import EventConsumer
from tingshen_platform.jobs import Job
from tingshen_platform.service_runtime import (
    Loop,
    bound_consumer,
    every,
    mount_pages,
    poll_consumers,
    running_loops,
    work_due_jobs,
)
from tingshen_platform.services import BodyLimit, ServiceHost

__all__ = ["DeliveryService", "create_service"]

logger = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
CONSUMER = "delivery.events"


class DeliveryService:
    name = "delivery"

    def __init__(self, ctx: DeliveryContext, transcriber: Transcriber | None = None) -> None:
        self.ctx = ctx
        self._transcriber = transcriber
        self._lock = threading.Lock()
        self.body_limits = [
            BodyLimit(
                "POST",
                r"/api/delivery/cases/\d+/services",
                ctx.settings.max_document_bytes + 64 * 1024,  # the form's other fields
            ),
            BodyLimit(
                "POST",
                r"/api/delivery/services/\d+/traces",
                ctx.settings.max_recording_bytes + 64 * 1024,
            ),
        ]

    def transcriber(self) -> Transcriber:
        """The offline ASR of call recordings, made on first use (the model loads then)."""
        with self._lock:
            if self._transcriber is None:
                settings = self.ctx.settings
                self._transcriber = AsrTranscriber(settings.asr_model, settings.asr_language)
            return self._transcriber

    def install(self, app: FastAPI) -> None:
        app.state.delivery = self.ctx
        install_handlers(app)
        for router in ROUTERS:
            app.include_router(router)
        mount_pages(app, "delivery", STATIC_DIR)

    def consumers(self) -> list[EventConsumer]:
        ctx = self.ctx
        return [bound_consumer(ctx.host.engine, CONSUMER, handlers(ctx), clock=ctx.clock)]

    def job_handlers(self) -> dict[str, Callable[[Job], None]]:
        return {
            SEND_QUEUE: send_handler(self.ctx),
            PROOF_QUEUE: proof_handler(self.ctx),
            TRACE_QUEUE: trace_handler(self.ctx, self.transcriber),
        }

    def poll_events(self) -> int:
        return poll_consumers(self.consumers())

    def work_jobs(self, owner: str = "delivery-test") -> int:
        """Run every due job of the service once, here (tests, commands); how many ran."""
        return work_due_jobs(self.ctx.host.jobs, self.job_handlers(), owner)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        ctx = self.ctx
        poll_s = ctx.settings.consumer_poll_s
        loops: dict[str, Loop] = {}
        if ctx.settings.sms_receipts_simulated:
            receipts = local_sms_receipts(ctx, http_poster(ctx.host.public_url))
            loops["sms-sim"] = lambda stop: simulate_rounds(receipts, stop, poll_s)
        async with running_loops(
            self.consumers(), poll_s=poll_s, jobs=ctx.host.jobs,
            job_handlers=self.job_handlers(), owner=f"delivery@{ctx.host.node}", loops=loops,
        ):  # fmt: skip
            yield


def local_sms_receipts(ctx: DeliveryContext, post: Poster) -> LocalSmsReceipts:
    """The local SMS provider's receipts simulator (its outbox: ``<data dir>/sms``)."""
    return LocalSmsReceipts(
        ctx.host.data_dir / "sms" / "messages.jsonl", ctx.sms_receipt_key, ctx.clock, post,
        frozenset(ctx.settings.sms_dead_numbers),
    )  # fmt: skip


async def simulate_rounds(receipts: LocalSmsReceipts, stop: asyncio.Event, poll_s: float) -> None:
    """The simulator's rounds every ``poll_s`` until ``stop`` (a failed round is logged)."""
    await every(
        stop, poll_s, receipts.send_due, logger=logger, failed="the local SMS receipts round failed"
    )


def shared_key(
    value: SecretStr | None, path: Path, setting: str, *, production: bool, what: str
) -> bytes:
    """A callback's shared key: the setting; in development one kept at ``path``."""
    if value is not None:
        key = value.get_secret_value()
        if len(key) < 32:
            raise ValueError(f"{setting} must have at least 32 characters")
        return key.encode()
    if production:
        raise ValueError(f"production needs {setting} ({what})")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32), "ascii")
        path.chmod(0o600)
    return path.read_text("ascii").strip().encode()


def courier_key(settings: DeliveryServiceSettings, folder: Path, *, production: bool) -> bytes:
    """The courier callbacks' shared key."""
    return shared_key(
        settings.courier_key, folder / "courier.key", "TINGSHEN_DELIVERY_COURIER_KEY",
        production=production, what="courier callbacks",
    )  # fmt: skip


def sms_receipt_key(settings: DeliveryServiceSettings, folder: Path, *, production: bool) -> bytes:
    """The SMS provider's delivery receipts' shared key."""
    return shared_key(
        settings.sms_receipt_key, folder / "sms-receipts.key",
        "TINGSHEN_DELIVERY_SMS_RECEIPT_KEY", production=production,
        what="SMS delivery receipts",
    )  # fmt: skip


def create_service(
    host: ServiceHost, settings: DeliveryServiceSettings | None = None
) -> DeliveryService:
    settings = settings or DeliveryServiceSettings()
    if settings.sms_receipts_simulated and host.production:
        raise ValueError("TINGSHEN_DELIVERY_SMS_RECEIPTS_SIMULATED is for development only")
    if settings.courier != "local":
        raise ValueError(f"unknown courier {settings.courier!r} (only 'local' is bundled)")
    upgrade_delivery(host.engine)
    files_dir = settings.files_dir or host.data_dir / "delivery"
    key = courier_key(settings, host.data_dir / "delivery", production=host.production)
    ctx = DeliveryContext(
        settings=settings,
        host=host,
        session_factory=session_factory(host.engine),
        files=LocalBlobStore(files_dir / "files"),
        courier=LocalCourier(host.data_dir / "delivery" / "courier-sim", key, host.clock),
        courier_key=key,
        sms_receipt_key=sms_receipt_key(
            settings, host.data_dir / "delivery", production=host.production
        ),
    )
    return DeliveryService(ctx)
