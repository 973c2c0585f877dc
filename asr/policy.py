"""LocalAgreement-n commit policy (pure; after ufal/whisper_streaming).

Each decode of the current audio window gives a hypothesis: a list of timed words. A word is
committed when ``n`` consecutive hypotheses agree on it and on everything before it (the longest
common prefix). Committed words are never revised. The uncommitted rest is the partial.

Hypothesis words that the committed text already covers are removed first. Where the hypothesis
reads the last committed word again at its time (same text, ending within 300 ms), everything
after that word is new: a decode that times a short next word ("the") a little early must not
lose it. Otherwise by time (a word whose midpoint lies before the end of the last committed word)
and by text and time together (the head of a hypothesis that repeats the last one to five
committed words *at the same audio time*, as a word straddling a window cut does when it is
decoded again). Text alone never removes a word: a speaker who says the same words again says
them at new audio times, and they are new words.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from asr.text import compare_key
from asr.types import Word, apply_revision

_MAX_OVERLAP_WORDS = 5
# Alignment jitter: a word decoded again from another window may start this much later than where
# it was committed and still be the same word (the same audio), not a repetition.
_REDECODE_JITTER_MS = 120
# A hypothesis word with the last committed word's text, ending this close to it, is that word
# read again: what follows it in the hypothesis is new (``_anchor``).
_ANCHOR_MS = 300
# Words of the latest partial are added to a final decode only after a pause (see ``finish``).
_GAP_MS = 200


@dataclass(frozen=True, slots=True)
class PolicyUpdate:
    committed: tuple[Word, ...]
    partial: tuple[Word, ...]


@dataclass
class LocalAgreement:
    """LocalAgreement-``n``: ``agreement=2`` compares each hypothesis with the one before."""

    agreement: int = 2
    committed_end_ms: int = 0
    _history: deque[list[Word]] = field(default_factory=deque)
    _committed_tail: deque[Word] = field(default_factory=lambda: deque(maxlen=_MAX_OVERLAP_WORDS))

    def update(self, hypothesis: list[Word], *, stable_until_ms: int | None = None) -> PolicyUpdate:
        """Take a new hypothesis; return newly committed words and the new partial.

        Only words ending by ``stable_until_ms`` (if given) may be committed: Whisper revises the
        last second of a window most.
        """
        new = self._uncovered(hypothesis)
        self._history.append(new)
        while len(self._history) > self.agreement:
            self._history.popleft()
        if len(self._history) < self.agreement:
            return PolicyUpdate((), tuple(new))
        # The last word of the newest hypothesis sits at the window edge: it may be cut off or
        # carry an end-of-window full stop. It waits for the next step or the utterance end.
        prefix_len = min(_common_prefix_len(list(self._history)), max(0, len(new) - 1))
        if stable_until_ms is not None:
            while prefix_len and new[prefix_len - 1].end_ms > stable_until_ms:
                prefix_len -= 1
        committed = new[:prefix_len]
        self._commit(committed)
        self._history = deque(h[prefix_len:] for h in self._history)
        return PolicyUpdate(tuple(committed), tuple(new[prefix_len:]))

    def finish(self, hypothesis: list[Word], *, until_ms: int | None = None) -> tuple[Word, ...]:
        """The window is final (utterance end or flush): commit every uncovered word of it.

        Whisper sometimes stops early in a window that holds a pause (it emits end-of-text after
        the first sentence). Words of the latest partial hypothesis that lie after everything the
        final decode produced are committed too, so such a stop never loses speech. The two
        decodes may time the same words differently: where the extra words begin with the final
        decode's last words and the partial did not say those words before them, they are the
        same speech timed later (dropped); where it did, the speaker said them again (kept).
        Partial words past ``until_ms`` (the final window's end) belong to audio the final
        decode did not cover (the next utterance, which a partial decoded past the utterance's
        end may have heard): they are never taken.
        """
        words = self._uncovered(hypothesis)
        if self._history:
            latest = self.pending(until_ms)
            # After the final decode's own last word, a pause: the two decodes may time that
            # word differently. Where it read nothing new, ``latest`` is already past every
            # committed word (``_uncovered``), so all of it is new ("behind | The curtain").
            covered_until = words[-1].end_ms + _GAP_MS if words else self.committed_end_ms
            split = next((i for i, w in enumerate(latest) if w.start_ms >= covered_until), None)
            if split is not None:
                extra = latest[split:]
                if words:
                    extra = extra[_timed_differently(words, latest[:split], extra) :]
                words += extra
        self._commit(words)
        self._history.clear()
        return tuple(words)

    def pending(self, until_ms: int | None) -> list[Word]:
        """The latest hypothesis's uncommitted words (their midpoints before ``until_ms``)."""
        if not self._history:
            return []
        latest = self._uncovered(self._history[-1])
        if until_ms is None:
            return latest
        return [w for w in latest if w.mid_ms < until_ms]

    def revise(self, replaced: Sequence[Word], words: Sequence[Word]) -> None:
        """The final decode corrected committed words (``asr.revise``): remember the new ones."""
        tail = apply_revision(list(self._committed_tail), replaced, words)
        self._committed_tail = deque(tail, maxlen=_MAX_OVERLAP_WORDS)
        if words:
            self.committed_end_ms = max(self.committed_end_ms, words[-1].end_ms)

    def reset_history(self) -> None:
        """Forget uncommitted hypotheses (the window moved, e.g. after a trim)."""
        self._history.clear()

    def _commit(self, words: list[Word]) -> None:
        if words:
            self.committed_end_ms = max(self.committed_end_ms, words[-1].end_ms)
            self._committed_tail.extend(words)

    def _uncovered(self, hypothesis: list[Word]) -> list[Word]:
        end = self.committed_end_ms
        tail = list(self._committed_tail)
        anchor = _anchor(tail, hypothesis)
        if anchor is not None:
            # The hypothesis reads the last committed word where it was committed: every word
            # after it is new, even a short one ("behind | the curtain") that this decode times
            # a little before the committed end, which the time rule below would drop.
            fresh = hypothesis[anchor + 1 :]
        else:
            fresh = [w for w in hypothesis if w.mid_ms > end]
            # Drop a head that repeats the committed tail at the same time (a word straddling
            # the cut, decoded again); judged on the words' own times, before they are clamped.
            if fresh and tail:
                fresh = fresh[_same_speech_overlap(tail, fresh) :]
        return [
            w if w.start_ms >= end else Word(w.text, end, max(end, w.end_ms), w.probability)
            for w in fresh
        ]


def _timed_differently(final: list[Word], before: list[Word], extra: list[Word]) -> int:
    """How many head words of ``extra`` repeat the end of ``final`` as the same speech: the run
    the two share, unless the partial already said that run before ``extra`` (then it is said
    twice)."""
    final_keys = [compare_key(w.text) for w in final[-_MAX_OVERLAP_WORDS:]]
    extra_keys = [compare_key(w.text) for w in extra[:_MAX_OVERLAP_WORDS]]
    before_keys = [compare_key(w.text) for w in before]
    for n in range(min(len(final_keys), len(extra_keys)), 0, -1):
        if final_keys[-n:] != extra_keys[:n]:
            continue
        run = extra_keys[:n]
        said_before = any(before_keys[i : i + n] == run for i in range(len(before_keys) - n + 1))
        return 0 if said_before else n
    return 0


def _anchor(tail: list[Word], hypothesis: list[Word]) -> int | None:
    """Index of the hypothesis word that reads the last committed word at its time (same text,
    ending within ``_ANCHOR_MS`` of it; the closest if several), or None."""
    if not tail:
        return None
    last = tail[-1]
    key = compare_key(last.text)
    if not key:
        return None
    distance = {
        i: abs(w.end_ms - last.end_ms)
        for i, w in enumerate(hypothesis)
        if compare_key(w.text) == key and abs(w.end_ms - last.end_ms) <= _ANCHOR_MS
    }
    return min(distance, key=distance.__getitem__, default=None)


def _same_speech_overlap(tail: list[Word], head: list[Word]) -> int:
    """Length of the longest run of words that ends ``tail`` and starts ``head`` with the same
    text *and* the same audio time: the head's run starts before the tail's run ends (give or
    take alignment jitter). A run that starts later is the speaker saying it again."""
    tail_keys = [compare_key(w.text) for w in tail]
    head_keys = [compare_key(w.text) for w in head[:_MAX_OVERLAP_WORDS]]
    for n in range(min(len(tail_keys), len(head_keys)), 0, -1):
        if tail_keys[-n:] != head_keys[:n]:
            continue
        if head[0].start_ms < tail[-1].end_ms + _REDECODE_JITTER_MS:
            return n
    return 0


def _common_prefix_len(hypotheses: list[list[Word]]) -> int:
    first = hypotheses[0]
    length = min(len(h) for h in hypotheses)
    for i in range(length):
        key = compare_key(first[i].text)
        if not key or any(compare_key(h[i].text) != key for h in hypotheses[1:]):
            return i
    return length
