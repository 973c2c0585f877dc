"""The application factory: ``create_app(settings)`` builds the services and wires the routers.

The only module that imports :mod:`hearing_server.api` (an import contract in ``pyproject.toml``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from hearing_server.api import (
    auth,
    broadcast,
    case_documents,
    cases,
    closing,
    evidence,
    health,
    hearings,
    interpreting,
    join,
    live,
    moderation,
    notices,
    party_links,
    recordings,
    retranscribe,
    screen,
    sign_links,
    staff,
    stages,
    transcript,
    transcript_ws,
    verification,
    whoami,
)
from hearing_server.defences import install_defences
from hearing_server.errors import ERROR_RESPONSES, install_handlers
from hearing_server.live.streams import StreamFactory
from hearing_server.log_redaction import install_on_uvicorn_loggers
from hearing_server.notify import CodeSender
from hearing_server.security import Clock, PasswordHashing, utc_now
from hearing_server.services import build_services, services_running
from hearing_server.settings import Settings
from hearing_server.side_services import (
    install_side_services,
    side_body_limits,
    side_services_running,
)
from hearing_server.web_mount import mount_web
from tingshen_platform.services import SideService

ROUTERS = (
    auth,
    broadcast,
    case_documents,
    cases,
    closing,
    evidence,
    health,
    hearings,
    interpreting,
    join,
    live,
    moderation,
    notices,
    party_links,
    recordings,
    retranscribe,
    screen,
    sign_links,
    staff,
    stages,
    transcript,
    transcript_ws,
    verification,
    whoami,
)


def create_app(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    code_sender: CodeSender | None = None,
    passwords: PasswordHashing | None = None,
    stream_factory: StreamFactory | None = None,
) -> FastAPI:
    """``stream_factory``: where live ASR streams come from (default: the configured Whisper
    model, loaded when the first participant sends an offer; tests inject a fake)."""
    services = build_services(
        settings,
        clock=clock,
        code_sender=code_sender,
        passwords=passwords,
        stream_factory=stream_factory,
    )

    side: list[SideService] = []

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with services_running(services), side_services_running(side):
            yield

    app = FastAPI(
        title="Tingshen hearing server",
        version="0.1.0",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,  # every route's error answers, in the API schema
    )
    app.state.services = services  # read only by hearing_server.deps.get_services
    install_handlers(app)
    for module in ROUTERS:
        app.include_router(module.router)
    side.extend(install_side_services(app, services))  # dossier, …: by name, never imported
    app.state.side_services = side
    mount_web(app)
    # ids, origin, body size (the side services' upload routes too), rate, browser headers, proxy
    install_defences(app, settings, upload_limits=side_body_limits(side), clock=clock)
    return app


def app_from_environment() -> FastAPI:
    """For ``uvicorn --factory --no-proxy-headers hearing_server.app:app_from_environment``
    (settings from env; the app reads X-Forwarded-For from ``TINGSHEN_TRUSTED_PROXIES`` only,
    while uvicorn's own default believes anyone on 127.0.0.1); invitation tokens are redacted
    in uvicorn's logs as with ``tingshen serve``."""
    install_on_uvicorn_loggers()
    return create_app(Settings())
