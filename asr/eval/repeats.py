"""Streams in which speech occurs again: is a repeat transcribed as often as the first time?

Courts repeat themselves (是的, 没有异议, a question asked twice), and a recogniser that takes a
repeat for a loop or for text it already committed drops it silently. :func:`build_stream` joins
clips (each one or more times) into one stream with pauses, remembering where each copy lies;
:func:`score_copies` splits the committed words by those places and scores each copy against its
reference, so that first and later occurrences can be compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from asr.engine import FloatArray
from asr.eval.metrics import ErrorCounts, combine, score
from asr.text import join_text
from asr.types import SAMPLE_RATE_HZ, Word

__all__ = ["Clip", "Copy", "CopyScore", "build_stream", "score_copies", "totals_by_occurrence"]

# A word belongs to the copy whose time span (widened by this much) holds its midpoint.
_SLACK_MS = 500


@dataclass(frozen=True, slots=True)
class Clip:
    name: str
    audio: FloatArray
    reference: str


@dataclass(frozen=True, slots=True)
class Copy:
    """One occurrence of a clip in the stream: ``occurrence`` 1 is the first time it is heard."""

    name: str
    reference: str
    occurrence: int
    start_ms: int
    end_ms: int


@dataclass(frozen=True, slots=True)
class CopyScore:
    copy: Copy
    hypothesis: str
    errors: ErrorCounts


def build_stream(
    clips: Sequence[Clip], order: Sequence[int], *, pause_ms: int
) -> tuple[FloatArray, list[Copy]]:
    """The clips in ``order`` (indexes into ``clips``, repeats allowed) with ``pause_ms`` of
    silence before each; returns the audio and where each copy lies."""
    parts: list[FloatArray] = []
    copies: list[Copy] = []
    seen: dict[int, int] = {}
    position = 0
    pause = np.zeros(pause_ms * SAMPLE_RATE_HZ // 1000, dtype=np.float32)
    for index in order:
        clip = clips[index]
        parts.append(pause)
        position += len(pause)
        seen[index] = seen.get(index, 0) + 1
        start_ms = position * 1000 // SAMPLE_RATE_HZ
        position += len(clip.audio)
        end_ms = position * 1000 // SAMPLE_RATE_HZ
        copies.append(Copy(clip.name, clip.reference, seen[index], start_ms, end_ms))
        parts.append(clip.audio.astype(np.float32))
    parts.append(pause)
    return np.concatenate(parts), copies


def score_copies(words: Sequence[Word], copies: Sequence[Copy], language: str) -> list[CopyScore]:
    """Each copy's committed words (by time) scored against its reference."""
    out: list[CopyScore] = []
    for copy in copies:
        mine = [w for w in words if copy.start_ms - _SLACK_MS <= w.mid_ms < copy.end_ms + _SLACK_MS]
        hypothesis = join_text(mine, language)
        out.append(CopyScore(copy, hypothesis, score(copy.reference, hypothesis, language)))
    return out


def totals_by_occurrence(scores: Sequence[CopyScore]) -> dict[str, ErrorCounts]:
    """Errors summed over first occurrences (``"first"``) and over later ones (``"repeat"``)."""
    first = [s.errors for s in scores if s.copy.occurrence == 1]
    repeat = [s.errors for s in scores if s.copy.occurrence > 1]
    return {"first": combine(first), "repeat": combine(repeat)}
