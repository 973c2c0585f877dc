"""A hearing's current signed document verified as anyone would verify it, with its recordings
checked against the digests the server stored when it finalised them.

    report, state = verify_hearing_record(session, service, pool, root_pem=..., hearing_id=7)

Blocking (the verification runs in a worker process of the pool): call it from a worker thread.
The database session is closed before the wait, so no connection is held while the worker runs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hearing_server.closing import records
from hearing_server.closing.service import ClosingService
from hearing_server.recording_archive import recording_digests
from hearing_server.verification import VerificationPool

__all__ = ["verify_hearing_record"]


def verify_hearing_record(
    session: Session,
    service: ClosingService,
    pool: VerificationPool,
    *,
    root_pem: bytes,
    hearing_id: int,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report of the current document (the final one once complete), and its state
    (``complete``, ``revision``)."""
    closure = records.frozen_closure(session, hearing_id)
    pdf = service.store.read_revision(hearing_id, closure.revision)
    recordings = {r.name: r.sha256 for r in recording_digests(session, hearing_id)}
    state = {"complete": closure.completed_at is not None, "revision": closure.revision}
    session.close()  # hold no connection while the worker verifies
    return pool.verify_blocking(pdf, root_pem, recordings), state
