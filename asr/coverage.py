"""Accounting for voiced audio: which stretches of speech ended in text, and which did not.

A word the engine silently drops is the worst error it can make: a clerk can correct a wrong word
she sees, not a missing sentence she did not hear. So every stretch of voiced audio (by VAD) must
end either in committed words or in a :class:`asr.types.Gap` that says why it has no text. Each
stream keeps a :class:`VoicedLedger` (its voiced stretches not yet accounted for, and the words
committed since): at each utterance end it turns voiced audio without words into
``Gap(reason="unrecognised")`` (:func:`uncovered`); the evaluation uses :func:`account` to check
that nothing was left unaccounted.

A word covers its own time plus ``pad_ms`` on each side (the pauses between words inside a
sentence, and alignment jitter); a voiced stretch left uncovered for less than ``min_ms`` is a
pause, a breath or a clipped syllable, not missing speech. Intervals are ``(start_ms, end_ms)``,
end exclusive. Pure: no model, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from asr.types import Gap, Word

__all__ = [
    "MIN_UNCOVERED_MS",
    "PAD_MS",
    "Accounting",
    "VoicedLedger",
    "account",
    "merge",
    "uncovered",
]

Interval = tuple[int, int]

PAD_MS = 400
MIN_UNCOVERED_MS = 1000


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping, non-empty intervals covering the same time."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _subtract(intervals: Sequence[Interval], holes: Sequence[Interval]) -> list[Interval]:
    """``intervals`` minus ``holes`` (both merged)."""
    out: list[Interval] = []
    k = 0
    for start, end in intervals:
        cursor = start
        while k < len(holes) and holes[k][1] <= cursor:
            k += 1
        j = k
        while j < len(holes) and holes[j][0] < end:
            if holes[j][0] > cursor:
                out.append((cursor, holes[j][0]))
            cursor = max(cursor, holes[j][1])
            j += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def _length(intervals: Iterable[Interval]) -> int:
    return sum(end - start for start, end in intervals)


def word_cover(words: Iterable[Word], pad_ms: int = PAD_MS) -> list[Interval]:
    return merge((w.start_ms - pad_ms, w.end_ms + pad_ms) for w in words)


def uncovered(
    voiced: Iterable[Interval],
    words: Iterable[Word],
    gaps: Iterable[Gap] = (),
    *,
    pad_ms: int = PAD_MS,
    min_ms: int = MIN_UNCOVERED_MS,
) -> list[Interval]:
    """Stretches of ``voiced`` audio, at least ``min_ms`` long, that no word or gap covers."""
    holes = merge([*word_cover(words, pad_ms), *((g.start_ms, g.end_ms) for g in gaps)])
    return [i for i in _subtract(merge(voiced), holes) if i[1] - i[0] >= min_ms]


class VoicedLedger:
    """One stream's voiced stretches (ms) not yet accounted for, and the words committed since
    they began (kept in step with revisions by ``asr.commits``)."""

    def __init__(self) -> None:
        self.stretches: list[Interval] = []
        self.words: list[Word] = []

    def note(self, start_ms: int, end_ms: int) -> None:
        self.stretches.append((start_ms, end_ms))

    def skip(self, until_ms: int) -> None:
        """Audio before ``until_ms`` was given up (a backlog gap accounts for it)."""
        self.stretches = [(max(s, until_ms), e) for s, e in self.stretches if e > until_ms]

    def account(self, until_ms: int) -> list[Gap]:
        """Voiced audio up to ``until_ms`` that no committed word covers: unrecognised gaps."""
        done = [(s, min(e, until_ms)) for s, e in self.stretches if s < until_ms]
        self.stretches = [(max(s, until_ms), e) for s, e in self.stretches if e > until_ms]
        gaps = [Gap(s, e, "unrecognised") for s, e in uncovered(done, self.words)]
        earliest = self.stretches[0][0] if self.stretches else until_ms
        self.words = [w for w in self.words if w.end_ms >= earliest]
        return gaps


@dataclass(frozen=True, slots=True)
class Accounting:
    """Where an item's voiced audio went, in ms. ``unaccounted_ms`` should be zero."""

    voiced_ms: int
    in_words_ms: int
    gap_ms_by_reason: dict[str, int]
    unaccounted_ms: int

    @property
    def accounted_share(self) -> float:
        if self.voiced_ms == 0:
            return 1.0
        return 1.0 - self.unaccounted_ms / self.voiced_ms

    @property
    def words_share(self) -> float:
        if self.voiced_ms == 0:
            return 1.0
        return self.in_words_ms / self.voiced_ms


def account(
    voiced: Iterable[Interval],
    words: Sequence[Word],
    gaps: Sequence[Gap],
    *,
    pad_ms: int = PAD_MS,
    min_ms: int = MIN_UNCOVERED_MS,
) -> Accounting:
    """Split voiced audio into: covered by words, covered by gaps (per reason), unaccounted.

    Voiced time that words cover counts as words even where a gap overlaps it; stretches shorter
    than ``min_ms`` between covered parts count as covered (see the module docstring).
    """
    voiced_m = merge(voiced)
    by_words = word_cover(words, pad_ms)
    after_words = _subtract(voiced_m, by_words)
    by_reason: dict[str, int] = {}
    rest = after_words
    for reason in sorted({g.reason for g in gaps}):
        holes = merge((g.start_ms, g.end_ms) for g in gaps if g.reason == reason)
        remaining = _subtract(rest, holes)
        by_reason[reason] = _length(rest) - _length(remaining)
        rest = remaining
    missing = _length(i for i in rest if i[1] - i[0] >= min_ms)
    voiced_ms = _length(voiced_m)
    return Accounting(
        voiced_ms=voiced_ms,
        in_words_ms=voiced_ms - _length(after_words),
        gap_ms_by_reason=by_reason,
        unaccounted_ms=missing,
    )
