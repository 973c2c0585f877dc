"""From the live hearing to the transcript document: each ASR commit becomes document text, and
each gap of a speaker's recording (mute, leave, disconnect, restart, overload) a gap row.

    registry = LiveRegistry(..., on_commit=asr_sink(documents), on_gap=gap_sink(documents))

The live hub keeps broadcasting partial and committed text for the room's live view; the
document is the transcript of record that clerks correct (DESIGN.md §1).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asr.types import Revision, Word
from hearing_server.live.hub import Speaker
from hearing_server.live.recorder import RecordedGap
from hearing_server.live.room import CommitSink, GapSink, RevisionSink, UtteranceEndSink
from hearing_server.transcript.fanout import DocumentRooms
from hearing_server.transcript.model import GapView, SpeakerRef, WordView
from hearing_server.transcript.policy import gap_in_transcript
from recordings.timeline import format_utc

__all__ = [
    "asr_sink",
    "gap_sink",
    "gap_view",
    "revision_sink",
    "utterance_end_sink",
]


def asr_sink(rooms: DocumentRooms) -> CommitSink:
    async def sink(hearing_id: int, speaker: Speaker, segment: dict[str, Any]) -> None:
        room = await rooms.get(hearing_id)
        assert room.actions is not None
        words = tuple(
            WordView(str(w["text"]), int(w["start_ms"]), int(w["end_ms"]), float(w["probability"]))
            for w in segment.get("words", [])
        )
        await room.actions.commit_asr(
            SpeakerRef(speaker.key, speaker.role, speaker.display_name),
            int(segment["start_ms"]),
            int(segment["end_ms"]),
            str(segment["text"]),
            words,
            end_of_utterance=bool(segment.get("end_of_utterance", True)),
            start_utc=str(segment.get("start_at") or ""),
        )

    return sink


def utterance_end_sink(rooms: DocumentRooms) -> UtteranceEndSink:
    """A speaker's utterance ended without new words: their open segment is complete, so their
    next words open a new one (an utterance with no text makes no segment)."""

    async def sink(hearing_id: int, speaker: Speaker) -> None:
        room = await rooms.get(hearing_id)
        assert room.actions is not None
        await room.actions.end_utterance(speaker.key)

    return sink


def revision_sink(rooms: DocumentRooms) -> RevisionSink:
    """The recogniser corrected words it committed earlier in the utterance: the speaker's open
    segment takes the correction unless a person has changed it."""

    async def sink(hearing_id: int, speaker: Speaker, revision: Revision, offset_ms: int) -> None:
        room = await rooms.get(hearing_id)
        assert room.actions is not None
        await room.actions.revise_asr(
            speaker.key,
            _word_views(revision.replaced, offset_ms),
            _word_views(revision.words, offset_ms),
            "" if revision.language == "zh" else " ",
        )

    return sink


def _word_views(words: tuple[Word, ...], offset_ms: int) -> tuple[WordView, ...]:
    """The hub's word rows (``live.hub``: offset, probability to three places) as views."""
    return tuple(
        WordView(w.text, w.start_ms + offset_ms, w.end_ms + offset_ms, round(w.probability, 3))
        for w in words
    )


def _ms_since(origin: datetime, at: datetime) -> int:
    """Negative for a time before the live start (a restart gap of a session that had not
    stored its start yet): kept, so the gap's length stays true."""
    return round((at - origin).total_seconds() * 1000)


def gap_view(speaker: Speaker, gap: RecordedGap, live_start: datetime) -> GapView:
    """The recorder's gap on the segments' clock (ms from the live start). Its id is the track
    and the UTC start, so a gap reported twice (a retry) is written once."""
    start_ms = _ms_since(live_start, gap.start_utc)
    return GapView(
        id=f"gap-{gap.key}-{round(gap.start_utc.timestamp() * 1000)}"[:64],
        speaker=SpeakerRef(speaker.key, speaker.role, speaker.display_name),
        reason=gap.reason,
        start_ms=start_ms,
        end_ms=max(start_ms, _ms_since(live_start, gap.end_utc)),
        start_utc=format_utc(gap.start_utc),
        end_utc=format_utc(gap.end_utc),
    )


def gap_sink(rooms: DocumentRooms) -> GapSink:
    async def sink(
        hearing_id: int, speaker: Speaker, gap: RecordedGap, live_start: datetime
    ) -> None:
        view = gap_view(speaker, gap, live_start)
        if not gap_in_transcript(view.reason, view.duration_ms):
            return  # a short mute: in the recording's log only (policy.py says why)
        room = await rooms.get(hearing_id)
        assert room.actions is not None
        await room.actions.commit_gap(view)

    return sink
