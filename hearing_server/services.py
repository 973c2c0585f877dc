"""The server's services: built once by ``create_app``, reached through :mod:`~hearing_server.deps`.

    services = build_services(settings, clock=clock, stream_factory=fakes)
    async with services_running(services):       # the app's lifespan: startup work, then shutdown
        ...

:class:`Services` is the one typed container of what routers and background work share: the
:class:`ServerContext` the ``do_*`` actions take (settings, database, clock, limiters, code
sender), the live sessions, the transcript rooms, the recording store, the workers and the court
PKI. ``create_app`` keeps it as ``app.state.services``, and only
:func:`hearing_server.deps.get_services` reads it from there. Everything in it is built here
and shut down by :func:`services_running`, the verification pool included (its worker processes
start on the first verification).
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

from hearing_server.broadcast.service import BroadcastService
from hearing_server.closing.service import ClosingService, closing_running
from hearing_server.closing.store import DocumentStore
from hearing_server.context import ServerContext
from hearing_server.court_pki import CourtPki
from hearing_server.db import make_session_factory, upgrade
from hearing_server.filed_cases import filed_cases_running
from hearing_server.live.ownership import HearingOwnership
from hearing_server.live.registry import LiveRegistry
from hearing_server.live.streams import ModelStreamFactory, StreamFactory
from hearing_server.notices.dispatcher import NoticeDispatcher
from hearing_server.notices.wiring import (
    build_code_sender,
    build_dispatcher,
    notice_dispatch_running,
)
from hearing_server.notify import CodeSender
from hearing_server.once import Once, cluster_once
from hearing_server.rate_limit import TsaLimits
from hearing_server.recording_archive import RecordingArchive
from hearing_server.recording_jobs import FinalisationJobs, finalisation_running
from hearing_server.retention import retention_running
from hearing_server.retranscribe.worker import (
    RetranscriptionWorker,
    model_loader,
    retranscription_running,
)
from hearing_server.revocation import Lookup, Revocations, ended_keys
from hearing_server.rtc.ice import IceSettings
from hearing_server.security import Clock, LoginRateLimiter, PasswordHashing, utc_now
from hearing_server.settings import Settings, resolve_link_key, resolve_secret_key
from hearing_server.transcript.bridge import (
    asr_sink,
    document_view,
    gap_sink,
    live_panel_listener,
    revision_sink,
    utterance_end_sink,
)
from hearing_server.transcript.fanout import DocumentRooms
from hearing_server.transcript.store import SqlUpdateStore
from hearing_server.verification import VerificationPool
from recordings import LocalDirStore
from tingshen_platform.bus import Bus, InProcessBus, RedisBus
from tingshen_platform.counters import Counters
from tingshen_platform.jobs import JobQueue
from tingshen_platform.leases import Leases

__all__ = ["Services", "build_context", "build_services", "services_running"]

CODES_PER_INVITATION = 5
CODE_REQUEST_WINDOW = timedelta(minutes=10)
#: Uploads to ``POST /api/verify`` per client address: a crafted file can hold a worker for the
#: whole time limit.
UPLOADS_PER_WINDOW = 20
UPLOAD_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Services:
    context: ServerContext
    node: str
    """This process's name in a cluster (``TINGSHEN_NODE_NAME``; default host and pid)."""
    once: Once
    """Start-up and periodic work done by one process of the cluster at a time."""
    live: LiveRegistry
    streams: StreamFactory
    bus: Bus
    """Fan-out: in this process, or through Redis between the processes of a cluster."""
    documents: DocumentRooms
    """The transcript document rooms (one per hearing)."""
    recordings: LocalDirStore | None
    """None: recording is switched off."""
    archive: RecordingArchive | None
    finalisation: FinalisationJobs | None
    """Finalising closed hearings' recordings on the job queue (None: recording is off)."""
    dispatcher: NoticeDispatcher
    retranscription: RetranscriptionWorker
    case_files: DocumentStore
    """Files filed with a case (signed transcripts, digest lists)."""
    pki: CourtPki | None
    """None: signing is switched off (and so is ``closing``)."""
    closing: ClosingService | None
    verification: VerificationPool
    verify_limiter: LoginRateLimiter
    tsa_limits: TsaLimits
    revocations: Revocations
    """Open sockets by who they are: logout, expiry, withdrawn links and removal close them."""
    running: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    broadcast: BroadcastService | None = None
    """Public broadcasts (庭审公开) of this process's live hearings."""
    """Held while :func:`services_running` runs them: one lifespan at a time."""


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
    counters = Counters(engine, clock=clock)
    return ServerContext(
        settings=settings,
        secret_key=secret_key,
        link_key=resolve_link_key(settings),
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock,
        passwords=passwords or PasswordHashing(),
        login_limiter=LoginRateLimiter(counters, name="login", limit=settings.login_rate_limit),
        code_limiter=LoginRateLimiter(
            counters, name="code-request", limit=CODES_PER_INVITATION, window=CODE_REQUEST_WINDOW
        ),
        code_sender=code_sender,
    )


