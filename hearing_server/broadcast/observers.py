"""What observers may see, and how many there are (pure).

    lines = delayed_lines(doc.segments(), now=now, delay_s=30)   # committed words ≥ 30 s old
    viewers = Viewers(); viewers.seen("a1b2…", at=t); viewers.count(at=t)

The observers' transcript is the transcript document's committed text only (no partials, no
editor presence), and only what was said at least ``delay_s`` seconds ago, as the broadcast's
media is: a growing segment shows the words whose time is old enough; a segment a person has
corrected shows once the whole segment is old enough (its words no longer match its text).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from hearing_server.transcript.model import SegmentKind, SegmentView

__all__ = ["VIEWER_TTL_S", "Viewers", "WatchLine", "delayed_lines"]

VIEWER_TTL_S = 15.0
"""An observer counts while their page polled within this long (it polls every 2 s)."""
MAX_VIEWERS = 100_000
"""Ids kept per hearing at most: made-up ids cannot grow the table without bound."""


@dataclass(frozen=True, slots=True)
class WatchLine:
    id: str
    role: str
    display_name: str
    text: str
    start_at: str
    interprets_role: str = ""
    interprets_name: str = ""
    """For an interpreter's line: whose words it interprets."""


def delayed_lines(
    segments: Iterable[SegmentView],
    *,
    now: datetime,
    delay_s: float,
    interpreters: Mapping[str, tuple[str, str]] | None = None,
) -> list[WatchLine]:
    """``interpreters``: speaker key → (role, name) of the person they interpret."""
    cutoff = now - timedelta(seconds=delay_s)
    lines: list[WatchLine] = []
    for segment in segments:
        if segment.kind is not SegmentKind.SPEECH or not segment.start_utc:
            continue
        live_start = datetime.fromisoformat(segment.start_utc) - timedelta(
            milliseconds=segment.start_ms
        )
        cutoff_ms = (cutoff - live_start) / timedelta(milliseconds=1)
        if segment.end_ms <= cutoff_ms:
            text = segment.text
        elif segment.words and segment.text == segment.asr_text:
            text = "".join(w.text for w in segment.words if w.end_ms <= cutoff_ms).strip()
        else:
            text = ""
        if text:
            speaker = segment.speaker
            of_role, of_name = (interpreters or {}).get(speaker.key, ("", ""))
            lines.append(
                WatchLine(
                    segment.id,
                    speaker.role,
                    speaker.name,
                    text,
                    segment.start_utc,
                    of_role,
                    of_name,
                )
            )
    return lines


class Viewers:
    """Observers by the random id their page made, with when each last polled."""

    def __init__(self, ttl_s: float = VIEWER_TTL_S, limit: int = MAX_VIEWERS) -> None:
        self._ttl_s = ttl_s
        self._limit = limit
        self._last: dict[str, float] = {}

    def seen(self, viewer: str, *, at: float) -> None:
        if viewer not in self._last and len(self._last) >= self._limit:
            self.count(at=at)  # drop the stale ones first
            if len(self._last) >= self._limit:
                return
        self._last[viewer] = at

    def count(self, *, at: float) -> int:
        stale = [v for v, t in self._last.items() if at - t > self._ttl_s]
        for viewer in stale:
            del self._last[viewer]
        return len(self._last)

    def clear(self) -> None:
        self._last.clear()
