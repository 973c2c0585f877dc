"""Two-pass commits (asr.revise): the final decode of an utterance corrects quick commits."""

from __future__ import annotations

from asr.revise import Change, context_revision, revision
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


# -- the next utterance's final decode reads the previous one's last words again ---------------


def test_the_context_is_corrected_with_what_followed_it() -> None:
    # "A gold ring will please most and a girl." alone; with the next sentence after it, the
    # final decode reads "most any girl" (as the whole-file decode does), and adds a word before
    # the first kept one (the cut at the window's start): not a difference.
    kept = timed(
        " gold", " ring", " will", " please", " most", " and", " a", " girl.", start_ms=1300
    )
    final = timed(" A", start_ms=1300, word_ms=100) + timed(
        " gold", " ring", " will", " please", " most", " any", " girl.", start_ms=1400
    )
    final += timed(" The", " long", start_ms=4700)
    change = context_revision(kept, final, from_ms=1300, to_ms=4200)
    assert change is not None
    assert [w.text for w in change.replaced] == [" and", " a"]
    assert [w.text for w in change.words] == [" any"]


def test_a_context_read_the_same_way_is_no_change() -> None:
    kept = timed(" the", " sandy", " beach.", start_ms=1000)
    final = timed(" the", " sandy", " beach.", start_ms=1010) + timed(" Small", start_ms=2500)
    assert context_revision(kept, final, from_ms=1000, to_ms=2200) is None


def test_a_context_read_differently_in_two_places_or_too_much_is_not_trusted() -> None:
    kept = timed(" a", " pink", " shell", " was", " found", start_ms=0)
    two_places = timed(" the", " pink", " shell", " is", " found", start_ms=0)
    assert context_revision(kept, two_places, from_ms=0, to_ms=1500) is None
    rewritten = timed(" they", " think", " shall", " wash", " now", start_ms=0)
    assert context_revision(kept, rewritten, from_ms=0, to_ms=1500) is None


def test_a_context_decode_that_stopped_early_is_not_trusted() -> None:
    kept = timed(" most", " and", " a", " girl.", start_ms=0)
    early = timed(" most", " any", start_ms=0)
    assert context_revision(kept, early, from_ms=0, to_ms=1200) is None


def test_a_context_correction_may_drop_at_most_one_word() -> None:
    kept = timed("停", "止", "了", "审", "理", start_ms=0)
    dropped_two = timed("停", "审", "理", start_ms=0, word_ms=500)
    assert context_revision(kept, dropped_two, from_ms=0, to_ms=1500) is None


def test_a_context_change_at_the_first_kept_word_is_not_trusted() -> None:
    # The window starts where the first kept word was aligned to start; the cut can clip its
    # first sound, and the decode reads "had vanished" as "advanced".
    kept = timed(" had", " vanished", " behind", " the", " curtain", start_ms=0)
    clipped = timed(" advanced", start_ms=0, word_ms=600) + timed(
        " behind", " the", " curtain", start_ms=600
    )
    assert context_revision(kept, clipped, from_ms=0, to_ms=1500) is None
    later = timed(" had", " vanished", " behind", " a", " curtain", start_ms=0)
    change = context_revision(kept, later, from_ms=0, to_ms=1500)
    assert change is not None and [w.text for w in change.words] == [" a"]


def test_a_first_kept_word_timed_wrong_is_corrected_where_it_is_read_later() -> None:
    # "asked" was aligned to start at the cut (2.08 s); the re-read puts "Ask" a second later.
    kept = [Word(" asked", 2080, 3720, 0.9), *timed(" not", " what", start_ms=3720)]
    final = [Word(" Ask", 3100, 3700, 0.9), *timed(" not", " what", start_ms=3720)]
    change = context_revision(kept, final, from_ms=2080, to_ms=4400)
    assert change is not None and [w.text for w in change.words] == [" Ask"]


def test_a_first_word_aligned_just_before_the_stretch_is_not_deleted() -> None:
    # "In this regard. | And so it begins.": two greedy decodes committed "And so it" at 64.3 s;
    # the final decode reads the same words but aligns "and" 1.6 s early, before the stretch.
    before = Word(" regard", 61_460, 62_020, 0.9)
    quick = [
        Word(" And", 64_260, 65_180, 0.9),
        Word(" so", 65_180, 65_760, 0.9),
        Word(" it", 65_760, 66_060, 0.9),
    ]
    final = [
        before,
        Word(" and", 62_020, 62_640, 0.9),
        Word(" so", 62_640, 65_760, 0.9),
        Word(" it", 65_760, 66_040, 0.9),
    ]
    from_ms = (before.end_ms + quick[0].start_ms) // 2 + 1
    assert revision(quick, final, from_ms=from_ms, to_ms=quick[-1].end_ms) is None
    # A first word the final decode really reads differently is still corrected.
    other = [*final[:1], Word(" then", 62_020, 62_640, 0.9), *final[2:]]
    assert revision(quick, other, from_ms=from_ms, to_ms=quick[-1].end_ms) == Change(
        (quick[0],), ()
    )


def test_the_word_before_the_stretch_timed_longer_is_not_inserted() -> None:
    # "... and it's like... | Ladies and gentlemen": the final decode times the previous
    # utterance's last word a second longer, across the stretch's start. It is that word, not a
    # word to insert before "Ladies", where the final decode corrects a word after it.
    before = Word(" like...", 10_780, 11_340, 0.9)
    quick = [
        Word(" ladies", 11_340, 13_040, 0.9),
        Word(" and", 13_040, 13_300, 0.9),
        Word(" gentleman", 13_300, 13_660, 0.9),
    ]
    final = [
        Word(" like...", 10_780, 12_760, 0.9),
        Word(" Ladies", 12_760, 13_040, 0.9),
        Word(" and", 13_040, 13_280, 0.9),
        Word(" gentlemen,", 13_280, 13_620, 0.9),
    ]
    from_ms = (before.end_ms + quick[0].start_ms) // 2 + 1
    to_ms = quick[-1].end_ms
    assert revision(quick, final, from_ms=from_ms, to_ms=to_ms, before=before) == Change(
        (quick[2],), (final[3],)
    )
    # Without knowing the word before, "like..." was inserted again.
    assert revision(quick, final, from_ms=from_ms, to_ms=to_ms) == Change(
        tuple(quick), tuple(final)
    )
