"""Splicing the recogniser's correction into a segment (hearing_server.transcript.asr_revision)."""

from __future__ import annotations

from hearing_server.transcript.asr_revision import splice_last, splice_words
from hearing_server.transcript.model import WordView


def test_the_last_occurrence_is_replaced() -> None:
    text = "who would vanish, and who would vanish behind"
    assert splice_last(text, "would vanish", "had vanished") == (
        "who would vanish, and who had vanished behind"
    )
    assert splice_last("几乎停制的情况", "制", "滞") == "几乎停滞的情况"


def test_nothing_to_replace_is_no_change() -> None:
    assert splice_last("原告陈述", "", "x") is None
    assert splice_last("原告陈述", "被告", "x") is None


def test_a_removed_word_takes_one_space_along() -> None:
    assert splice_last("most and any girl", "and", "") == "most any girl"
    assert splice_last("most any", "any", "") == "most"


def test_words_are_replaced_by_text_and_time() -> None:
    a, b, c = (
        WordView(" a", 0, 100, 0.9),
        WordView(" b", 100, 200, 0.9),
        WordView(" c", 200, 300, 0.9),
    )
    b2 = WordView(" B", 100, 220, 0.95)
    assert splice_words((a, b, c), (b,), (b2,)) == (a, b2, c)
    moved = WordView(" b", 110, 200, 0.9)
    assert splice_words((a, b, c), (moved,), (b2,)) == (a, b, c)
