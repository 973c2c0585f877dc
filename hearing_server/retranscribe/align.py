"""Aligning a re-transcribed track with the transcript of record: pure, no I/O, no model.

    placed = place_segments(doc.segments(), origin_utc)
    proposals = align_track(placed, "participant-3", words, "zh")

The live transcript and the recording share one clock: a segment's ``start_utc`` is its place in
the recording (whose sample 0 is ``origin_utc``), and its length is ``end_ms - start_ms``. Each
re-transcribed word (times in ms from the start of the track's file, which starts at the origin)
goes to the segment *of the same speaker* whose span holds the word's midpoint, give or take
``tolerance_ms`` (the live segmenter cuts a little early or late); when two spans hold it, the one
whose middle is nearest wins. Then:

- a segment whose words read differently from its current text becomes a suggestion; "differently"
  is compared with :func:`asr.text.compare_key` (case, punctuation and width ignored), so a model
  that only punctuates otherwise does not flood the proofreader;
- a segment that received no word gets no suggestion (the re-transcription heard nothing there:
  proposing to empty a line of the record is not a correction a model should offer);
- words no segment holds are grouped (a pause longer than ``gap_ms`` starts a new group) into
  "new segment" suggestions: speech the live transcript missed.

Nothing here decides whether a suggestion may be *applied*; that is checked at acceptance against
the segment as it is then (``touched``, ``locked``, changed since the proposal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from asr.text import compare_key
from asr.types import Word, join_words
from hearing_server.transcript.model import SegmentKind, SegmentView

__all__ = ["PlacedSegment", "Proposal", "align_track", "place_segments"]

DEFAULT_TOLERANCE_MS = 300
DEFAULT_GAP_MS = 1500


@dataclass(frozen=True, slots=True)
class PlacedSegment:
    """A speech segment placed on the recording's timeline."""

    segment: SegmentView
    rec_start_ms: int
    rec_end_ms: int

    @property
    def doc_offset_ms(self) -> int:
        """Add to a recording time to get the document's time (``start_ms``) of that instant."""
        return self.segment.start_ms - self.rec_start_ms


@dataclass(frozen=True, slots=True)
class Proposal:
    """What re-transcription proposes: new text for a segment, or a new segment (``segment_id``
    is ``None``). Times are the document's (``start_ms``/``end_ms``) plus the UTC start."""

    segment_id: str | None
    speaker_key: str
    start_ms: int
    end_ms: int
    start_utc: str
    current_text: str
    proposed_text: str
    words: tuple[Word, ...]


def _parse_utc(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def place_segments(segments: Sequence[SegmentView], origin_utc: datetime) -> list[PlacedSegment]:
    """Speech segments with a known place in the recording (``start_utc``), in timeline order;
    notes and segments without a time are left out (they cannot be compared with audio)."""
    placed = []
    for segment in segments:
        if segment.kind is not SegmentKind.SPEECH or not segment.start_utc:
            continue
        start = _parse_utc(segment.start_utc)
        if start is None:
            continue
        rec_start_ms = round((start - origin_utc).total_seconds() * 1000)
        length_ms = max(0, segment.end_ms - segment.start_ms)
        placed.append(PlacedSegment(segment, rec_start_ms, rec_start_ms + length_ms))
    placed.sort(key=lambda p: p.rec_start_ms)
    return placed


def _owner(
    word: Word, candidates: Sequence[PlacedSegment], tolerance_ms: int
) -> PlacedSegment | None:
    middle = (word.start_ms + word.end_ms) / 2
    best: PlacedSegment | None = None
    best_distance = float("inf")
    for candidate in candidates:
        if candidate.rec_start_ms - tolerance_ms <= middle <= candidate.rec_end_ms + tolerance_ms:
            distance = abs(middle - (candidate.rec_start_ms + candidate.rec_end_ms) / 2)
            if distance < best_distance:
                best, best_distance = candidate, distance
    return best


def _utc(origin_utc: datetime, rec_ms: int) -> str:
    return (origin_utc + timedelta(milliseconds=rec_ms)).isoformat()


def _nearest_offset(placed: Sequence[PlacedSegment], rec_ms: int) -> int:
    """The document-time offset of the nearest placed segment (any speaker); 0 when none."""
    if not placed:
        return 0
    nearest = min(placed, key=lambda p: abs(p.rec_start_ms - rec_ms))
    return nearest.doc_offset_ms


def align_track(
    placed: Sequence[PlacedSegment],
    speaker_key: str,
    words: Sequence[Word],
    language: str,
    origin_utc: datetime,
    *,
    tolerance_ms: int = DEFAULT_TOLERANCE_MS,
    gap_ms: int = DEFAULT_GAP_MS,
) -> list[Proposal]:
    """Suggestions from one speaker's re-transcribed ``words`` (see the module docstring).

    ``placed`` holds every speaker's segments (the others only place new segments in document
    time); ``language`` decides how words are joined (no spaces between Chinese characters).
    """
    own = [p for p in placed if p.segment.speaker.key == speaker_key]
    held: dict[str, list[Word]] = {}
    loose: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.start_ms, w.end_ms)):
        owner = _owner(word, own, tolerance_ms)
        if owner is not None:
            held.setdefault(owner.segment.id, []).append(word)
        elif loose and word.start_ms - loose[-1][-1].end_ms <= gap_ms:
            loose[-1].append(word)
        else:
            loose.append([word])
    proposals = []
    for item in own:
        segment_words = held.get(item.segment.id)
        if not segment_words:
            continue
        text = join_words(segment_words, language)
        if compare_key(text) == compare_key(item.segment.text):
            continue
        proposals.append(
            Proposal(
                segment_id=item.segment.id,
                speaker_key=speaker_key,
                start_ms=item.segment.start_ms,
                end_ms=item.segment.end_ms,
                start_utc=item.segment.start_utc,
                current_text=item.segment.text,
                proposed_text=text,
                words=tuple(segment_words),
            )
        )
    for group in loose:
        text = join_words(group, language)
        if not compare_key(text):
            continue
        rec_start, rec_end = group[0].start_ms, group[-1].end_ms
        offset = _nearest_offset(placed, rec_start)
        proposals.append(
            Proposal(
                segment_id=None,
                speaker_key=speaker_key,
                start_ms=max(0, rec_start + offset),
                end_ms=max(0, rec_end + offset),
                start_utc=_utc(origin_utc, rec_start),
                current_text="",
                proposed_text=text,
                words=tuple(group),
            )
        )
    proposals.sort(key=lambda p: p.start_ms)
    return proposals
