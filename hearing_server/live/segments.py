"""Committed live-transcript segments in the database (table ``live_segments``).

    store = SegmentStore(session_factory, clock)
    started_at, segments = store.load(hearing_id)     # (None, []) before the first commit
    await store.save(hearing_id, live_started_at, segment)   # before the hub broadcasts it

Only committed segments are kept (partials and gaps are transient). This is deliberately small:
the editable, attributed transcript of a hearing is a later model of its own
(``hearing_server/transcript``); it can be built from these rows.

Writes run in a worker thread (``asyncio.to_thread``) so that a slow database never blocks the
event loop; the caller awaits the write before it broadcasts, so a segment a page has seen is
durable.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hearing_server.live.hub import Message
from hearing_server.models import LiveSegment
from hearing_server.security import Clock

__all__ = ["SegmentStore", "TranscriptStore"]


class TranscriptStore(Protocol):
    """What a live session needs to keep its committed segments (tests inject a fake)."""

    def load(self, hearing_id: int) -> tuple[datetime | None, list[Message]]: ...

    async def save(self, hearing_id: int, live_started_at: datetime, segment: Message) -> None: ...


def _row(
    hearing_id: int, live_started_at: datetime, segment: Message, now: datetime
) -> LiveSegment:
    return LiveSegment(
        hearing_id=hearing_id,
        position=segment["id"],
        speaker=segment["speaker"],
        participant_id=segment["participant_id"],
        role=segment["role"],
        display_name=segment["display_name"],
        live_started_at=live_started_at,
        start_ms=segment["start_ms"],
        end_ms=segment["end_ms"],
        start_at=datetime.fromisoformat(segment["start_at"]),
        end_at=datetime.fromisoformat(segment["end_at"]),
        text=segment["text"],
        words=list(segment["words"]),
        end_of_utterance=segment["end_of_utterance"],
        committed_at=now,
    )


def _segment(row: LiveSegment) -> Message:
    words: list[dict[str, Any]] = list(row.words)
    return {
        "id": row.position,
        "speaker": row.speaker,
        "participant_id": row.participant_id,
        "role": row.role,
        "display_name": row.display_name,
        "start_ms": row.start_ms,
        "end_ms": row.end_ms,
        "start_at": row.start_at.isoformat(),
        "end_at": row.end_at.isoformat(),
        "text": row.text,
        "words": words,
        "end_of_utterance": row.end_of_utterance,
    }


class SegmentStore:
    def __init__(self, session_factory: sessionmaker[Session], clock: Clock) -> None:
        self._session_factory = session_factory
        self._clock = clock

    def load(self, hearing_id: int) -> tuple[datetime | None, list[Message]]:
        """The hearing's committed segments in order, and the live start their times count from."""
        with self._session_factory() as session:
            rows = session.scalars(
                select(LiveSegment)
                .where(LiveSegment.hearing_id == hearing_id)
                .order_by(LiveSegment.position)
            ).all()
            if not rows:
                return None, []
            return rows[0].live_started_at, [_segment(row) for row in rows]

    def save_now(self, hearing_id: int, live_started_at: datetime, segment: Message) -> None:
        with self._session_factory() as session:
            session.add(_row(hearing_id, live_started_at, segment, self._clock()))
            session.commit()

    async def save(self, hearing_id: int, live_started_at: datetime, segment: Message) -> None:
        await asyncio.to_thread(self.save_now, hearing_id, live_started_at, segment)
