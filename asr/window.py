"""The audio window of one stream: what every decode reads, and the words committed in it.

Every decode reads the window from its start: the open utterance, and before it whatever of the
previous one stays as audio context (``request``). The committed words before the window start
are text now: with the instruction prompt and the hotwords they make the prompt (``prompt``). A
cut (``cut``) moves the window start on; the committed words before it move to the prompt text:
* a window longer than ``trim_window_ms`` is cut after the last committed sentence end
  (``trim_point``); one longer than ``max_window_ms`` is decoded as final and cut there. Memory
  and the cost of a decode stay bounded however long a stream runs;
* after an utterance about ``context_keep_ms`` of it (whole committed words, from a clause start
  where there is one: ``clause_start_from``) stay as audio context for the next one; speech more
  than ``context_gap_ms`` after the last utterance starts a new window, and so does one that a
  decode never reached;
* where a final decode stopped early, the window starts shortly before the stop (``word_cut``),
  so that the rest of the utterance is not read alone.

``Window`` holds the audio, the words and the prompt text, and finds where to cut;
``asr.stream.StreamProcessor`` decides when. No model, no I/O.
"""

from __future__ import annotations

import numpy as np

from asr.engine import FloatArray, WindowRequest
from asr.stream_config import DEFAULT_PROMPTS
from asr.text import join_text
from asr.types import SAMPLE_RATE_HZ, Word

__all__ = ["Window"]

_SAMPLES_PER_MS = SAMPLE_RATE_HZ // 1000
_SENTENCE_END = tuple(".?!。？！；;")
_CLAUSE_END = (*_SENTENCE_END, ",", "，", "、", ":", "：")


class Window:
    """The audio received from the window start on, the words committed in it, and the prompt
    (``history``: the text of those committed before it)."""

    def __init__(
        self, prompt_chars: int, initial_prompt: str | None, hotwords: tuple[str, ...]
    ) -> None:
        self.audio: FloatArray = np.zeros(0, dtype=np.float32)
        self.start = 0  # absolute sample index of self.audio[0]: the window start
        self.committed: list[Word] = []
        self.history = ""
        self.hotwords = hotwords
        self._prompt_chars = prompt_chars
        self._initial_prompt = initial_prompt

    def append(self, samples: FloatArray) -> None:
        self.audio = np.concatenate([self.audio, samples])

    def drop_until(self, sample: int) -> None:
        sample = min(sample, self.start + len(self.audio))  # never past the audio received
        if sample > self.start:
            self.audio = self.audio[sample - self.start :].copy()
            self.start = sample

    def cut(self, sample: int, keep: int | None, language: str | None) -> None:
        """Move the window start to ``sample``; committed words before it (the first ``keep``,
        all by default) become prompt text."""
        keep = len(self.committed) if keep is None else keep
        done, self.committed = self.committed[:keep], self.committed[keep:]
        if done:
            self.history += join_text(done, language or "en") + ("" if language == "zh" else " ")
            self.history = self.history[-4 * self._prompt_chars :]
        self.drop_until(sample)

    def trim_point(self, safe_cut: int) -> tuple[int, int] | None:
        """Where to cut a long window, and how many committed words go before the cut: after the
        last committed sentence end past ``safe_cut`` (everything before it is committed, an
        utterance end), else at ``safe_cut``, else after the last committed word."""
        cut = safe_cut
        keep = self.words_ending_by(cut)
        for i in range(len(self.committed) - 1, keep - 1, -1):
            if self.committed[i].text.rstrip().endswith(_SENTENCE_END):
                cut, keep = self.committed[i].end_ms * _SAMPLES_PER_MS, i + 1
                break
        if cut <= self.start and self.committed:
            last = self.committed[-1]  # no sentence end: cut after the last final word
            cut, keep = last.end_ms * _SAMPLES_PER_MS, len(self.committed)
        return (cut, keep) if cut > self.start else None

    def words_ending_by(self, sample: int) -> int:
        """How many committed words end by ``sample``: those a cut there turns into prompt text."""
        return sum(1 for w in self.committed if w.end_ms * _SAMPLES_PER_MS <= sample)

    def word_cut(self, ms: int) -> tuple[int, int] | None:
        """Where to cut so that the window starts at the first committed word from ``ms`` on (else
        at the last one), and how many committed words go before the cut; ``None`` without one."""
        if not self.committed:
            return None
        keep = self.first_word_from(ms)
        if keep is None:
            keep = len(self.committed) - 1
        return self.committed[keep].start_ms * _SAMPLES_PER_MS, keep

    def clause_start_from(self, ms: int) -> int | None:
        """Index of the first committed word from ``ms`` on that starts a clause: the window's
        first word, or one after a word that ends a sentence or a clause."""
        start = self.first_word_from(ms)
        if start is None:
            return None
        return next(
            (
                i
                for i in range(start, len(self.committed))
                if i == 0 or self.committed[i - 1].text.rstrip().endswith(_CLAUSE_END)
            ),
            None,
        )

    def first_word_from(self, ms: int) -> int | None:
        """Index of the first committed word of the window that starts at ``ms`` or later."""
        return next((i for i, w in enumerate(self.committed) if w.start_ms >= ms), None)

    def request(self, end: int, language: str | None, *, use_prefix: bool) -> WindowRequest:
        """The window up to sample ``end`` as a decode: its audio, the prompt, and (``use_prefix``,
        once the language is known) its committed words as the decoder prefix."""
        audio = self.audio[: end - self.start]
        known = language or ""
        prefix = join_text(self.committed, known) if use_prefix and known else ""
        return WindowRequest(
            audio=audio, language=known, prompt=self.prompt(language), prefix=prefix
        )

    def instruction_prompt(self, language: str) -> str:
        """The fixed part of the prompt (not hotwords, not earlier text): what an echo repeats."""
        return self._initial_prompt or DEFAULT_PROMPTS.get(language, "")

    def prompt(self, language: str | None) -> str:
        """The text prompt: the instruction prompt, the hotwords, the latest earlier text."""
        language = language or "zh"
        parts = [self.instruction_prompt(language)]
        if self.hotwords:
            parts.append(("、" if language == "zh" else ", ").join(self.hotwords))
        parts.append(self.history[-self._prompt_chars :])
        return " ".join(p for p in parts if p)
