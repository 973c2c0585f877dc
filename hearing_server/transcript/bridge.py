"""Between the live hearing and the transcript document: each ASR commit becomes document text,
each gap of a speaker's recording (mute, leave, disconnect, restart, overload) a gap row, and
every change of the document goes back to the room's live panel.

    registry = LiveRegistry(..., document=document_view(documents),
                            on_commit=asr_sink(documents), on_gap=gap_sink(documents))
    documents.listeners.append(live_panel_listener(documents, registry))

One path for a committed utterance (issue 12): ASR commit → document (persisted) → its update,
which the document socket sends to editors and :func:`live_panel_listener` turns into the live
panel's rows (``live_rows``), on whichever process runs the hearing's live session. The live hub
itself only adds partials. The document is the transcript of record (DESIGN.md §1).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from asr.types import Revision, Word
from hearing_server.live.hub import Speaker
from hearing_server.live.recorder import RecordedGap
from hearing_server.live.registry import LiveRegistry
from hearing_server.live.room import (
    CommitSink,
    DocumentView,
    GapSink,
    RevisionSink,
    UtteranceEndSink,
)
from hearing_server.transcript.fanout import DocumentRooms
from hearing_server.transcript.model import (
    GapView,
    SegmentKind,
    SegmentView,
    SpeakerRef,
    WordView,
    is_blank,
)
from hearing_server.transcript.policy import gap_in_transcript
from hearing_server.transcript.ydoc import TranscriptDoc
from recordings.timeline import format_utc

__all__ = [
    "asr_sink",
    "document_view",
    "gap_sink",
    "gap_view",
    "live_panel_listener",
    "live_rows",
    "live_start",
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


# ---------------------------------------------------------------- the document on the live panel


def _participant_id(key: str) -> int | None:
    kind, _, number = key.partition("-")
    return int(number) if kind == "participant" and number.isdigit() else None


def live_row(view: SegmentView) -> dict[str, Any]:
    """A document segment as the live panel shows it (docs/protocol.md ``segment``)."""
    return {
        "id": view.id,
        "kind": view.kind.value,
        "speaker": view.speaker.key,
        "participant_id": _participant_id(view.speaker.key),
        "role": view.speaker.role,
        "display_name": view.speaker.name,
        "start_ms": view.start_ms,
        "end_ms": view.end_ms,
        "start_at": view.start_utc or None,
        "text": view.text,
        "edited": view.touched,
    }


def live_rows(doc: TranscriptDoc) -> list[dict[str, Any]]:
    """The panel's rows: every segment with words (an empty row of an older record, or one a
    clerk has just cleared to retype, is no line: issue 13)."""
    return [live_row(view) for view in doc.segments() if not is_blank(view.text)]


def live_start(doc: TranscriptDoc) -> datetime | None:
    """The live start the document's segment times count from (None: no recognised speech):
    a recognised segment's UTC start minus its ``start_ms``."""
    for view in doc.segments():
        if view.kind is SegmentKind.SPEECH and view.start_utc:
            try:
                start = datetime.fromisoformat(view.start_utc)
            except ValueError:
                continue
            return start - timedelta(milliseconds=view.start_ms)
    return None


def document_view(rooms: DocumentRooms) -> DocumentView:
    async def view(hearing_id: int) -> tuple[datetime | None, list[dict[str, Any]]]:
        room = await rooms.get(hearing_id)
        assert room.actions is not None
        await room.actions.catch_up()  # what another process (the previous owner) stored
        return live_start(room.actions.doc), live_rows(room.actions.doc)

    return view


def live_panel_listener(
    rooms: DocumentRooms, registry: LiveRegistry
) -> Callable[[int, dict[str, Any]], None]:
    """Each document update of a hearing whose live session runs here: the panel's rows."""

    def on_message(hearing_id: int, message: dict[str, Any]) -> None:
        if message.get("type") != "update":
            return
        live = registry.get(hearing_id)
        room = rooms.loaded(hearing_id)
        if live is None or room is None or room.actions is None:
            return
        live.document_changed(live_rows(room.actions.doc))

    return on_message
