"""Which characters free text from people may not contain (pure: no framework, no I/O).

    control_characters("书记员\u202e陈晓")          # ["U+202E"]: refuse it
    control_characters("第一行\n第二行", multiline=True)   # []

One of these in a name or a note can make "张三" display as someone else in the clerk's editor
or the signed record, hide text, or break what stores and prints it: C0 and C1 controls and DEL,
the bidirectional embeddings, overrides and isolates, the direction marks, the byte-order mark,
line/paragraph separators and lone surrogates (which no database stores as UTF-8). Request
bodies are checked through ``tingshen_platform.bounded``; transcript edits through the policy of
``hearing_server.transcript.policy``.
"""

from __future__ import annotations

import re

__all__ = ["control_characters"]

# C0 controls, DEL and C1 controls; lone surrogates; the direction marks (LRM, RLM, the Arabic
# letter mark); the embeddings and overrides U+202A-U+202E and isolates U+2066-U+2069; the
# byte-order mark (zero-width no-break space); line and paragraph separators.
_REFUSED = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u200e\u200f\u061c"
    "\u202a-\u202e\u2066-\u2069\ufeff\u2028\u2029]"
)
_MULTILINE_ALLOWED = frozenset("\n\t\r")


def control_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The refused characters in ``text`` (as ``U+XXXX``, each once, in order of appearance).

    ``multiline`` text may contain ``\n``, ``\r`` and ``\t``; one line none of them."""
    found: list[str] = []
    for match in _REFUSED.finditer(text):
        char = match.group()
        code = f"U+{ord(char):04X}"
        if not (multiline and char in _MULTILINE_ALLOWED) and code not in found:
            found.append(code)
    return found