def build_services(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    code_sender: CodeSender | None = None,
    passwords: PasswordHashing | None = None,
    stream_factory: StreamFactory | None = None,
) -> Services:
    """``stream_factory``: where live ASR streams come from (default: the configured Whisper
    model, loaded when the first participant sends an offer; tests inject a fake)."""
    context = build_context(settings, clock=clock, code_sender=code_sender, passwords=passwords)
    pki = CourtPki.open(settings, clock=clock) if settings.signing_enabled else None
    streams = (
        stream_factory
        if stream_factory is not None
        else ModelStreamFactory(settings.model, nice=settings.asr_nice)
    )
    ice = IceSettings(
        host_addresses=tuple(settings.ice_host_addresses),
        stun_urls=tuple(settings.stun_urls),
        turn_urls=tuple(settings.turn_urls),
    )
    bus: Bus = (
        RedisBus(settings.redis_url, prefix=settings.bus_prefix)
        if settings.redis_url
        else InProcessBus()
    )
    store = SqlUpdateStore(
        context.session_factory, revision_budget_bytes=settings.revision_budget_bytes
    )
    documents = DocumentRooms(store, bus=bus)
    recordings = LocalDirStore(settings.data_dir / "recordings") if settings.record_audio else None
    node = settings.node_name or f"{socket.gethostname()}-{os.getpid()}"
    leases = Leases(context.engine) if settings.redis_url else None
    registry = LiveRegistry(
        ownership=HearingOwnership(leases, node),
        ice=ice,
        streams=streams,
        clock=clock,
        document=document_view(documents),
        on_commit=asr_sink(documents),
        recordings=recordings,
        on_gap=gap_sink(documents),
        on_utterance_end=utterance_end_sink(documents),
        on_revision=revision_sink(documents),
    )
    documents.listeners.append(live_panel_listener(documents, registry))
    archive = (
        RecordingArchive(context.session_factory, recordings, context.clock)
        if recordings is not None
        else None
    )
    finalisation = (
        FinalisationJobs(archive, JobQueue(context.engine, clock=clock), node)
        if archive is not None
        else None
    )
    registry.archive = finalisation.finalize if finalisation is not None else None
    case_files = DocumentStore(settings.data_dir / "documents")
    broadcast = BroadcastService(settings.data_dir / "broadcast", registry, documents, clock=clock)
    return Services(
        broadcast=broadcast,
        context=context,
        node=node,
        once=cluster_once(leases, node),
        live=registry,
        streams=streams,
        bus=bus,
        documents=documents,
        recordings=recordings,
        archive=archive,
        finalisation=finalisation,
        dispatcher=build_dispatcher(context),
        retranscription=RetranscriptionWorker(
            context.session_factory,
            recordings,
            loader=model_loader(settings.retranscribe_cpu_threads),
            clock=clock,
        ),
        case_files=case_files,
        pki=pki,
        closing=(
            ClosingService(context, pki, case_files, documents, leases=leases, node=node)
            if pki is not None
            else None
        ),
        verification=VerificationPool(),
        tsa_limits=TsaLimits.from_settings(settings),
        verify_limiter=LoginRateLimiter(
            Counters(context.engine, clock=context.clock),
            name="verify-upload",
            limit=UPLOADS_PER_WINDOW,
            window=UPLOAD_WINDOW,
        ),
        revocations=Revocations(
            bus,
            node,
            clock,
            check_seconds=settings.ws_session_check_seconds,
            lookup=_ended_keys(context),
        ),
    )


def _ended_keys(context: ServerContext) -> Lookup:
    def lookup(keys: frozenset[str]) -> dict[str, tuple[int, str]]:
        with context.session_factory() as session:
            return ended_keys(session, keys)

    return lookup


async def _connections_returned(engine: Engine, timeout_s: float = 5.0) -> None:
    """Before the engine is disposed: a worker thread still finishing a database call (a socket
    handler cancelled mid-read at shutdown) gets to return its connection, which the disposed
    pool would otherwise leave to the garbage collector."""
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        return
    deadline = asyncio.get_running_loop().time() + timeout_s
    while pool.checkedout() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)


@asynccontextmanager
async def services_running(services: Services) -> AsyncIterator[None]:
    """Startup work and background loops while the block runs; then shut everything down.

    One run at a time (else :class:`RuntimeError`): a second run would start a second set of
    background workers on the same engine, and the first to stop would dispose the engine under
    the other's worker threads (their connections, checked in to the disposed pool, were then
    closed only by the garbage collector). Running them again after they stopped is fine.
    """
    if not services.running.acquire(blocking=False):
        raise RuntimeError("these services are running already (one lifespan at a time)")
    try:
        context = services.context
        settings = context.settings
        async with (
            notice_dispatch_running(context, services.dispatcher),
            finalisation_running(services.finalisation, services.once),
            retention_running(
                context, services.recordings, settings.recording_retention_days, services.once
            ),
            retranscription_running(services.retranscription),
            closing_running(services.closing, services.once),
            services.live.ownership.kept(services.live.lost),
            services.revocations.running(),
            filed_cases_running(context),  # the dossier's case.filed: cases and their parties
        ):
            yield
        if services.broadcast is not None:
            await services.broadcast.aclose()  # writers flushed before the live sessions close
        await services.live.close_all()
        await services.documents.aclose()
        await services.bus.aclose()
        await services.streams.aclose()
        services.verification.close()
        await _connections_returned(context.engine)
        context.engine.dispose()
    finally:
        services.running.release()
