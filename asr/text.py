"""Display text for recognised words: simplified Chinese, CJK-aware joining, comparison keys.

Whisper base often writes traditional characters for Mandarin; the court wants simplified. Word
units from faster-whisper for Mandarin are token pieces (one or a few characters); the streaming
policy compares hypotheses character by character, so Mandarin words are exploded into single
characters here, each carrying an equal share of the word's time span.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Protocol

from asr.types import Word, join_words

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@functools.cache
def _t2s() -> _Converter:
    import opencc

    converter: _Converter = opencc.OpenCC("t2s")
    return converter


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC ``t2s``); other text is unchanged."""
    return _t2s().convert(text) if text else text


def is_cjk(char: str) -> bool:
    return bool(re.match(rf"[{_CJK}]", char))


join_text = join_words


def compare_key(text: str) -> str:
    """Key under which two hypotheses' words count as the same (case, punctuation, width)."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).lower())


def display_words(words: tuple[Word, ...] | list[Word], language: str) -> list[Word]:
    """Prepare decoded words for the stream: simplified Chinese, Mandarin split into characters.

    Punctuation stays attached to the character before it. Whisper's spaces between Mandarin
    phrases become nothing (a phrase break without punctuation is not shown).
    """
    if language != "zh":
        return [w for w in words if w.text.strip()]
    out: list[Word] = []
    for w in words:
        text = to_simplified(w.text).rstrip()
        units = _split_units(text, continues=bool(out))
        if not units:
            continue
        span = max(0, w.end_ms - w.start_ms)
        for i, unit in enumerate(units):
            start = w.start_ms + span * i // len(units)
            end = w.start_ms + span * (i + 1) // len(units)
            out.append(Word(unit, start, end, w.probability))
    return out


def _split_units(text: str, *, continues: bool = False) -> list[str]:
    """Split into CJK characters and Latin words; punctuation joins the unit before it.

    A Latin word keeps one leading space when the text had one ("New York" stays two words), also
    at the start of ``text`` when it ``continues`` earlier words (Whisper's " York").
    """
    units: list[str] = []
    latin = ""
    spaced = False

    def flush() -> None:
        nonlocal latin
        if latin:
            units.append((" " if spaced and (units or continues) else "") + latin)
            latin = ""

    for ch in text:
        if is_cjk(ch) and not _PUNCT.fullmatch(ch):
            flush()
            units.append(ch)
            spaced = False
        elif ch.isspace():
            flush()
            spaced = True
        elif _PUNCT.fullmatch(ch) and not latin:
            if units:
                units[-1] += ch
            else:
                latin = ch
        else:
            latin += ch
    flush()
    return units
