"""Value types shared by the streaming engine, offline transcription and evaluation.

Times are integer milliseconds from the start of the stream (or file); probabilities are in [0, 1].
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

SAMPLE_RATE_HZ = 16_000
Language = Literal["zh", "en"]


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word (English) or character (Mandarin), with its leading space if any."""

    text: str
    start_ms: int
    end_ms: int
    probability: float

    @property
    def mid_ms(self) -> int:
        """The middle of the word: which side of a time it lies on, however it is timed."""
        return (self.start_ms + self.end_ms) // 2


@dataclass(frozen=True, slots=True)
class Partial:
    """The unstable tail of the current utterance, for display; replaces the previous partial."""

    words: tuple[Word, ...]
    language: str
    emitted_at_audio_ms: int

    @property
    def text(self) -> str:
        return join_words(self.words, self.language)


@dataclass(frozen=True, slots=True)
class Commit:
    """Words (at least one) the engine stands by. ``end_of_utterance`` marks a VAD endpoint. An
    utterance whose end brings no new words ends with :class:`UtteranceEnd`.

    Words committed in the middle of an utterance come from quick decodes of half-heard speech;
    the decode at the utterance's end, with the whole utterance and a wider beam, may correct
    them once, with a :class:`Revision`, before the utterance's last commit. Nothing else ever
    changes committed words."""

    words: tuple[Word, ...]
    language: str
    end_of_utterance: bool
    emitted_at_audio_ms: int

    @property
    def text(self) -> str:
        return join_words(self.words, self.language)

    @property
    def start_ms(self) -> int:
        return self.words[0].start_ms if self.words else self.emitted_at_audio_ms

    @property
    def end_ms(self) -> int:
        return self.words[-1].end_ms if self.words else self.emitted_at_audio_ms


@dataclass(frozen=True, slots=True)
class Revision:
    """The utterance's final decode corrects words committed earlier in the same utterance:
    ``replaced`` (a run of committed words, equal to them) becomes ``words`` (may be empty)."""

    replaced: tuple[Word, ...]
    words: tuple[Word, ...]
    language: str
    emitted_at_audio_ms: int

    @property
    def text(self) -> str:
        return join_words(self.words, self.language)

    @property
    def replaced_text(self) -> str:
        return join_words(self.replaced, self.language)


def apply_revision(words: list[Word], replaced: Sequence[Word], new: Sequence[Word]) -> list[Word]:
    """``words`` with the last run equal to ``replaced`` replaced by ``new`` (unchanged if there
    is no such run)."""
    n = len(replaced)
    if n == 0:
        return list(words)
    for i in range(len(words) - n, -1, -1):
        if words[i : i + n] == list(replaced):
            return [*words[:i], *new, *words[i + n :]]
    return list(words)


GapReason = Literal["backlog", "unrecognised"]


@dataclass(frozen=True, slots=True)
class Gap:
    """Voiced audio that ends without text, and why (never silently):

    * ``backlog``: the engine fell too far behind real time and skipped the oldest audio (see the
      scheduler);
    * ``unrecognised``: the audio was decoded, but no word survived (the model heard nothing it
      could write, or the guards rejected what it wrote as invented).
    """

    start_ms: int
    end_ms: int
    reason: GapReason = "backlog"


@dataclass(frozen=True, slots=True)
class UtteranceEnd:
    """The speaker's utterance ended (a VAD endpoint) and its final decode added no words: the
    last :class:`Commit` of the utterance is complete."""

    end_ms: int


Event = Partial | Commit | Revision | Gap | UtteranceEnd


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of recognised speech from offline transcription."""

    start_ms: int
    end_ms: int
    text: str
    words: tuple[Word, ...]


_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_SPACE_NEXT_TO_CJK = re.compile(f"(?<=[{_CJK}])\\s+|\\s+(?=[{_CJK}])")


def join_words(words: tuple[Word, ...] | list[Word], language: str) -> str:
    """Words as shown to people: in Mandarin no space next to a CJK character ("用 Python 3"
    keeps the space between Latin words); other languages as Whisper spaced them."""
    text = "".join(w.text for w in words)
    if language == "zh":
        return _SPACE_NEXT_TO_CJK.sub("", text).strip()
    return text.strip()
