"""Applying the recogniser's correction of its own words to a segment (pure).

The recogniser may correct words it committed earlier in an utterance once the utterance ends
(``asr.types.Revision``). :func:`splice_last` replaces the last occurrence of the old words'
text in the segment's text; :func:`splice_words` does the same to the timed words.
"""

from __future__ import annotations

from collections.abc import Sequence

from hearing_server.transcript.model import WordView

__all__ = ["splice_last", "splice_words"]


def splice_last(text: str, old: str, new: str) -> str | None:
    """``text`` with its last ``old`` replaced by ``new``; None if ``old`` is empty or absent.

    A removed English word takes one of the spaces beside it along ("who  behind" never
    happens)."""
    at = text.rfind(old) if old else -1
    if at < 0:
        return None
    before, after = text[:at], text[at + len(old) :]
    if not new and before.endswith(" ") and (after.startswith(" ") or not after):
        before = before[:-1]
    return before + new + after


def splice_words(
    words: Sequence[WordView], old: Sequence[WordView], new: Sequence[WordView]
) -> tuple[WordView, ...]:
    """``words`` with the last run that matches ``old`` (same text and times) replaced by
    ``new``; unchanged where there is no such run."""
    key = [(w.text, w.start_ms, w.end_ms) for w in old]
    n = len(key)
    for i in range(len(words) - n, -1, -1):
        if n and [(w.text, w.start_ms, w.end_ms) for w in words[i : i + n]] == key:
            return (*words[:i], *new, *words[i + n :])
    return tuple(words)
