"""One transcript segment as the document's Y.Map: building it, and reading it back as a view.

The schema is documented in :mod:`hearing_server.transcript.ydoc`; reading is lenient (a map with
a missing or mistyped field reads as a default, a map that is not a segment reads as ``None``), so
a malformed editor update cannot break the server's view of the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycrdt import Map, Text

from hearing_server.transcript.model import (
    SegmentKind,
    SegmentStatus,
    SegmentView,
    SpeakerRef,
    WordView,
)

__all__ = ["NewSegment", "segment_map", "segment_view", "word_rows"]


@dataclass(frozen=True, slots=True)
class NewSegment:
    id: str
    speaker: SpeakerRef
    start_ms: int
    end_ms: int
    text: str
    words: tuple[WordView, ...] = ()
    kind: SegmentKind = SegmentKind.SPEECH
    start_utc: str = ""
    """ISO UTC time of the first word: where the segment is in the hearing's recording."""


def _int(value: Any, default: int = 0) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _words(value: Any) -> tuple[WordView, ...]:
    if not isinstance(value, list | tuple):
        return ()
    words = []
    for item in value:
        if isinstance(item, list | tuple) and len(item) == 4:
            text, start, end, confidence = item
            words.append(WordView(_str(text), _int(start), _int(end), float(confidence or 0.0)))
    return tuple(words)


def word_rows(words: tuple[WordView, ...]) -> list[list[Any]]:
    return [[w.text, w.start_ms, w.end_ms, w.confidence] for w in words]


def segment_view(entry: Any) -> SegmentView | None:
    """One array entry as a view; ``None`` for anything that is not a segment map."""
    if not isinstance(entry, Map):
        return None
    data = entry.to_py() or {}
    segment_id = _str(data.get("id"))
    if not segment_id:
        return None
    try:
        kind = SegmentKind(_str(data.get("kind")))
        status = SegmentStatus(_str(data.get("status")))
    except ValueError:
        return None
    return SegmentView(
        id=segment_id,
        kind=kind,
        speaker=SpeakerRef(
            _str(data.get("speaker_key")),
            _str(data.get("speaker_role")),
            _str(data.get("speaker_name")),
        ),
        start_ms=_int(data.get("start_ms")),
        start_utc=_str(data.get("start_utc")),
        end_ms=_int(data.get("end_ms")),
        text=_str(data.get("text")),
        status=status,
        locked=data.get("locked") is True,
        asr_text=_str(data.get("asr_text")),
        words=_words(data.get("words")),
    )


def segment_map(segment: NewSegment) -> Map[Any]:
    """A segment as the document's map (not yet in a document): what ``append_commit`` inserts,
    and what a test or a tool inserts to build a document as an editor would."""
    return Map(
        {
            "id": segment.id,
            "kind": segment.kind.value,
            "speaker_key": segment.speaker.key,
            "speaker_role": segment.speaker.role,
            "speaker_name": segment.speaker.name,
            "start_ms": segment.start_ms,
            "end_ms": segment.end_ms,
            "text": Text(segment.text),
            "asr_text": segment.text if segment.kind is SegmentKind.SPEECH else "",
            "status": SegmentStatus.COMMITTED.value,
            "locked": False,
            "words": word_rows(segment.words),
            "start_utc": segment.start_utc,
        }
    )
