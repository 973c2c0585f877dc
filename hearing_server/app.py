"""The application factory: ``create_app(settings)`` migrates the database and wires the routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from hearing_server.api import (
    auth,
    case_documents,
    cases,
    closing,
    hearings,
    join,
    live,
    moderation,
    notices,
    transcript,
    transcript_ws,
)
from hearing_server.api import recordings as recordings_api
from hearing_server.api import retranscribe as retranscribe_api
from hearing_server.api import verification as verification_api
from hearing_server.closing.service import ClosingService, closing_running
from hearing_server.context import ServerContext
from hearing_server.court_pki import CourtPki
from hearing_server.db import make_session_factory, upgrade
from hearing_server.errors import install_handlers
from hearing_server.live.registry import LiveRegistry
from hearing_server.live.segments import SegmentStore
from hearing_server.live.streams import ModelStreamFactory, StreamFactory
from hearing_server.log_redaction import install_on_uvicorn_loggers
from hearing_server.notices.wiring import (
    build_code_sender,
    build_dispatcher,
    notice_dispatch_running,
)
from hearing_server.notify import CodeSender
from hearing_server.recording_archive import RecordingArchive, pending_finalisation_running
from hearing_server.retention import retention_running
from hearing_server.retranscribe.worker import (
    RetranscriptionWorker,
    model_loader,
    retranscription_running,
)
from hearing_server.rtc.ice import IceSettings
from hearing_server.security import Clock, LoginRateLimiter, PasswordHashing, utc_now
from hearing_server.settings import Settings, resolve_secret_key
from hearing_server.transcript.bridge import (
    asr_sink,
    gap_sink,
    revision_sink,
    utterance_end_sink,
)
from hearing_server.transcript.fanout import DocumentRooms
from hearing_server.transcript.store import SqlUpdateStore
from hearing_server.web_mount import mount_web
from recordings import LocalDirStore

CODES_PER_INVITATION = 5
CODE_REQUEST_WINDOW = timedelta(minutes=10)


def build_context(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    code_sender: CodeSender | None = None,
    passwords: PasswordHashing | None = None,
) -> ServerContext:
    """Check secrets, migrate the database, and build what the actions need."""
    secret_key = resolve_secret_key(settings)
    if code_sender is None:
        code_sender = build_code_sender(settings)
    engine = upgrade(settings)
    return ServerContext(
        settings=settings,
        secret_key=secret_key,
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock,
        passwords=passwords or PasswordHashing(),
        login_limiter=LoginRateLimiter(limit=settings.login_rate_limit, clock=clock),
        code_limiter=LoginRateLimiter(
            limit=CODES_PER_INVITATION, window=CODE_REQUEST_WINDOW, clock=clock
        ),
        code_sender=code_sender,
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
    context = build_context(settings, clock=clock, code_sender=code_sender, passwords=passwords)
    pki = CourtPki.open(settings, clock=clock) if settings.signing_enabled else None
    streams = stream_factory if stream_factory is not None else ModelStreamFactory(settings.model)
    ice = IceSettings(
        host_addresses=tuple(settings.ice_host_addresses),
        stun_urls=tuple(settings.stun_urls),
        turn_urls=tuple(settings.turn_urls),
    )
    store = SegmentStore(context.session_factory, clock)
    documents = DocumentRooms(SqlUpdateStore(context.session_factory))
    recordings = LocalDirStore(settings.data_dir / "recordings") if settings.record_audio else None
    registry = LiveRegistry(
        ice=ice,
        streams=streams,
        clock=clock,
        store=store,
        on_commit=asr_sink(documents),
        recordings=recordings,
        on_gap=gap_sink(documents),
        on_utterance_end=utterance_end_sink(documents),
        on_revision=revision_sink(documents),
    )
    dispatcher = build_dispatcher(context)
    archive = (
        RecordingArchive(context.session_factory, recordings, context.clock)
        if recordings is not None
        else None
    )
    registry.archive = archive.finalize if archive is not None else None
    closing_service = ClosingService.build(context, pki, documents) if pki is not None else None
    retranscriber = RetranscriptionWorker(
        context.session_factory,
        recordings,
        loader=model_loader(settings.retranscribe_cpu_threads),
        clock=clock,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with (
            notice_dispatch_running(context, dispatcher),
            pending_finalisation_running(archive),
            retention_running(context, recordings, settings.recording_retention_days),
            retranscription_running(retranscriber),
            closing_running(closing_service),
        ):
            yield
        await registry.close_all()
        await streams.aclose()
        verification_api.close_verification(app)
        context.engine.dispose()

    app = FastAPI(title="Tingshen hearing server", version="0.1.0", lifespan=lifespan)
    app.state.context = context
    app.state.live = registry
    app.state.documents = documents
    app.state.recordings = recordings
    app.state.retranscription = retranscriber
    app.state.pki = pki
    app.state.closing = closing_service
    install_handlers(app)
    for module in (
        auth,
        case_documents,
        cases,
        closing,
        hearings,
        join,
        live,
        moderation,
        notices,
        recordings_api,
        retranscribe_api,
        transcript,
        transcript_ws,
        verification_api,
    ):
        app.include_router(module.router)
    mount_web(app)
    return app


def app_from_environment() -> FastAPI:
    """For ``uvicorn --factory hearing_server.app:app_from_environment`` (settings from env);
    invitation tokens are redacted in uvicorn's logs as with ``tingshen serve``."""
    install_on_uvicorn_loggers()
    return create_app(Settings())
