"""The transcript's values, pure: segments as people see them, and what changed between two states.

The live document itself is a CRDT (:mod:`hearing_server.transcript.ydoc`); everything here is plain
frozen data read out of it, so that policy, revision history and exports never touch pycrdt.

    before = {s.id: s for s in doc.segments()}
    ...apply an editor's update...
    changes = diff_segments(before, {s.id: s for s in doc.segments()})

A segment is ``committed`` when the ASR committed it, ``edited`` once a person changed its text or
speaker; partial (still recognising) text is never in the document, so it is never editable.

A :class:`GapView` is a stretch of a speaker's recording without audio (a mute, a leave, a dropped
connection, a server restart, an overload): a fact of the record, written by the server only, and
shown in place among the segments (:func:`interleave`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = [
    "LOW_CONFIDENCE",
    "Change",
    "Entry",
    "Field",
    "GapReason",
    "GapView",
    "Revision",
    "SegmentKind",
    "SegmentStatus",
    "SegmentView",
    "SpeakerRef",
    "WordView",
    "diff_gaps",
    "diff_segments",
    "gap_text",
    "interleave",
    "is_blank",
    "of_record",
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
    MARKER = "marker"
    """A fact of the hearing written by the server, not speech: a court stage begins ("【法庭调查】
    10:32"), a party's identity was checked. Shown as a heading; nobody's edit may touch it."""


class Field(StrEnum):
    CREATED = "created"
    DELETED = "deleted"
    TEXT = "text"
    SPEAKER = "speaker"
    TIMES = "times"
    LOCKED = "locked"
    GAP = "gap"
    """A recording gap was added (by the server) or touched (refused: see the policy)."""


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


class GapReason(StrEnum):
    """Why a speaker's recording has no audio (the reasons ``HearingRecorder`` logs)."""

    MUTE = "mute"
    LEFT = "left"
    REMOVED = "removed"
    DISCONNECT = "disconnect"
    RESTART = "restart"
    OVERLOAD = "overload"


@dataclass(frozen=True, slots=True)
class GapView:
    """A gap of one speaker's recording, on the segments' clock (ms from the hearing's start)
    and in UTC (its place in the recording)."""

    id: str
    speaker: SpeakerRef
    reason: str
    """A :class:`GapReason` value; kept as text so an unknown reason is still shown."""
    start_ms: int
    """Negative if the gap began before the live session's start (see ``bridge.gap_view``)."""
    end_ms: int
    start_utc: str
    end_utc: str

    @property
    def duration_ms(self) -> int:
        return max(0, self.end_ms - self.start_ms)


Entry = SegmentView | GapView
"""One row of the transcript of record: a segment, or a gap shown in its place."""


def interleave(segments: Sequence[SegmentView], gaps: Sequence[GapView]) -> list[Entry]:
    """Segments in document order, each gap placed before the first segment that starts after
    it began (the same rule as the editor's, so screen and exports agree); later gaps last.

    The segments' order is the editors' (they split, merge, add notes), so it is kept as is;
    only the gaps are placed, in time order.
    """
    pending = sorted(gaps, key=lambda g: (g.start_ms, g.id))
    out: list[Entry] = []
    next_gap = 0
    for segment in segments:
        while next_gap < len(pending) and pending[next_gap].start_ms < segment.start_ms:
            out.append(pending[next_gap])
            next_gap += 1
        out.append(segment)
    out.extend(pending[next_gap:])
    return out


_SPOKEN = re.compile(r"[^\W_]")
"""A letter, a digit or a CJK character: something a person said (punctuation is not)."""


def is_blank(text: str) -> bool:
    """No word in it: empty, whitespace or punctuation only ("", " ", "。", "……")."""
    return _SPOKEN.search(text) is None


def of_record(entries: Sequence[Entry]) -> list[Entry]:
    """The rows a record prints: a segment with no words (a speaker label with nothing after it)
    is not part of the record, wherever it came from; gaps and worded segments are."""
    return [e for e in entries if isinstance(e, GapView) or not is_blank(e.text)]


def gap_text(gap: GapView) -> str:
    """A gap as a revision's before/after text: reason, speaker and UTC span."""
    return f"{gap.reason} {gap.speaker.key} {gap.start_utc}/{gap.end_utc}"


def diff_gaps(before: Sequence[GapView], after: Sequence[GapView]) -> list[Change]:
    """Gaps added, removed or altered (by id), as :attr:`Field.GAP` changes."""
    old = {g.id: g for g in before}
    new = {g.id: g for g in after}
    changes = [
        Change(gap_id, Field.GAP, gap_text(old[gap_id]) if gap_id in old else "", gap_text(gap))
        for gap_id, gap in new.items()
        if old.get(gap_id) != gap
    ]
    changes += [Change(i, Field.GAP, gap_text(g), "") for i, g in old.items() if i not in new]
    return changes


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
