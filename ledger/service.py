"""The ledger as a side service: ``create_service(host)`` (``tingshen_platform.services``).

Load it with ``TINGSHEN_SIDE_SERVICES='[…, "ledger"]'`` (not yet among the defaults: the order
workflow, its pages and its route-table lines come first). ``create_service`` migrates the
ledger's tables, loads (outside production: makes) the log's key and this court's entry key
(:mod:`ledger.keys`), registers the court's key, and opens the log writer, which refuses a
tampered log (:class:`ledger.store.LedgerError`) so the process does not start on one.
``install`` adds the public read-only API (:mod:`ledger.api`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from ledger.api import router
from ledger.db import upgrade_ledger
from ledger.keys import load_key
from ledger.log.note import NoteSigner
from ledger.settings import LedgerSettings
from ledger.store import register_court
from ledger.writer import LogWriter
from tingshen_platform.events import EventConsumer
from tingshen_platform.services import ServiceHost

__all__ = ["LedgerService", "create_service"]


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

    def install(self, app: FastAPI) -> None:
        app.state.ledger_engine = self.host.engine
        app.state.ledger_writer = self.writer
        app.include_router(router)

    def consumers(self) -> list[EventConsumer]:
        return []

    @contextlib.asynccontextmanager
    async def _running(self) -> AsyncIterator[None]:
        yield

    def running(self) -> contextlib.AbstractAsyncContextManager[None]:
        return self._running()


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
