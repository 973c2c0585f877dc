"""The ledger as a side service: ``create_service(host)`` (``tingshen_platform.services``).

Load it with ``TINGSHEN_SIDE_SERVICES='[…, "ledger"]'`` (not yet among the defaults: its
route-table lines come first). ``create_service`` migrates the
ledger's tables, loads (outside production: makes) the log's key and this court's entry key
(:mod:`ledger.keys`), registers the court's key, and opens the log writer, which refuses a
tampered log (:class:`ledger.store.LedgerError`) so the process does not start on one.
``install`` adds the public read-only API (:mod:`ledger.api`), the order workflow's routes
(:mod:`ledger.order_api`) and pages (``/ledger/``); ``running`` reads ``case.filed`` (consumer
``ledger.events``) and expires orders past their last day. With witnesses configured
(``TINGSHEN_LEDGER_WITNESSES``), ``running`` checkpoints the log and asks them to cosign every
``TINGSHEN_LEDGER_WITNESS_INTERVAL_S`` (:meth:`LedgerService.witness_now`, in a worker thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from court_events.dossier import CASE_FILED
from ledger.api import router
from ledger.consumers import CONSUMER, on_case_filed
from ledger.db import upgrade_ledger
from ledger.keys import load_key
from ledger.lawyers import Lawyers, PortalLawyers
from ledger.log.cosign import Quorum
from ledger.log.note import NoteSigner, NoteVerifier
from ledger.order_api import router as order_router
from ledger.order_context import OrderContext
from ledger.order_rules import OrderRuleError
from ledger.order_tell import TELL_QUEUE, tell_handler
from ledger.orders import OrderError, expire_due
from ledger.ratelimit import RateLimit
from ledger.settings import LedgerSettings
from ledger.store import log_size, register_court
from ledger.witness_client import WitnessEndpoint, WitnessOutcome, witness_checkpoint
from ledger.writer import LogWriter
from tingshen_platform.events import EventConsumer
from tingshen_platform.jobs import Job
from tingshen_platform.service_runtime import (
    Loop,
    bound_consumer,
    every,
    poll_consumers,
    running_loops,
    work_due_jobs,
)
from tingshen_platform.services import BodyLimit, ServiceHost

__all__ = ["LedgerService", "create_service"]

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"


class LedgerService:
    name = "ledger"

    def __init__(
        self, host: ServiceHost, settings: LedgerSettings, writer: LogWriter, court: NoteSigner
    ) -> None:
        self.host = host
        self.settings = settings
        self.writer = writer
        self.court = court
        self.log_key = writer.log_key
        self.endpoints = [_endpoint(line) for line in settings.witnesses]
        self.quorum = (
            Quorum(tuple(e.key for e in self.endpoints), settings.quorum)
            if self.endpoints
            else None
        )
        self.orders = OrderContext(
            engine=host.engine, writer=writer, court=court, court_name=settings.court_key_name,
            settings=settings, clock=host.clock, files=host.exchange, seal=host.seal,
            public_url=host.public_url, witness=self.checkpoint_witnessed, quorum=self.quorum,
            jobs=host.jobs,
        )  # fmt: skip
        self.lawyers: Lawyers | None = None
        self.body_limits = [BodyLimit("POST", r"/api/ledger/public/respond", 60 * 1024 * 1024)]

    def install(self, app: FastAPI) -> None:
        app.state.ledger_engine = self.host.engine
        app.state.ledger_writer = self.writer
        app.state.ledger_orders = self.orders
        app.state.ledger_identity = self.host.identity
        app.state.ledger_limit = RateLimit(self.settings.verify_per_minute)
        url = self.settings.portal_url
        self.lawyers = PortalLawyers.over_http(url) if url else PortalLawyers.in_process(app)
        app.state.ledger_lawyers = self.lawyers
        app.add_exception_handler(OrderError, _order_error)  # type: ignore[arg-type]
        app.add_exception_handler(OrderRuleError, _rule_error)  # type: ignore[arg-type]
        app.include_router(router)
        app.include_router(order_router)
        app.mount("/ledger", StaticFiles(directory=STATIC_DIR, html=True), name="ledger")

    def consumers(self) -> list[EventConsumer]:
        bound = {CASE_FILED.name: on_case_filed}
        return [bound_consumer(self.host.engine, CONSUMER, bound, clock=self.host.clock)]

    def poll_events(self) -> int:
        return poll_consumers(self.consumers())

    def job_handlers(self) -> dict[str, Callable[[Job], None]]:
        return {TELL_QUEUE: tell_handler(self.host.messenger)}

    def work_jobs(self, owner: str = "ledger-test") -> int:
        """Run every due job of the service once, here (tests, commands); how many ran."""
        return work_due_jobs(self.host.jobs, self.job_handlers(), owner)

    def checkpoint_witnessed(self) -> int:
        """Checkpoint the log now and ask the witnesses (if any) to cosign; its size."""
        checkpoint = self.writer.checkpoint()
        if self.quorum is not None:
            met, outcomes = witness_checkpoint(
                self.host.engine, self.writer, checkpoint.size, self.endpoints, self.quorum,
                self.host.clock,
            )  # fmt: skip
            if not met:
                log.warning("ledger: no witness quorum for %d: %s", checkpoint.size, outcomes)
        return checkpoint.size

    def witness_now(self) -> tuple[bool, list[WitnessOutcome]]:
        """Checkpoint the log as it is (if it grew) and ask every witness to cosign; whether the
        quorum is met, and what each witness said."""
        with self.host.engine.connect() as connection:
            empty = log_size(connection) == 0
        if self.quorum is None or empty:
            return False, []
        checkpoint = self.writer.checkpoint()
        return witness_checkpoint(
            self.host.engine, self.writer, checkpoint.size, self.endpoints, self.quorum,
            self.host.clock,
        )  # fmt: skip

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        loops: dict[str, Loop] = {"ledger-expiry": self._expiring}
        if self.endpoints:
            loops["ledger-witness"] = self._witnessing
        try:
            async with running_loops(
                self.consumers(), poll_s=self.settings.consumer_poll_s, jobs=self.host.jobs,
                job_handlers=self.job_handlers(), owner=f"ledger@{self.host.node}", loops=loops,
            ):  # fmt: skip
                yield
        finally:
            for endpoint in self.endpoints:
                endpoint.client.close()
            if isinstance(self.lawyers, PortalLawyers):
                await self.lawyers.aclose()

    async def _expiring(self, stop: asyncio.Event) -> None:
        await every(
            stop, self.settings.expiry_interval_s, functools.partial(expire_due, self.orders),
            logger=log, failed="ledger: expiring orders failed",
        )  # fmt: skip

    async def _witnessing(self, stop: asyncio.Event) -> None:
        """Every ``witness_interval_s`` (the first after one interval), until ``stop``."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.witness_interval_s)
            if stop.is_set():
                return
            try:
                met, outcomes = await asyncio.to_thread(self.witness_now)
                if outcomes and not met:
                    log.warning("ledger: no witness quorum: %s", outcomes)
            except Exception:
                log.exception("ledger: witnessing failed")


