"""The delayed HLS playlist observers fetch (pure: text in, text out).

    source = parse_playlist(text_of_ffmpegs_playlist)     # segments with their wall-clock start
    text = delayed_playlist(source, now=now, delay_s=30)   # what observers may see now, or None

FFmpeg's HLS muxer writes every segment and a playlist listing them with
``#EXT-X-PROGRAM-DATE-TIME`` (``hls_flags=program_date_time``). Observers get only the segments
that ended at least ``delay_s`` seconds ago, the last :data:`WINDOW` of them, so a player at the
live edge stays ``delay_s`` (plus its own buffer of a few segments) behind the hearing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["WINDOW", "Segment", "SourcePlaylist", "delayed_playlist", "parse_playlist"]

WINDOW = 6
"""Segments listed in the observers' playlist (a live window, as a live HLS playlist has)."""


@dataclass(frozen=True, slots=True)
class Segment:
    uri: str
    duration_s: float
    starts_at: datetime

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(seconds=self.duration_s)


@dataclass(frozen=True, slots=True)
class SourcePlaylist:
    target_duration_s: int
    segments: tuple[Segment, ...]
    ended: bool


def parse_playlist(text: str) -> SourcePlaylist:
    """FFmpeg's playlist; a segment without a program date follows on from the one before."""
    target, ended = 2, False
    segments: list[Segment] = []
    duration: float | None = None
    date: datetime | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#EXT-X-TARGETDURATION:"):
            target = int(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
            date = datetime.fromisoformat(line.split(":", 1)[1])
        elif line.startswith("#EXTINF:"):
            duration = float(line.split(":", 1)[1].split(",", 1)[0])
        elif line == "#EXT-X-ENDLIST":
            ended = True
        elif line and not line.startswith("#") and duration is not None:
            if date is None and segments:
                date = segments[-1].ends_at
            if date is not None:
                segments.append(Segment(line, duration, date))
            duration, date = None, None
    return SourcePlaylist(target, tuple(segments), ended)


def delayed_playlist(
    source: SourcePlaylist, *, now: datetime, delay_s: float, prefix: str = ""
) -> str | None:
    """The observers' playlist at ``now``; None while no segment is old enough yet."""
    cutoff = now - timedelta(seconds=delay_s)
    ready = [s for s in source.segments if s.ends_at <= cutoff]
    if not ready:
        return None
    first = len(ready) - min(WINDOW, len(ready))
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{source.target_duration_s}",
        f"#EXT-X-MEDIA-SEQUENCE:{first}",
    ]
    for segment in ready[first:]:
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{segment.starts_at.isoformat()}")
        lines.append(f"#EXTINF:{segment.duration_s:.3f},")
        lines.append(prefix + segment.uri)
    if source.ended and len(ready) == len(source.segments):
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"
