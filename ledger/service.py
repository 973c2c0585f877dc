"""The ledger as a side service: ``create_service(host)`` (``tingshen_platform.services``).

Load it with ``TINGSHEN_SIDE_SERVICES='[…, "ledger"]'`` (not yet among the defaults: the order
workflow, its pages and its route-table lines come first). ``create_service`` migrates the
ledger's tables, loads (outside production: makes) the log's key and this court's entry key
(:mod:`ledger.keys`), registers the court's key, and opens the log writer, which refuses a
tampered log (:class:`ledger.store.LedgerError`) so the process does not start on one.
``install`` adds the public read-only API (:mod:`ledger.api`). With witnesses configured
(``TINGSHEN_LEDGER_WITNESSES``), ``running`` checkpoints the log and asks them to cosign every
``TINGSHEN_LEDGER_WITNESS_INTERVAL_S`` (:meth:`LedgerService.witness_now`, in a worker thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI

from ledger.api import router
from ledger.db import upgrade_ledger
from ledger.keys import load_key
from ledger.log.cosign import Quorum
from ledger.log.note import NoteSigner, NoteVerifier
from ledger.settings import LedgerSettings
from ledger.store import log_size, register_court
from ledger.witness_client import WitnessEndpoint, WitnessOutcome, witness_checkpoint
from ledger.writer import LogWriter
from tingshen_platform.events import EventConsumer
from tingshen_platform.services import ServiceHost

__all__ = ["LedgerService", "create_service"]

log = logging.getLogger(__name__)


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

    def install(self, app: FastAPI) -> None:
        app.state.ledger_engine = self.host.engine
        app.state.ledger_writer = self.writer
        app.include_router(router)

    def consumers(self) -> list[EventConsumer]:
        return []

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
    async def _running(self) -> AsyncIterator[None]:
        try:
            if not self.endpoints:
                yield
            else:
                async with self._witnessing():
                    yield
        finally:
            for endpoint in self.endpoints:
                endpoint.client.close()

    @contextlib.asynccontextmanager
    async def _witnessing(self) -> AsyncIterator[None]:
        stop = asyncio.Event()

        async def loop() -> None:
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

        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(task, return_exceptions=True)

    def running(self) -> contextlib.AbstractAsyncContextManager[None]:
        return self._running()


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