def _order_error(request: Request, exc: OrderError) -> JSONResponse:
    return _json_error(exc.status, exc.reason, exc.zh, exc.en)


def _rule_error(request: Request, exc: OrderRuleError) -> JSONResponse:
    return _json_error(422, exc.reason, "调查令的内容不符合规则：" + exc.detail, exc.detail)


def _json_error(status: int, reason: str, zh: str, en: str) -> JSONResponse:
    body = {"error": {"code": reason, "reason": reason, "message": en, "message_zh": zh,
                      "params": {}}}  # fmt: skip
    return JSONResponse(body, status_code=status)


def _endpoint(line: str) -> WitnessEndpoint:
    vkey, _, url = line.strip().partition(" ")
    if not url.startswith(("http://", "https://")):
        raise RuntimeError(f"a witness is '<verifier key> <URL>': {line!r}")
    return WitnessEndpoint(NoteVerifier.parse(vkey), httpx.Client(base_url=url.strip(), timeout=5))


def create_service(host: ServiceHost, settings: LedgerSettings | None = None) -> LedgerService:
    settings = settings or LedgerSettings()
    upgrade_ledger(host.engine)
    keys_dir = settings.keys_dir or host.data_dir / "ledger" / "keys"
    log_key = load_key(keys_dir, settings.log_key_name, production=host.production)
    court = load_key(keys_dir, settings.court_key_name, production=host.production)
    with host.engine.begin() as connection:
        register_court(connection, court.verifier(), settings.court_key_name, host.clock())
    writer = LogWriter(
        host.engine,
        log_key,
        settings.origin,
        checkpoint_every=settings.checkpoint_every,
        clock=host.clock,
    )
    return LedgerService(host, settings, writer, court)
