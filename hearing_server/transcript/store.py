"""The transcript's durable log in the court database: document updates and revisions.

    store = SqlUpdateStore(session_factory, revision_budget_bytes=settings.revision_budget_bytes)
    store.append(hearing_id, [StoredUpdate(...)], [Revision(...)])   # one transaction; durable
    store.load(hearing_id), store.since(hearing_id, seq)
    store.revision_page(hearing_id, after_id=0, limit=100, segment_id=None)   # oldest first

Revisions are stored as changes (:mod:`hearing_server.transcript.revdiff`): an edit costs what it
changed, plus the segment's full text now and then; a page of revisions is rebuilt by replaying
each chain from its nearest base, so reading costs the page, not the history.

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
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hearing_server.models import TranscriptRevision as RevisionRow
from hearing_server.models import TranscriptUpdate as UpdateRow
from hearing_server.transcript.log import SeqTakenError, StoredUpdate
from hearing_server.transcript.model import Revision
from hearing_server.transcript.revdiff import ChainState, TextChange, plan, replay

__all__ = ["RevisionEntry", "SqlUpdateStore"]


@dataclass(frozen=True, slots=True)
class RevisionEntry:
    """One revision as read back: the texts when their detail was kept, else None."""

    id: int
    segment_id: str
    field: str
    before: str | None
    after: str | None
    before_chars: int
    after_chars: int
    author: str
    author_name: str
    at: datetime
    seq: int

    @property
    def detail(self) -> bool:
        return self.before is not None


def _stored(row: UpdateRow) -> StoredUpdate:
    return StoredUpdate(row.seq, row.author_key, row.author_name, row.payload, row.created_at)


class SqlUpdateStore:
    def __init__(
        self, sessions: sessionmaker[Session], *, revision_budget_bytes: int | None = None
    ) -> None:
        """``revision_budget_bytes``: the most bytes of revision detail per hearing (None: no
        limit; what happens beyond it: :mod:`hearing_server.transcript.revdiff`)."""
        self._sessions = sessions
        self._budget = revision_budget_bytes
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
            self._add_revisions(session, hearing_id, revisions)

    def _add_revisions(
        self, session: Session, hearing_id: int, revisions: Sequence[Revision]
    ) -> None:
        if not revisions:
            return
        spent = session.scalar(
            select(RevisionRow.spent_bytes)
            .where(RevisionRow.hearing_id == hearing_id)
            .order_by(RevisionRow.id.desc())
            .limit(1)
        )
        spent = int(spent or 0)
        chains: dict[tuple[str, str], ChainState | None] = {}
        for r in revisions:
            key = (r.segment_id, r.field.value)
            if key not in chains:
                chains[key] = self._chain(session, hearing_id, *key)
            step = plan(
                r.before, r.after, chain=chains[key], spent_bytes=spent, budget_bytes=self._budget
            )
            spent += step.cost_bytes
            chains[key] = ChainState(
                step.after_digest, step.detail, step.rows_since_base, step.bytes_since_base
            )
            session.add(
                RevisionRow(
                    hearing_id=hearing_id,
                    seq=r.seq,
                    segment_id=r.segment_id,
                    field=r.field.value,
                    author_key=r.author,
                    author_name=r.author_name,
                    created_at=r.at,
                    prefix_chars=step.change.prefix,
                    suffix_chars=step.change.suffix,
                    removed=step.change.removed,
                    inserted=step.change.inserted,
                    base=step.base,
                    detail=step.detail,
                    before_chars=step.before_chars,
                    after_chars=step.after_chars,
                    after_digest=step.after_digest,
                    rows_since_base=step.rows_since_base,
                    bytes_since_base=step.bytes_since_base,
                    spent_bytes=spent,
                )
            )

    @staticmethod
    def _chain(session: Session, hearing_id: int, segment_id: str, field: str) -> ChainState | None:
        last = session.execute(
            select(
                RevisionRow.after_digest,
                RevisionRow.detail,
                RevisionRow.rows_since_base,
                RevisionRow.bytes_since_base,
            )
            .where(
                RevisionRow.hearing_id == hearing_id,
                RevisionRow.segment_id == segment_id,
                RevisionRow.field == field,
            )
            .order_by(RevisionRow.id.desc())
            .limit(1)
        ).first()
        return None if last is None else ChainState(*last)

    def revision_page(
        self, hearing_id: int, *, after_id: int, limit: int, segment_id: str | None = None
    ) -> list[RevisionEntry]:
        """Up to ``limit`` revisions with ids above ``after_id`` (the whole transcript's, or one
        segment's), oldest first, their texts rebuilt from the changes."""
        query = select(RevisionRow).where(
            RevisionRow.hearing_id == hearing_id, RevisionRow.id > after_id
        )
        if segment_id is not None:
            query = query.where(RevisionRow.segment_id == segment_id)
        with self._sessions() as session:
            rows = list(session.scalars(query.order_by(RevisionRow.id).limit(limit)))
            texts = self._texts(session, rows)
        return [
            RevisionEntry(
                id=row.id,
                segment_id=row.segment_id,
                field=row.field,
                before=None if pair is None else pair[0],
                after=None if pair is None else pair[1],
                before_chars=row.before_chars,
                after_chars=row.after_chars,
                author=row.author_key,
                author_name=row.author_name,
                at=row.created_at,
                seq=row.seq,
            )
            for row, pair in zip(rows, texts, strict=True)
        ]

    def _texts(self, session: Session, rows: Sequence[RevisionRow]) -> list[tuple[str, str] | None]:
        """Replay each chain of the page from its nearest base before the page."""
        by_chain: dict[tuple[str, str], list[int]] = {}
        for index, row in enumerate(rows):
            by_chain.setdefault((row.segment_id, row.field), []).append(index)
        texts: list[tuple[str, str] | None] = [None] * len(rows)
        for indexes in by_chain.values():
            first = rows[indexes[0]]
            lead: list[RevisionRow] = []
            if first.detail and first.base is None:
                lead = self._lead(session, first)
            chain = [*lead, *(rows[i] for i in indexes)]
            steps = (
                (
                    TextChange(r.prefix_chars, r.suffix_chars, r.removed, r.inserted),
                    r.base,
                    r.detail,
                )
                for r in chain
            )
            replayed = list(replay(None, steps))[len(lead) :]
            for index, pair in zip(indexes, replayed, strict=True):
                texts[index] = pair
        return texts

    @staticmethod
    def _lead(session: Session, first: RevisionRow) -> list[RevisionRow]:
        """The revisions of ``first``'s chain from its base up to ``first`` (at most
        :data:`~hearing_server.transcript.revdiff.BASE_EVERY_ROWS`)."""
        same_chain = (
            RevisionRow.hearing_id == first.hearing_id,
            RevisionRow.segment_id == first.segment_id,
            RevisionRow.field == first.field,
        )
        base_id = session.scalar(
            select(func.max(RevisionRow.id)).where(
                *same_chain, RevisionRow.id < first.id, RevisionRow.base.is_not(None)
            )
        )
        if base_id is None:
            return []
        return list(
            session.scalars(
                select(RevisionRow)
                .where(*same_chain, RevisionRow.id >= base_id, RevisionRow.id < first.id)
                .order_by(RevisionRow.id)
            )
        )
