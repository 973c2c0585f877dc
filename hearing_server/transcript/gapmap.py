"""The transcript document's ``gaps`` entries (schema: :mod:`hearing_server.transcript.ydoc`):
a :class:`GapView` as a pycrdt map and back. Plain values only: a gap is never edited in place,
it is written once by the server."""

from __future__ import annotations

from typing import Any

from pycrdt import Map

from hearing_server.transcript.model import GapView, SpeakerRef

__all__ = ["gap_map", "gap_view"]


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def gap_view(entry: Any) -> GapView | None:
    """One ``gaps`` entry as a view; ``None`` for anything that is not a gap map."""
    if not isinstance(entry, Map):
        return None
    data = entry.to_py() or {}
    gap_id = _str(data.get("id"))
    if not gap_id:
        return None
    return GapView(
        id=gap_id,
        speaker=SpeakerRef(
            _str(data.get("speaker_key")),
            _str(data.get("speaker_role")),
            _str(data.get("speaker_name")),
        ),
        reason=_str(data.get("reason")),
        start_ms=_int(data.get("start_ms")),
        end_ms=_int(data.get("end_ms")),
        start_utc=_str(data.get("start_utc")),
        end_utc=_str(data.get("end_utc")),
    )


def gap_map(gap: GapView) -> Map[Any]:
    """A gap as the document's map (plain values: nothing in it is edited in place)."""
    return Map(
        {
            "id": gap.id,
            "speaker_key": gap.speaker.key,
            "speaker_role": gap.speaker.role,
            "speaker_name": gap.speaker.name,
            "reason": gap.reason,
            "start_ms": gap.start_ms,
            "end_ms": gap.end_ms,
            "start_utc": gap.start_utc,
            "end_utc": gap.end_utc,
        }
    )
