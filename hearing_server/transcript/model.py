"""The transcript's values, pure: segments as people see them, and what changed between two states.

The live document itself is a CRDT (:mod:`hearing_server.transcript.ydoc`); everything here is plain
frozen data read out of it, so that policy, revision history and exports never touch pycrdt.

    before = {s.id: s for s in doc.segments()}
    ...apply an editor's update...
    changes = diff_segments(before, {s.id: s for s in doc.segments()})

A segment is ``committed`` when the ASR committed it, ``edited`` once a person changed its text or
speaker; partial (still recognising) text is never in the document, so it is never editable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = [
    "LOW_CONFIDENCE",
    "Change",
    "Field",
    "Revision",
    "SegmentKind",
    "SegmentStatus",
    "SegmentView",
    "SpeakerRef",
    "WordView",
    "diff_segments",
]

LOW_CONFIDENCE = 0.5
"""Words the ASR was less sure of than this are highlighted in the editor."""


class SegmentStatus(StrEnum):
    COMMITTED = "committed"
    EDITED = "edited"


class SegmentKind(StrEnum):
    SPEECH = "speech"
    NOTE = "note"
    """A clerk's note between segments, e.g. "[原告出示证据三]"; it has no audio of its own."""


class Field(StrEnum):
    CREATED = "created"
    DELETED = "deleted"
    TEXT = "text"
    SPEAKER = "speaker"
    TIMES = "times"
    LOCKED = "locked"


@dataclass(frozen=True, slots=True)
class WordView:
    text: str
    start_ms: int
    end_ms: int
    confidence: float

    @property
    def low_confidence(self) -> bool:
        return self.confidence < LOW_CONFIDENCE


@dataclass(frozen=True, slots=True)
class SpeakerRef:
    key: str
    """The media key of who spoke (``participant-7``, ``staff-3``); empty for notes."""
    role: str
    name: str


@dataclass(frozen=True, slots=True)
class SegmentView:
    id: str
    kind: SegmentKind
    speaker: SpeakerRef
    start_ms: int
    end_ms: int
    text: str
    status: SegmentStatus
    start_utc: str = ""
    """ISO UTC time the segment starts (its place in the recording); empty for notes."""
    locked: bool = False
    asr_text: str = ""
    """What the ASR committed, kept so the record shows what a person changed."""
    words: tuple[WordView, ...] = ()

    @property
    def touched(self) -> bool:
        """A person changed it: later ASR output (re-transcription) may only *suggest*."""
        return self.status is SegmentStatus.EDITED


@dataclass(frozen=True, slots=True)
class Change:
    segment_id: str
    field: Field
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class Revision:
    """One attributed entry of a segment's history (persisted; shown in the editor)."""

    hearing_id: int
    segment_id: str
    field: Field
    before: str
    after: str
    author: str
    """Who: ``user-3`` / ``participant-7`` / ``asr``."""
    author_name: str
    at: datetime
    seq: int
    """The document update that made the change."""


def _speaker_text(speaker: SpeakerRef) -> str:
    return f"{speaker.role}:{speaker.name}:{speaker.key}"


def _times_text(segment: SegmentView) -> str:
    return f"{segment.start_ms}-{segment.end_ms}"


def diff_segments(
    before: Mapping[str, SegmentView], after: Mapping[str, SegmentView]
) -> list[Change]:
    """What changed, segment by segment, in the order of ``after`` then deletions."""
    changes: list[Change] = []
    for segment_id, new in after.items():
        old = before.get(segment_id)
        if old is None:
            changes.append(Change(segment_id, Field.CREATED, "", new.text))
            continue
        if old.text != new.text:
            changes.append(Change(segment_id, Field.TEXT, old.text, new.text))
        if old.speaker != new.speaker:
            changes.append(
                Change(
                    segment_id,
                    Field.SPEAKER,
                    _speaker_text(old.speaker),
                    _speaker_text(new.speaker),
                )
            )
        if (old.start_ms, old.end_ms) != (new.start_ms, new.end_ms):
            changes.append(Change(segment_id, Field.TIMES, _times_text(old), _times_text(new)))
        if old.locked != new.locked:
            changes.append(Change(segment_id, Field.LOCKED, str(old.locked), str(new.locked)))
    for segment_id, old in before.items():
        if segment_id not in after:
            changes.append(Change(segment_id, Field.DELETED, old.text, ""))
    return changes
