"""Output formats for offline transcription: plain text, SubRip (SRT), WebVTT and JSON.

Pure functions from a sequence of :class:`asr.types.Segment` to a string; no file is touched here.

Subtitle cues
    One segment is one cue unless it is too long to read as a subtitle: over ``max_cue_chars``
    display columns (default 42, the common broadcast limit; a CJK character counts as two columns,
    so about 21 Chinese characters) or over ``max_cue_ms`` (default 7 s). Such a segment is cut into
    several cues at word boundaries, greedily, using the word timings: each cue runs from its first
    word's start to its last word's end, except that the first cue keeps the segment's start and
    the last cue the segment's end. A segment without word timings, or a single over-long word,
    stays one cue. Pass ``max_cue_chars=None`` and ``max_cue_ms=None`` for one cue per segment.
    Segments with empty text are left out; cues are numbered from 1 in order.

Text
    Whitespace is collapsed to single spaces and trimmed. For Mandarin (``language="zh"``) a
    space next to a CJK character or full-width punctuation is dropped ("我 们 3 点" becomes
    "我们3点"), but one between two Latin words or numbers stays ("用 Python 3 写" becomes
    "用Python 3写").

JSON schema (``to_json``; times are integer milliseconds from the start of the file)::

    {"language": "zh", "model": "base", "duration_s": 12.5,
     "segments": [{"start_ms": 0, "end_ms": 2300, "text": "...",
                   "words": [{"text": "...", "start_ms": 0, "end_ms": 400, "probability": 0.93}]}]}

:func:`segments_from_json` reads the ``segments`` back.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from asr.types import Segment, Word

__all__ = [
    "DEFAULT_MAX_CUE_CHARS",
    "DEFAULT_MAX_CUE_MS",
    "Cue",
    "format_timestamp",
    "segments_from_json",
    "split_cues",
    "to_json",
    "to_srt",
    "to_txt",
    "to_vtt",
]

DEFAULT_MAX_CUE_CHARS = 42
DEFAULT_MAX_CUE_MS = 7_000

Cue = tuple[int, int, str]
"""A subtitle cue: ``(start_ms, end_ms, text)``."""


def format_timestamp(ms: int, sep: str = ",") -> str:
    """``HH:MM:SS<sep>mmm`` (``sep`` is ``,`` for SRT, ``.`` for WebVTT); hours may exceed 99."""
    if ms < 0:
        raise ValueError(f"timestamp must not be negative, got {ms} ms")
    hours, rest = divmod(int(ms), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1_000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{sep}{millis:03d}"


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def _clean(text: str, language: str | None) -> str:
    """One line of display text: whitespace collapsed; for Mandarin, no space next to CJK."""
    text = " ".join(text.split())
    if language != "zh" or " " not in text:
        return text
    parts = text.split(" ")
    out = parts[0]
    for part in parts[1:]:
        if not (out and part) or _is_wide(out[-1]) or _is_wide(part[0]):
            out += part
        else:
            out += " " + part
    return out


def _display_width(text: str) -> int:
    return sum(2 if _is_wide(ch) else 1 for ch in text)


def _words_text(words: Sequence[Word], language: str | None) -> str:
    return _clean("".join(w.text for w in words), language)


def split_cues(
    segment: Segment,
    *,
    language: str | None = None,
    max_cue_chars: int | None = DEFAULT_MAX_CUE_CHARS,
    max_cue_ms: int | None = DEFAULT_MAX_CUE_MS,
) -> list[Cue]:
    """The cues for one segment (see the module docstring for the rule); empty text gives none."""
    text = _clean(segment.text, language)
    if not text:
        return []
    too_wide = max_cue_chars is not None and _display_width(text) > max_cue_chars
    too_long = max_cue_ms is not None and segment.end_ms - segment.start_ms > max_cue_ms
    if not segment.words or not (too_wide or too_long):
        return [(segment.start_ms, segment.end_ms, text)]

    groups: list[list[Word]] = [[]]
    for word in segment.words:
        group = groups[-1]
        if group:
            candidate = _words_text([*group, word], language)
            over_chars = max_cue_chars is not None and _display_width(candidate) > max_cue_chars
            over_ms = max_cue_ms is not None and word.end_ms - group[0].start_ms > max_cue_ms
            if over_chars or over_ms:
                groups.append([])
        groups[-1].append(word)

    cues: list[Cue] = []
    for i, group in enumerate(groups):
        start_ms = segment.start_ms if i == 0 else group[0].start_ms
        end_ms = segment.end_ms if i == len(groups) - 1 else group[-1].end_ms
        if cues:
            start_ms = max(start_ms, cues[-1][1])
        cue_text = _words_text(group, language)
        if cue_text:
            cues.append((start_ms, max(start_ms, end_ms), cue_text))
    return cues


def _cues(
    segments: Iterable[Segment],
    language: str | None,
    max_cue_chars: int | None,
    max_cue_ms: int | None,
) -> list[Cue]:
    return [
        cue
        for segment in segments
        for cue in split_cues(
            segment, language=language, max_cue_chars=max_cue_chars, max_cue_ms=max_cue_ms
        )
    ]


def to_txt(segments: Iterable[Segment], language: str | None = None) -> str:
    """One line per non-empty segment, ending with a newline (empty string for no speech)."""
    lines = [line for seg in segments if (line := _clean(seg.text, language))]
    return "".join(f"{line}\n" for line in lines)


def to_srt(
    segments: Iterable[Segment],
    *,
    language: str | None = None,
    max_cue_chars: int | None = DEFAULT_MAX_CUE_CHARS,
    max_cue_ms: int | None = DEFAULT_MAX_CUE_MS,
) -> str:
    """SubRip: numbered cues with ``HH:MM:SS,mmm --> HH:MM:SS,mmm`` times, blank-line separated."""
    blocks = [
        f"{n}\n{format_timestamp(start)} --> {format_timestamp(end)}\n{text}\n"
        for n, (start, end, text) in enumerate(
            _cues(segments, language, max_cue_chars, max_cue_ms), start=1
        )
    ]
    return "\n".join(blocks)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(
    segments: Iterable[Segment],
    *,
    language: str | None = None,
    max_cue_chars: int | None = DEFAULT_MAX_CUE_CHARS,
    max_cue_ms: int | None = DEFAULT_MAX_CUE_MS,
) -> str:
    """WebVTT: a ``WEBVTT`` header, then cues with ``HH:MM:SS.mmm`` times (text HTML-escaped)."""
    blocks = [
        f"{format_timestamp(start, '.')} --> {format_timestamp(end, '.')}\n{_vtt_escape(text)}\n"
        for start, end, text in _cues(segments, language, max_cue_chars, max_cue_ms)
    ]
    return "\n".join(["WEBVTT\n", *blocks])


def to_json(
    segments: Iterable[Segment], *, language: str, model: str, duration_s: float | None
) -> str:
    """The transcript as JSON (schema in the module docstring), UTF-8 text, not ASCII-escaped."""
    doc: dict[str, Any] = {
        "language": language,
        "model": model,
        "duration_s": duration_s,
        "segments": [
            {
                "start_ms": seg.start_ms,
                "end_ms": seg.end_ms,
                "text": seg.text,
                "words": [
                    {
                        "text": w.text,
                        "start_ms": w.start_ms,
                        "end_ms": w.end_ms,
                        "probability": w.probability,
                    }
                    for w in seg.words
                ],
            }
            for seg in segments
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def segments_from_json(data: str) -> list[Segment]:
    """The segments of a document written by :func:`to_json`."""
    doc = json.loads(data)
    return [
        Segment(
            start_ms=int(seg["start_ms"]),
            end_ms=int(seg["end_ms"]),
            text=str(seg["text"]),
            words=tuple(
                Word(
                    text=str(w["text"]),
                    start_ms=int(w["start_ms"]),
                    end_ms=int(w["end_ms"]),
                    probability=float(w["probability"]),
                )
                for w in seg["words"]
            ),
        )
        for seg in doc["segments"]
    ]
