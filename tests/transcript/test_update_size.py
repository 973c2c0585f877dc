"""One edit stores what it changed in the document log too (issue 14: ``transcript_updates``
grows with the edits, not with the document times the edits)."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Text

from hearing_server.transcript.ydoc import NewSegment, TranscriptDoc
from tests.transcript.test_documents import JUDGE


def test_an_edit_of_a_long_note_is_a_small_update() -> None:
    doc = TranscriptDoc()
    first = doc.append_commit(NewSegment("note", JUDGE, 0, 1000, "证" * 700))
    assert len(first) > 2100  # the note itself, once
    sizes = [len(doc.replace_text("note", "证" * 700 + "言" * n)) for n in range(1, 101)]
    assert max(sizes) < 80 and doc.get("note").text.endswith("言" * 100)  # type: ignore[union-attr]


def test_an_editor_keystroke_is_a_small_update() -> None:
    """What a browser sends for one typed character (a Yjs insert), however long the text."""
    editor: Doc[Any] = Doc()
    editor["t"] = text = Text("证" * 700)
    state = editor.get_state()
    text.insert(len(str(text).encode()), "言")
    assert len(editor.get_update(state)) < 40
