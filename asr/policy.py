"""LocalAgreement-n commit policy (pure; after ufal/whisper_streaming).

Each decode of the current audio window gives a hypothesis: a list of timed words. A word is
committed when ``n`` consecutive hypotheses agree on it and on everything before it (the longest
common prefix). Committed words are never revised. The uncommitted rest is the partial.

Hypothesis words that the committed text already covers are removed first: by time (a word whose
midpoint lies before the end of the last committed word) and by text (the head of a hypothesis
that repeats the last one to five committed words).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from asr.text import compare_key
from asr.types import Word

_MAX_OVERLAP_WORDS = 5
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

    def finish(self, hypothesis: list[Word]) -> tuple[Word, ...]:
        """The window is final (utterance end or flush): commit every uncovered word of it.

        Whisper sometimes stops early in a window that holds a pause (it emits end-of-text after
        the first sentence). Words of the latest partial hypothesis that lie after everything the
        final decode produced are committed too, so such a stop never loses speech.
        """
        words = self._uncovered(hypothesis)
        if self._history:
            latest = self._uncovered(self._history[-1])
            covered_until = (words[-1].end_ms if words else self.committed_end_ms) + _GAP_MS
            extra = [w for w in latest if w.start_ms >= covered_until]
            if extra and words:
                tail = [compare_key(w.text) for w in words[-_MAX_OVERLAP_WORDS:]]
                head = [compare_key(w.text) for w in extra[:_MAX_OVERLAP_WORDS]]
                n = _overlap(tail, head)
                extra = extra[n:]
            words += extra
        self._commit(words)
        self._history.clear()
        return tuple(words)

    def reset_history(self) -> None:
        """Forget uncommitted hypotheses (the window moved, e.g. after a trim)."""
        self._history.clear()

    def _commit(self, words: list[Word]) -> None:
        if words:
            self.committed_end_ms = max(self.committed_end_ms, words[-1].end_ms)
            self._committed_tail.extend(words)

    def _uncovered(self, hypothesis: list[Word]) -> list[Word]:
        end = self.committed_end_ms
        words = [
            w if w.start_ms >= end else Word(w.text, end, max(end, w.end_ms), w.probability)
            for w in hypothesis
            if (w.start_ms + w.end_ms) // 2 > end
        ]
        if not words or not self._committed_tail:
            return words
        # Drop a head that repeats the committed tail (a word straddling the cut, re-decoded).
        if abs(words[0].start_ms - self.committed_end_ms) > 1000:
            return words
        tail = [compare_key(w.text) for w in self._committed_tail]
        head = [compare_key(w.text) for w in words[:_MAX_OVERLAP_WORDS]]
        return words[_overlap(tail, head) :]


def _overlap(tail: list[str], head: list[str]) -> int:
    """Length of the longest run that ends ``tail`` and starts ``head``."""
    for n in range(min(len(tail), len(head)), 0, -1):
        if tail[-n:] == head[:n]:
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
