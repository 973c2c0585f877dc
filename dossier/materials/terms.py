"""Words of a text for the search index, and highlighted snippets (pure; ``jieba`` segments
Chinese, Latin words and numbers are kept whole and lower-cased).

The index keeps jieba's search-mode words (a long word and the shorter words inside it:
``民间借贷纠纷`` → ``民间``, ``借贷``, ``纠纷`` …) and, so that a query cut differently from
the text still finds it (``答辩人王五`` is cut ``答辩/人王/五``, the query ``答辩人``
``答辩/人``), every Chinese character and pair of adjacent characters. A query is cut into
words by jieba; a material matches when it holds every character pair of every word (a
one-character word: the character), and latin words and numbers whole.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from dataclasses import dataclass

import jieba

__all__ = ["Segment", "index_terms", "query_terms", "required_terms", "snippet"]

MAX_TERM_CHARS = 64
MAX_QUERY_TERMS = 12
_WORD = re.compile(r"[\w]", re.UNICODE)
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_lock = threading.Lock()
_ready = False


def _jieba() -> None:
    global _ready
    with _lock:
        if not _ready:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _ready = True


def _terms(text: str) -> list[str]:
    _jieba()
    words = []
    for raw in jieba.cut_for_search(text):
        word = raw.strip().lower()
        if word and _WORD.search(word) and len(word) <= MAX_TERM_CHARS:
            words.append(word)
    return words


def _pieces(run: str) -> list[str]:
    """A run of Chinese characters as its characters and adjacent pairs."""
    return list(run) + [run[i : i + 2] for i in range(len(run) - 1)]


def index_terms(text: str) -> Counter[str]:
    """Each term of ``text`` and how often it occurs."""
    counts: Counter[str] = Counter()
    for run in _CJK_RUN.findall(text):
        counts.update(_pieces(run))
    # jieba's words beyond the pieces: longer words, latin words and numbers
    counts.update(w for w in _terms(text) if len(w) > 2 or not _CJK_RUN.fullmatch(w))
    return counts


def required_terms(words: list[str]) -> list[str]:
    """The index terms a material must hold to match ``words`` (see the module docstring)."""
    required: list[str] = []
    for word in words:
        runs = _CJK_RUN.findall(word)
        rest = _CJK_RUN.sub(" ", word).split()
        for run in runs:
            pieces = [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
            required.extend(p for p in pieces if p not in required)
        required.extend(r for r in rest if _WORD.search(r) and r not in required)
    return required


def query_terms(query: str) -> list[str]:
    """The distinct words of a query, longest first (at most :data:`MAX_QUERY_TERMS`)."""
    _jieba()
    seen: list[str] = []
    for raw in jieba.cut(query):
        word = raw.strip().lower()
        if word and _WORD.search(word) and len(word) <= MAX_TERM_CHARS and word not in seen:
            seen.append(word)
    return sorted(seen, key=len, reverse=True)[:MAX_QUERY_TERMS]


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    hit: bool


def snippet(text: str, words: list[str], *, before: int = 30, after: int = 90) -> list[Segment]:
    """A window of ``text`` around the first occurrence of a word, cut into plain and hit
    segments (pages show hits with ``<mark>`` built from these, never from HTML)."""
    lowered = text.lower()
    positions = [p for p in (lowered.find(w) for w in words) if p >= 0]
    start = max(0, min(positions) - before) if positions else 0
    end = min(len(text), (min(positions) if positions else 0) + after)
    window = text[start:end].replace("\f", " ").replace("\n", " ")
    if not words:
        return [Segment(window, False)]
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    segments: list[Segment] = []
    if start > 0:
        segments.append(Segment("…", False))
    cursor = 0
    for match in pattern.finditer(window):
        if match.start() > cursor:
            segments.append(Segment(window[cursor : match.start()], False))
        segments.append(Segment(match.group(), True))
        cursor = match.end()
    if cursor < len(window):
        segments.append(Segment(window[cursor:], False))
    if end < len(text):
        segments.append(Segment("…", False))
    return segments
