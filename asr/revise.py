"""Two-pass commits: the decode at an utterance's end corrects what quick decodes committed.

Words are committed mid-utterance when two consecutive greedy decodes of the half-heard utterance
agree (LocalAgreement): fast, about a second after they are spoken, but a decode that has not
heard the rest of the sentence can agree on a wrong word ("who would vanish" for "who had
vanished"). At the utterance's end the whole utterance is decoded once more with a wider beam;
where that final decode reads the same stretch of audio differently, it wins (:func:`revision`),
once, before the utterance's last commit. Pure; no model, no I/O.

Where the final decode is not trusted, nothing is revised: it must cover the whole stretch (a
decode that stopped early would otherwise delete good words), and it may not drop more than one
word of it.

A third pass reads an utterance with what followed it (:func:`context_revision`): the last
seconds of an utterance stay in the audio window as context for the next one, so the next
utterance's final decode reads them again, now with the words that follow ("A gold ring will
please most and a girl." alone, "... most any girl. The long journey home took a year." with the
next sentence, as a whole-file decode reads it). Where it reads them differently, in a small
run, it corrects them once (the whole-file decode's advantage, at the cost of a late correction
of those few words).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from asr.text import compare_key
from asr.types import Word

__all__ = ["Change", "context_revision", "revision"]

# The final decode's words must reach this close to the end of the committed stretch.
_COVER_TOLERANCE_MS = 300
# At most this many words fewer than the stretch it replaces.
_MAX_WORDS_DROPPED = 1
# A re-read of context may change at most this many words: more is a different reading of the
# whole stretch (a decode thrown by the cut at the window's start), not a correction.
_MAX_CONTEXT_WORDS_CHANGED = 3
# A re-read word starting this close to the window's start was read from the cut.
_CUT_MS = 150


@dataclass(frozen=True, slots=True)
class Change:
    """``replaced`` (a run of the committed words) becomes ``words`` (possibly empty)."""

    replaced: tuple[Word, ...]
    words: tuple[Word, ...]


def _covering_span(
    committed: Sequence[Word], final: Sequence[Word], from_ms: int, to_ms: int
) -> list[Word] | None:
    """The words of ``final`` whose midpoints lie in ``[from_ms, to_ms]``, or None where there are
    no committed words, or the final decode does not reach the end of them (it stopped early).
    Where the committed stretch starts with a word that the span lacks there but that ``final``
    holds just before it, that word is taken in: alignment moved it across the edge."""
    if not committed:
        return None
    inside = [i for i, w in enumerate(final) if from_ms <= w.mid_ms <= to_ms]
    if not inside:
        return None
    first, last = inside[0], inside[-1]
    # The stretch's first word, aligned by the final decode just before the stretch, is the
    # same word, not a deletion ("regard and | so it begins": the beam put "and" 1.6 s early).
    head = committed[0]
    if first > 0 and _same(final[first - 1], head) and not _same(final[first], head):
        first -= 1
    span = list(final[first : last + 1])
    if span[-1].end_ms < committed[-1].end_ms - _COVER_TOLERANCE_MS:
        return None
    return span


def _same(a: Word, b: Word) -> bool:
    return compare_key(a.text) == compare_key(b.text)


def revision(
    provisional: Sequence[Word],
    final: Sequence[Word],
    *,
    from_ms: int,
    to_ms: int,
    before: Word | None = None,
) -> Change | None:
    """Compare ``provisional`` (committed words of the utterance, in order) with the words of
    ``final`` (the final decode, cleaned) whose midpoints lie in ``[from_ms, to_ms]`` (the same
    stretch of audio); the differing middle run, or None where they agree or the final decode is
    not trusted (see the module docstring). ``before`` is the committed word just before the
    stretch: where the final decode stretched it across ``from_ms`` ("like..." timed a second
    longer before "Ladies"), it is that word, not one to insert."""
    span = _covering_span(provisional, final, from_ms, to_ms)
    if span is None:
        return None
    if (
        before is not None
        and span[0].start_ms < from_ms
        and _same(span[0], before)
        and not _same(span[0], provisional[0])
    ):
        span = span[1:]
        if not span:
            return None
    old = [compare_key(w.text) for w in provisional]
    new = [compare_key(w.text) for w in span]
    if old == new:
        return None
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    replaced = tuple(provisional[head : len(provisional) - tail])
    words = tuple(span[head : len(span) - tail])
    if not replaced or len(words) < len(replaced) - _MAX_WORDS_DROPPED:
        return None
    return Change(replaced, words)


def context_revision(
    context: Sequence[Word], final: Sequence[Word], *, from_ms: int, to_ms: int
) -> Change | None:
    """The one run of ``context`` (final words of the previous utterance, kept as audio context)
    that a later final decode reads differently, with what followed them, in the same stretch
    ``[from_ms, to_ms]``; None where they agree, differ in more than one place, or differ by
    more than a small change (at most three words replaced, at most three more than replaced,
    at most one fewer), or where the change removes the first kept word or reads it again from
    the window's very start: the window was cut at that word's aligned start, which may clip its
    first sound ("had vanished" read "advanced"). A first word that was timed wrong and is read
    later in the window is corrected ("asked" at the cut, "Ask" a second after it). Words the
    decode adds before the first kept word are the cut at the window's start (a word half kept,
    or the prompt's last word echoed), not a difference."""
    span = _covering_span(context, final, from_ms, to_ms)
    if span is None:
        return None
    old = [compare_key(w.text) for w in context]
    new = [compare_key(w.text) for w in span]
    ops = [op for op in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()]
    if ops and ops[0][0] == "insert" and ops[0][1] == 0:
        ops = ops[1:]
    changed = [op for op in ops if op[0] != "equal"]
    if len(changed) != 1:
        return None
    _, i1, i2, j1, j2 = changed[0]
    replaced, words = tuple(context[i1:i2]), tuple(span[j1:j2])
    if i1 == 0 and (not words or words[0].start_ms < from_ms + _CUT_MS):
        return None  # read from the cut at the window's start, which may clip its first sound
    if not replaced or len(replaced) > _MAX_CONTEXT_WORDS_CHANGED:
        return None
    if len(words) > len(replaced) + _MAX_CONTEXT_WORDS_CHANGED:
        return None
    if len(words) < len(replaced) - _MAX_WORDS_DROPPED:
        return None
    return Change(replaced, words)
