"""File names as they came and as they go out (pure).

An uploaded file's name is only a label: :func:`clean_filename` keeps its last path part (either
separator: ``../../etc/passwd`` → ``passwd``, ``C:\\x\\y.pdf`` → ``y.pdf``), drops control and
text-direction characters, leading dots and spaces, and shortens it to :data:`MAX_CHARS` keeping
the extension. Nothing of it ever names a file on disk (blobs are named by their digest).
:func:`content_disposition` sends it back with an ASCII fallback and the RFC 5987/6266
``filename*`` for Chinese names.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from tingshen_platform.clean_text import control_characters

__all__ = ["MAX_CHARS", "clean_filename", "content_disposition", "extension"]

MAX_CHARS = 200


def clean_filename(raw: str) -> str:
    """The cleaned base name; ``""`` when nothing usable is left (the caller refuses it)."""
    name = unicodedata.normalize("NFC", raw)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        ch
        for ch in name
        if not control_characters(ch) and unicodedata.category(ch)[0] != "C" and ch not in '<>:"|?*'
    )
    name = name.strip().lstrip(". ").rstrip(". ")
    if len(name) > MAX_CHARS:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_CHARS - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_CHARS]
    return name


def extension(name: str) -> str:
    """The lower-case extension without its dot (``""`` when there is none)."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def content_disposition(name: str, *, inline: bool = False) -> str:
    kind = "inline" if inline else "attachment"
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in name)
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
