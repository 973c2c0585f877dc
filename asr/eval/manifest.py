"""Loading an evaluation manifest (``manifest.jsonl``).

One JSON object per line; blank lines are ignored. Fields:

=============  ========  ==========================================================================
field          required  meaning
=============  ========  ==========================================================================
``audio``      yes       audio file, relative to the manifest's folder (or absolute)
``text``       yes       reference transcript (any punctuation/script; normalised when scored)
``language``   yes       ``"zh"`` or ``"en"``
``seconds``    yes       audio duration in seconds (number ≥ 0)
``speakers``   no        number of speakers (integer ≥ 1, default 1)
``kind``       no        ``real``, ``synthetic``, ``long_concat`` … (default ``"real"``)
``source``     no        where audio and reference come from (default ``""``)
``licence``    no        licence of the item (default ``""``)
=============  ========  ==========================================================================

Other fields are ignored. Every line is checked; any problem raises
:class:`asr.errors.ManifestError` naming the file, the line number and the problem
(``manifest.jsonl:3: missing field 'text'``). Whether the audio file exists is checked only for the
items the ``languages``/``kinds`` filters keep.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from asr.errors import ManifestError

__all__ = ["LANGUAGES", "ManifestItem", "load_manifest"]

#: Languages an evaluation manifest may name.
LANGUAGES = frozenset({"zh", "en"})
_REQUIRED = ("audio", "text", "language", "seconds")


@dataclass(frozen=True, slots=True)
class ManifestItem:
    """One audio file with its reference transcript."""

    audio: Path
    text: str
    language: str
    seconds: float
    speakers: int = 1
    kind: str = "real"
    source: str = ""
    licence: str = ""


def _string(record: Mapping[str, object], name: str, default: str | None = None) -> str:
    value = record.get(name, default)
    if not isinstance(value, str):
        raise ValueError(f"field {name!r} must be a string, got {json.dumps(value)}")
    return value


def _item(record: Mapping[str, object], base_dir: Path) -> ManifestItem:
    missing = [name for name in _REQUIRED if name not in record]
    if missing:
        raise ValueError("missing field " + ", ".join(repr(name) for name in missing))
    audio = _string(record, "audio")
    if not audio.strip():
        raise ValueError("field 'audio' is empty")
    language = _string(record, "language")
    if language not in LANGUAGES:
        allowed = ", ".join(sorted(LANGUAGES))
        raise ValueError(f"unknown language {language!r} (allowed: {allowed})")
    seconds = record["seconds"]
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not math.isfinite(seconds)
        or seconds < 0
    ):
        raise ValueError(f"field 'seconds' must be a number >= 0, got {json.dumps(seconds)}")
    speakers = record.get("speakers", 1)
    if isinstance(speakers, bool) or not isinstance(speakers, int) or speakers < 1:
        raise ValueError(f"field 'speakers' must be an integer >= 1, got {json.dumps(speakers)}")
    kind = _string(record, "kind", "real")
    if not kind:
        raise ValueError("field 'kind' is empty")
    return ManifestItem(
        audio=base_dir / audio,
        text=_string(record, "text"),
        language=language,
        seconds=float(seconds),
        speakers=speakers,
        kind=kind,
        source=_string(record, "source", ""),
        licence=_string(record, "licence", ""),
    )


def _parse_line(line: str, base_dir: Path) -> ManifestItem:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"bad JSON: {exc}") from None
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    return _item(cast(dict[str, object], record), base_dir)


def load_manifest(
    path: Path,
    *,
    languages: set[str] | None = None,
    kinds: set[str] | None = None,
) -> list[ManifestItem]:
    """Read and validate ``path``; keep items whose language/kind are in the filters (None: all).

    Audio paths are resolved against the manifest's folder. Raises ManifestError.
    """
    path = Path(path)
    try:
        # Split on "\n" only: JSON strings may hold U+2028 and others that splitlines() splits on.
        lines = path.read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read manifest: {exc}") from exc
    base_dir = path.resolve().parent
    items: list[ManifestItem] = []
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = _parse_line(line.rstrip("\r"), base_dir)
        except ValueError as exc:
            raise ManifestError(f"{path}:{line_no}: {exc}") from None
        if languages is not None and item.language not in languages:
            continue
        if kinds is not None and item.kind not in kinds:
            continue
        if not item.audio.is_file():
            raise ManifestError(f"{path}:{line_no}: audio file not found: {item.audio}")
        items.append(item)
    return items
