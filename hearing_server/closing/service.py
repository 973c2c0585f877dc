"""What the closing actions share: the PKI, the document store, the font, and per-hearing locks.

Why a lock per hearing: each signature is an incremental revision of the *same* PDF, so two
finishing signers must be serialised; the lock keeps that cheap inside one process, and the
guarded UPDATE on the PDF's digest (:mod:`hearing_server.closing.signatures`) keeps it correct
across processes. In a cluster the lock is also a lease (``closing-<hearing>``), held while a
freeze, signature or seal is written, so that another process's startup recovery never takes
work in progress for work a crash left unfinished. Built once with the services
(:attr:`hearing_server.services.Services.closing`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select

from hearing_server.closing.store import DocumentStore
from hearing_server.context import ServerContext
from hearing_server.court_pki import CourtPki
from hearing_server.models import PendingSignature, TranscriptClosure
from hearing_server.once import Once, here
from hearing_server.transcript.fanout import DocumentRooms
from hearing_server.transcript.pdf import find_cjk_font
from tingshen_platform.blobs import LocalBlobStore
from tingshen_platform.leases import ClusterLock, Leases

logger = logging.getLogger(__name__)


STALE_TEMP_S = 3600.0
"""A temporary file this old is a dead writer's, not one still writing on another process."""


def closing_lease(hearing_id: int) -> str:
    return f"closing-{hearing_id}"


@dataclass
class ClosingService:
    ctx: ServerContext
    pki: CourtPki
    store: DocumentStore
    rooms: DocumentRooms
    leases: Leases | None = None
    """The cluster's leases (None: one process)."""
    node: str = "local"
    _locks: dict[int, asyncio.Lock] = field(default_factory=dict)
    _font: Path | None = None

    @classmethod
    def build(cls, ctx: ServerContext, pki: CourtPki, rooms: DocumentRooms) -> ClosingService:
        return cls(ctx, pki, DocumentStore(ctx.settings.data_dir / "documents"), rooms)

    @property
    def font(self) -> Path:
        if self._font is None:
            self._font = find_cjk_font(self.ctx.settings.pdf_font)
        return self._font

    @asynccontextmanager
    async def lock(self, hearing_id: int) -> AsyncIterator[None]:
        local = self._locks.get(hearing_id)
        if local is None:
            local = self._locks[hearing_id] = asyncio.Lock()
        async with local:
            if self.leases is None:
                yield
                return
            async with ClusterLock(self.leases, closing_lease(hearing_id), self.node):
                yield

    def _busy_elsewhere(self, hearing_id: int) -> bool:
        return self.leases is not None and self.leases.holder(closing_lease(hearing_id)) is not None

    def recover(self) -> None:
        """At startup: forget revision files no committed row names (never acknowledged),
        closures whose freeze never finished, and expired prepared signatures."""
        with self.ctx.session_factory() as session:
            for closure in session.scalars(select(TranscriptClosure)):
                if self._busy_elsewhere(closure.hearing_id):
                    continue  # another process is writing it right now
                if closure.frozen_version is None:  # the freeze crashed before it committed
                    self.store.discard_after(closure.hearing_id, -1)
                    session.delete(closure)
                    logger.warning("hearing %s: discarded an unfinished freeze", closure.hearing_id)
                    continue
                for key in self.store.discard_after(closure.hearing_id, closure.revision):
                    logger.warning("discarded unacknowledged revision file %s", key)
            if isinstance(self.store.blobs, LocalBlobStore):  # writers that died mid-file
                self.store.blobs.remove_stale_temp(older_than_seconds=STALE_TEMP_S)
            session.execute(
                delete(PendingSignature).where(PendingSignature.expires_at < self.ctx.clock())
            )
            session.commit()


@asynccontextmanager
async def closing_running(service: ClosingService | None, once: Once = here) -> AsyncIterator[None]:
    """At startup: recover (see :meth:`ClosingService.recover`) and apply a seal that was due
    when the server stopped (the last judge had signed, the seal had not been applied)."""
    if service is not None:
        from hearing_server.closing.seal import seal_if_due

        await once("closing-recovery", service.recover)
        with service.ctx.session_factory() as session:
            due = session.scalars(
                select(TranscriptClosure.hearing_id).where(
                    TranscriptClosure.completed_at.is_(None),
                    TranscriptClosure.pdf_sha256.is_not(None),
                )
            ).all()
        for hearing_id in due:
            try:
                await seal_if_due(service, hearing_id)
            except Exception:  # one broken record must not keep the server from starting
                logger.exception("hearing %s: could not apply the court seal", hearing_id)
    yield
