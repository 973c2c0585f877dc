"""Two-pass commits (asr.revise): the final decode of an utterance corrects quick commits."""

from __future__ import annotations

from asr.revise import Change, revision
from asr.types import Word


def timed(*texts: str, start_ms: int = 0, word_ms: int = 300) -> list[Word]:
    return [
        Word(t, start_ms + i * word_ms, start_ms + (i + 1) * word_ms, 0.9)
        for i, t in enumerate(texts)
    ]


def test_the_final_decode_corrects_the_words_it_reads_differently() -> None:
    # Committed at 3.6 s from greedy decodes of the half-heard sentence ...
    quick = timed(" wizard", " who", " would", " vanish", start_ms=3000)
    # ... and read again by the final decode, with the context before and the tail after.
    final = timed(" the", start_ms=2700) + timed(
        " wizard", " who", " had", " vanished", " behind", start_ms=3000
    )
    change = revision(quick, final, from_ms=3000, to_ms=quick[-1].end_ms)
    assert change == Change(tuple(quick[2:4]), tuple(final[3:5]))


def test_agreement_up_to_case_and_punctuation_is_no_change() -> None:
    quick = timed(" ask", " what", " you")
    final = timed(" Ask", " what", " you,")
    assert revision(quick, final, from_ms=0, to_ms=quick[-1].end_ms) is None


def test_a_final_decode_that_stopped_early_is_not_trusted() -> None:
    quick = timed(" a", " gold", " ring", " will", " please")
    final = timed(" a", " gold", " ring")  # ends 600 ms before the committed words do
    assert revision(quick, final, from_ms=0, to_ms=quick[-1].end_ms) is None


def test_it_may_drop_at_most_one_word() -> None:
    quick = timed(" most", " and", " a", " girl")
    one_fewer = timed(" most", " any", " girl", word_ms=400)
    change = revision(quick, one_fewer, from_ms=0, to_ms=quick[-1].end_ms)
    assert change is not None and [w.text for w in change.replaced] == [" and", " a"]
    assert [w.text for w in change.words] == [" any"]
    two_fewer = timed(" most", " girl", word_ms=600)
    assert revision(quick, two_fewer, from_ms=0, to_ms=quick[-1].end_ms) is None


def test_only_words_over_the_same_audio_are_compared() -> None:
    quick = timed("停", "制", start_ms=1000)
    # The final decode also has the speech before and after: only 1000–1600 ms counts.
    final = timed("几", "乎", start_ms=400) + timed("停", "滞", "的", start_ms=1000)
    change = revision(quick, final, from_ms=1000, to_ms=1600)
    assert change is not None
    assert [w.text for w in change.replaced] == ["制"] and [w.text for w in change.words] == ["滞"]
