"""Error rates (WER for English, CER for Mandarin) and percentiles for latency figures.

Both texts are normalised and split into scoring units by :mod:`asr.eval.normalise`; the unit
sequences are aligned by Levenshtein distance (jiwer), which counts hits H, substitutions S,
deletions D (reference units missing from the hypothesis) and insertions I (extra hypothesis units).
The error rate is ``(S + D + I) / N`` with ``N = H + S + D`` the number of reference units; it can
exceed 1 when the hypothesis inserts a lot (a repetition loop). Over several items, error counts are
summed first and the rate is taken from the sums (:func:`combine`), so each item weighs by its
reference length.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import jiwer

from asr.eval.normalise import CHARACTER_LANGUAGES, tokens

__all__ = ["ErrorCounts", "combine", "metric_name", "percentile", "score"]

MetricName = Literal["wer", "cer"]
_PERCENT_MAX = 100.0


@dataclass(frozen=True, slots=True)
class ErrorCounts:
    """Alignment counts of one hypothesis against one reference (or sums over several)."""

    substitutions: int
    deletions: int
    insertions: int
    hits: int
    reference_length: int

    def __post_init__(self) -> None:
        for name in ("substitutions", "deletions", "insertions", "hits", "reference_length"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.hits + self.substitutions + self.deletions != self.reference_length:
            raise ValueError("hits + substitutions + deletions must equal reference_length")

    @property
    def errors(self) -> int:
        """S + D + I."""
        return self.substitutions + self.deletions + self.insertions

    @property
    def rate(self) -> float | None:
        """(S + D + I) / reference length; None when the reference is empty."""
        if self.reference_length == 0:
            return None
        return self.errors / self.reference_length


ZERO = ErrorCounts(substitutions=0, deletions=0, insertions=0, hits=0, reference_length=0)


def metric_name(language: str) -> MetricName:
    """``"cer"`` for languages scored per character (Mandarin), ``"wer"`` otherwise."""
    return "cer" if language in CHARACTER_LANGUAGES else "wer"


def score(reference: str, hypothesis: str, language: str) -> ErrorCounts:
    """Align the normalised units of ``hypothesis`` against those of ``reference``."""
    reference_units = tokens(reference, language)
    hypothesis_units = tokens(hypothesis, language)
    if not reference_units:
        return ErrorCounts(0, 0, len(hypothesis_units), 0, 0)
    # Units never contain whitespace, so joining with spaces and letting jiwer split again is exact.
    output = jiwer.process_words(" ".join(reference_units), " ".join(hypothesis_units))
    return ErrorCounts(
        substitutions=output.substitutions,
        deletions=output.deletions,
        insertions=output.insertions,
        hits=output.hits,
        reference_length=len(reference_units),
    )


def combine(counts: Iterable[ErrorCounts]) -> ErrorCounts:
    """Sum counts over items: the combined rate is total errors / total reference length."""
    s = d = i = h = n = 0
    for c in counts:
        s += c.substitutions
        d += c.deletions
        i += c.insertions
        h += c.hits
        n += c.reference_length
    return ErrorCounts(substitutions=s, deletions=d, insertions=i, hits=h, reference_length=n)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (``q`` in 0..100) with linear interpolation, as ``numpy.percentile``.

    None for an empty sequence. Raises ValueError for ``q`` outside 0..100 or a NaN value.
    """
    if not 0.0 <= q <= _PERCENT_MAX:
        raise ValueError(f"percentile q must be within 0..100, got {q}")
    if not values:
        return None
    ordered = sorted(float(v) for v in values)
    if any(math.isnan(v) for v in ordered):
        raise ValueError("percentile of a sequence containing NaN")
    position = (len(ordered) - 1) * q / 100.0
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    fraction = position - lower
    return ordered[lower] + (ordered[upper] - ordered[lower]) * fraction
