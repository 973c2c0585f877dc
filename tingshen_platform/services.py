"""Side services (dossier, fees, delivery, ledger) plugged into a server process.

A side service is a package with a ``service`` module that defines
``create_service(host: ServiceHost) -> SideService``. ``tingshen serve`` loads the services named
in its settings (``TINGSHEN_SIDE_SERVICES``, by default all that are bundled) by module name, so
the hearing server never imports one; each service installs its routers, pages and error
handlers on the app and runs its event consumers and periodic work in its lifespan.

What the host gives a service is all it may use of the process it runs in: the database engine
(its own tables, its own Alembic version table), the data directory, who is calling
(:class:`~tingshen_platform.identity.Identity`), fan-out, the job queue, the clock, and the blob
store of documents other services publish for it (keys come in events).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from fastapi import FastAPI
from sqlalchemy import Engine

from tingshen_platform.blobs import BlobStore
from tingshen_platform.bus import Bus
from tingshen_platform.identity import Identity
from tingshen_platform.jobs import JobQueue
from tingshen_platform.messaging import Messenger

__all__ = ["BodyLimit", "ServiceHost", "SideService", "load_service"]


@dataclass(frozen=True, slots=True)
class BodyLimit:
    """A side service's route that takes more than the app's default request body (an upload):
    a service lists them in an optional ``body_limits`` attribute, and the server's body-limit
    middleware applies them (the request is refused 413 before the route reads more)."""

    method: str
    path_pattern: str
    """A regular expression matched against the whole path (``/api/x/\\d+/files``)."""
    max_bytes: int


@dataclass(frozen=True, slots=True)
class ServiceHost:
    engine: Engine
    data_dir: Path
    identity: Identity
    bus: Bus
    jobs: JobQueue
    clock: Callable[[], datetime]
    exchange: BlobStore
    """Documents another service published for the side services (``blob_key`` in events)."""
    production: bool
    node: str
    """This process's name (a cluster runs periodic work on one process at a time)."""
    seal: Callable[[bytes, str], bytes] | None = None
    """The court's seal: ``seal(pdf, reason)`` returns the PDF signed with the court seal key
    and timestamped (PAdES, ``signing``); ``None`` where this process holds no seal key."""
    seal_file: Callable[[Path, Path, str], None] | None = None
    """The same seal from file to file, ``seal_file(source, target, reason)``, in memory that
    does not grow with the document (an archive's e-volume), keeping it PDF 1.7 (PDF/A-2 is
    based on it); ``None`` where this process holds no seal key."""
    messenger: Messenger | None = None
    """SMS and e-mail through the court's providers (``None``: this process sends none)."""
    public_url: str = "http://127.0.0.1:8000"
    """Where people reach the court's server: the start of every link put in a message."""


class SideService(Protocol):
    """Optionally also ``body_limits: Sequence[BodyLimit]`` (routes taking large bodies)."""

    name: str

    def install(self, app: FastAPI) -> None:
        """Add routers, pages and error handlers (before the app's catch-all static mount)."""
        ...

    def running(self) -> AbstractAsyncContextManager[None]:
        """Consumers and periodic work, for as long as the server runs."""
        ...

    def poll_events(self) -> int:
        """Handle the events waiting for every consumer once (tests, ``tingshen`` commands);
        how many were handled."""
        ...


def load_service(name: str, host: ServiceHost) -> SideService:
    """``name``'s ``service.create_service(host)`` (``dossier`` → ``dossier.service``)."""
    if not name.isidentifier():
        raise ValueError(f"not a service name: {name!r}")
    module = importlib.import_module(f"{name}.service")
    create: Callable[[ServiceHost], SideService] = module.create_service
    return create(host)


def load_services(names: Sequence[str], host: ServiceHost) -> list[SideService]:
    return [load_service(name, host) for name in names]
