"""The address service as a side service: ``create_service(host)`` (``tingshen_platform.services``).

``install`` adds its router under ``/api/addresses/``, its pages under ``/addresses/`` and its
error handlers; ``running`` settles look-ups a stopped process left unfinished, then runs its
event consumer (cases filed and closed).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from addresses.api import ROUTERS
from addresses.connectors import CONNECTORS, Connector
from addresses.consumers import handlers
from addresses.context import AddressesContext
from addresses.db import session_factory, upgrade_addresses
from addresses.http_errors import install_handlers
from addresses.keys import ID_HASH, provision, read_key
from addresses.lookup import settle_abandoned
from addresses.settings import AddressesSettings
from tingshen_platform.counters import Counters
from tingshen_platform.events import EventConsumer
from tingshen_platform.service_runtime import (
    bound_consumer,
    mount_pages,
    poll_consumers,
    running_loops,
)
from tingshen_platform.services import ServiceHost

__all__ = ["AddressesService", "create_service", "load_connectors"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
CONSUMER = "addresses.cases"


class AddressesService:
    name = "addresses"

    def __init__(self, ctx: AddressesContext) -> None:
        self.ctx = ctx

    def install(self, app: FastAPI) -> None:
        app.state.addresses = self.ctx
        install_handlers(app)
        for router in ROUTERS:
            app.include_router(router)
        mount_pages(app, "addresses", STATIC_DIR)

    def consumers(self) -> list[EventConsumer]:
        ctx = self.ctx
        return [bound_consumer(ctx.host.engine, CONSUMER, handlers(ctx), clock=ctx.clock)]

    def poll_events(self) -> int:
        return poll_consumers(self.consumers())

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        await run_in_threadpool(settle_abandoned, self.ctx)
        async with running_loops(self.consumers(), poll_s=self.ctx.settings.consumer_poll_s):
            yield


def load_connectors(
    settings: AddressesSettings, keys_dir: Path, *, production: bool
) -> tuple[tuple[Connector, ...], bytes | None]:
    """The connectors whose URL is set, with their keys, and the ID-number hash key. Outside
    production missing keys are made (the simulators read the same files). In production a
    connector's missing key, or the hash key missing while a connector is configured, stops the
    service from starting; with no connector and no hash key it runs with look-ups off (and
    keeps no filed ID number at all)."""
    urls = {"migrant": settings.migrant_url, "postal": settings.postal_url}
    wanted = [name for name, url in urls.items() if url]
    if not production:
        provision(keys_dir, ID_HASH, *wanted)
    id_key = read_key(keys_dir, ID_HASH)
    if id_key is None and wanted:
        raise RuntimeError(f"the ID-number hash key is missing: {keys_dir / (ID_HASH + '.key')}")
    connectors = []
    for name in wanted:
        key = read_key(keys_dir, name)
        if key is None:
            raise RuntimeError(f"connector {name}: its key is missing in {keys_dir}")
        zh, en = CONNECTORS[name]
        url = urls[name]
        assert url is not None
        connectors.append(Connector(name, zh, en, url, key, settings.client_id))
    return tuple(connectors), id_key


def create_service(
    host: ServiceHost, settings: AddressesSettings | None = None
) -> AddressesService:
    settings = settings or AddressesSettings()
    upgrade_addresses(host.engine)
    keys_dir = settings.keys_dir or host.data_dir / "addresses" / "keys"
    connectors, id_key = load_connectors(settings, keys_dir, production=host.production)
    ctx = AddressesContext(
        settings=settings,
        host=host,
        session_factory=session_factory(host.engine),
        connectors=connectors,
        id_key=id_key,
        counters=Counters(host.engine, clock=host.clock),
    )
    return AddressesService(ctx)
