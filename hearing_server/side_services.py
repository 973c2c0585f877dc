"""The side services this process runs (``TINGSHEN_SIDE_SERVICES``, by default the dossier),
loaded by package name so that the hearing server imports none of them
(``tingshen_platform.services``). They get the host's engine, data directory, clock, fan-out and
job queue, the hearing server's :class:`~hearing_server.identity.LocalIdentity`, its document
store to read the documents its events name, and the court seal (``ServiceHost.seal``)."""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI

from hearing_server.body_limit import RouteLimit
from hearing_server.court_pki import CourtPki
from hearing_server.identity import LocalIdentity
from hearing_server.notices.messenger import build_messenger
from hearing_server.services import Services
from signing.appearance import SignatureAppearance
from signing.pades import seal_file, sign_with_key
from tingshen_platform.blobs import LocalBlobStore
from tingshen_platform.jobs import JobQueue
from tingshen_platform.services import BodyLimit, ServiceHost, SideService, load_services

__all__ = [
    "install_side_services",
    "seal_file_with",
    "seal_with",
    "side_body_limits",
    "side_services_running",
]


SEAL_BOX = (400, 36, 556, 156)
"""Where the seal goes on the last page (PDF points: bottom right of an A4 page)."""


def court_seal(services: Services) -> Callable[[bytes, str], bytes] | None:
    """``seal(pdf, reason)``: the PDF signed with the court seal key and timestamped by the
    court's TSA, its appearance the court's round seal at the bottom right of the last page
    (None: signing is off)."""
    closing = services.closing
    if closing is None:
        return None
    return seal_with(closing.pki, lambda: closing.font, closing.ctx.clock)


def court_seal_file(services: Services) -> Callable[[Path, Path, str], None] | None:
    """:func:`court_seal` from file to file (``ServiceHost.seal_file``; None: signing is off)."""
    closing = services.closing
    if closing is None:
        return None
    return seal_file_with(closing.pki, lambda: closing.font, closing.ctx.clock)


def _appearance(pki: CourtPki, reason: str) -> SignatureAppearance:
    return SignatureAppearance(
        pki.ca.court_name, "法院印章", reason=reason, seal=True, page=-1, box=SEAL_BOX
    )


def seal_with(
    pki: CourtPki, font: Callable[[], Path], clock: Callable[[], datetime]
) -> Callable[[bytes, str], bytes]:
    """The court seal of ``pki`` (``font``: the CJK font of the seal's text, found when first
    sealing)."""

    def seal(pdf: bytes, reason: str) -> bytes:
        ca = pki.ca
        field = f"court-seal-{secrets.token_hex(4)}"
        return sign_with_key(
            pdf, field, ca.seal_cert, ca.seal_key, ca.chain, _appearance(pki, reason),
            pki.timestamper(), font=font(), now=clock(),
        )  # fmt: skip

    return seal


def seal_file_with(
    pki: CourtPki, font: Callable[[], Path], clock: Callable[[], datetime]
) -> Callable[[Path, Path, str], None]:
    """:func:`seal_with` from the file ``source`` to the file ``target``, the document never
    in memory, kept PDF 1.7 (``signing.pades.seal_file``)."""

    def seal(source: Path, target: Path, reason: str) -> None:
        ca = pki.ca
        field = f"court-seal-{secrets.token_hex(4)}"
        seal_file(
            source, target, field, ca.seal_cert, ca.seal_key, ca.chain,
            _appearance(pki, reason), pki.timestamper(), font=font(), now=clock(),
            keep_pdf_1_7=True,
        )  # fmt: skip

    return seal


def service_host(services: Services) -> ServiceHost:
    ctx = services.context
    return ServiceHost(
        seal=court_seal(services),
        seal_file=court_seal_file(services),
        engine=ctx.engine,
        data_dir=ctx.settings.data_dir,
        identity=LocalIdentity(ctx),
        bus=services.bus,
        jobs=JobQueue(ctx.engine, clock=ctx.clock),
        clock=ctx.clock,
        exchange=LocalBlobStore(ctx.settings.data_dir / "documents"),
        production=ctx.settings.environment == "production",
        node=services.node,
        messenger=build_messenger(ctx.settings),
        public_url=ctx.settings.public_base_url,
    )


def install_side_services(app: FastAPI, services: Services) -> list[SideService]:
    """Load and install (routers, pages) every configured side service; before the app's
    catch-all static mount."""
    loaded = load_services(services.context.settings.side_services, service_host(services))
    for service in loaded:
        service.install(app)
    return loaded


def side_body_limits(loaded: Sequence[SideService]) -> list[RouteLimit]:
    """The body limits the services declare for their upload routes (``body_limits``)."""
    limits: list[BodyLimit] = [
        limit for service in loaded for limit in getattr(service, "body_limits", ())
    ]
    return [RouteLimit(x.method, re.compile(x.path_pattern), x.max_bytes) for x in limits]


@contextlib.asynccontextmanager
async def side_services_running(loaded: Sequence[SideService]) -> AsyncIterator[None]:
    async with contextlib.AsyncExitStack() as stack:
        for service in loaded:
            await stack.enter_async_context(service.running())
        yield
