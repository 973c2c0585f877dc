"""The recording retention period: audio older than the setting is deleted, the fact audited.

    expired = apply_retention(ctx, store, retention_days)     # at startup, then once a day

``recordings.expire`` keeps each hearing's manifest (SHA-256 digests, durations, gaps), so the
record can still show what the deleted audio was. Unset (the default) keeps recordings forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from hearing_server.audit import Actor, EntityRef, record
from hearing_server.context import ServerContext
from hearing_server.models import Hearing
from hearing_server.once import Once, here
from recordings import RecordingStore, expire

__all__ = ["apply_retention", "retention_running"]

_logger = logging.getLogger(__name__)
INTERVAL_S = 24 * 3600.0


def apply_retention(ctx: ServerContext, store: RecordingStore, retention_days: int) -> list[int]:
    """Delete expired audio; one audit event per hearing."""
    now = ctx.clock()
    expired = expire(store, retention_days, now)
    if expired:
        with ctx.session_factory() as session:
            for hearing_id in expired:
                hearing = session.get(Hearing, hearing_id)
                record(
                    session,
                    actor=Actor.system(),
                    action="recording.expire",
                    entity=EntityRef("hearing", hearing_id),
                    case_id=hearing.case_id if hearing is not None else None,
                    details={"retention_days": retention_days},
                    at=now,
                )
            session.commit()
    return expired


@asynccontextmanager
async def retention_running(
    ctx: ServerContext,
    store: RecordingStore | None,
    retention_days: int | None,
    once: Once = here,
) -> AsyncIterator[None]:
    """Apply the retention period now and once a day while the server runs (one process of a
    cluster at a time: ``once``)."""
    if store is None or retention_days is None:
        yield
        return

    stop = asyncio.Event()
    days = retention_days

    async def loop() -> None:
        while not stop.is_set():
            try:
                await once("recording-retention", lambda: apply_retention(ctx, store, days))
            except Exception:
                _logger.exception("applying the recording retention period failed")
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=INTERVAL_S)

    task = asyncio.get_running_loop().create_task(loop(), name="recording-retention")
    try:
        yield
    finally:
        # Not cancelled: a round runs in a worker thread that cannot be cancelled, and it must
        # finish (returning its database connection) before the engine is disposed.
        stop.set()
        await task
