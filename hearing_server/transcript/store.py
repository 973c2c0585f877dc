"""The transcript's durable log in the court database: document updates and revisions.

    store = SqlUpdateStore(session_factory)
    store.append(hearing_id, [StoredUpdate(...)], [Revision(...)])   # one transaction; durable
    store.load(hearing_id), store.since(hearing_id, seq), store.revisions(hearing_id, segment_id)

Append-only: a row is never updated or deleted, so the sequence of updates *is* the transcript's
history. Several server processes append to one hearing's log: the unique ``(hearing_id, seq)``
decides who wrote first, and the loser gets :class:`SeqTakenError` (see
:mod:`hearing_server.transcript.log`). SQLite runs with ``synchronous=FULL`` (see
:mod:`hearing_server.db`), so a committed row survives ``kill -9`` and power loss; on
PostgreSQL the commit is durable by default.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hearing_server.models import TranscriptRevision as RevisionRow
from hearing_server.models import TranscriptUpdate as UpdateRow
from hearing_server.transcript.log import SeqTakenError, StoredUpdate
from hearing_server.transcript.model import Field, Revision

__all__ = ["SqlUpdateStore"]


def _stored(row: UpdateRow) -> StoredUpdate:
    return StoredUpdate(row.seq, row.author_key, row.author_name, row.payload, row.created_at)


class SqlUpdateStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        # One writer at a time: SQLite allows one anyway, and writers that collide wait in its
        # busy handler, which sleeps in steps of milliseconds; a lock hands over at once.
        self._write_lock = threading.Lock()

    def load(self, hearing_id: int) -> list[StoredUpdate]:
        return self.since(hearing_id, 0)

    def since(self, hearing_id: int, seq: int) -> list[StoredUpdate]:
        with self._sessions() as session:
            rows = session.scalars(
                select(UpdateRow)
                .where(UpdateRow.hearing_id == hearing_id, UpdateRow.seq > seq)
                .order_by(UpdateRow.seq)
            )
            return [_stored(row) for row in rows]

    def append(
        self, hearing_id: int, updates: Sequence[StoredUpdate], revisions: Sequence[Revision]
    ) -> None:
        try:
            self._append(hearing_id, updates, revisions)
        except IntegrityError as exc:
            if updates and self._last_seq(hearing_id) >= updates[0].seq:
                raise SeqTakenError(f"hearing {hearing_id}: seq {updates[0].seq} taken") from exc
            raise

    def _last_seq(self, hearing_id: int) -> int:
        with self._sessions() as session:
            last = session.scalar(
                select(func.max(UpdateRow.seq)).where(UpdateRow.hearing_id == hearing_id)
            )
            return int(last or 0)

    def _append(
        self, hearing_id: int, updates: Sequence[StoredUpdate], revisions: Sequence[Revision]
    ) -> None:
        with self._write_lock, self._sessions.begin() as session:
            session.add_all(
                UpdateRow(
                    hearing_id=hearing_id,
                    seq=u.seq,
                    author_key=u.author_key,
                    author_name=u.author_name,
                    payload=u.update,
                    created_at=u.at,
                )
                for u in updates
            )
            session.add_all(
                RevisionRow(
                    hearing_id=hearing_id,
                    seq=r.seq,
                    segment_id=r.segment_id,
                    field=r.field.value,
                    before=r.before,
                    after=r.after,
                    author_key=r.author,
                    author_name=r.author_name,
                    created_at=r.at,
                )
                for r in revisions
            )

    def revisions(self, hearing_id: int, segment_id: str | None = None) -> list[Revision]:
        """A segment's (or the whole transcript's) attributed history, oldest first."""
        query = select(RevisionRow).where(RevisionRow.hearing_id == hearing_id)
        if segment_id is not None:
            query = query.where(RevisionRow.segment_id == segment_id)
        with self._sessions() as session:
            rows = session.scalars(query.order_by(RevisionRow.id))
            return [
                Revision(
                    row.hearing_id,
                    row.segment_id,
                    Field(row.field),
                    row.before,
                    row.after,
                    row.author_key,
                    row.author_name,
                    row.created_at,
                    row.seq,
                )
                for row in rows
            ]
