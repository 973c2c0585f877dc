"""LocalAgreement-2 (asr.policy) on scripted hypotheses: what is committed, when, and never revised."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from asr.policy import LocalAgreement
from asr.types import Word

# Spacing of the scripted words: each word lasts WORD_MS and the next starts right after it.
WORD_MS = 300


def words(*texts: str, start_ms: int = 0, step_ms: int = WORD_MS) -> list[Word]:
    return [
        Word(t, start_ms + i * step_ms, start_ms + (i + 1) * step_ms, 0.9)
        for i, t in enumerate(texts)
    ]


def texts(ws: tuple[Word, ...] | list[Word]) -> list[str]:
    return [w.text for w in ws]


def test_nothing_is_committed_after_the_first_hypothesis() -> None:
    policy = LocalAgreement()
    update = policy.update(words(" ask", " not", " what"))
    assert update.committed == ()
    assert texts(update.partial) == [" ask", " not", " what"]


def test_common_prefix_of_two_consecutive_hypotheses_is_committed() -> None:
    policy = LocalAgreement()
    policy.update(words(" ask", " not", " what"))
    update = policy.update(words(" ask", " not", " what", " your"))
    assert texts(update.committed) == [" ask", " not", " what"]
    assert texts(update.partial) == [" your"]
    assert policy.committed_end_ms == 3 * WORD_MS


def test_punctuation_and_case_differences_still_agree() -> None:
    policy = LocalAgreement()
    policy.update(words(" Ask", " not", " what"))
    update = policy.update(words(" ask", " not,", " What.", " your"))
    assert texts(update.committed) == [" ask", " not,", " What."]  # the newer spelling wins


def test_the_last_word_of_the_newest_hypothesis_waits() -> None:
    # At the window edge a word may be cut off or carry an end-of-window full stop.
    policy = LocalAgreement()
    policy.update(words(" ask", " not"))
    update = policy.update(words(" ask", " not."))
    assert texts(update.committed) == [" ask"]
    assert texts(update.partial) == [" not."]


def test_a_changed_word_stops_the_commit_there() -> None:
    policy = LocalAgreement()
    policy.update(words(" ask", " not", " what", " your"))
    update = policy.update(words(" ask", " knot", " what", " your"))
    assert texts(update.committed) == [" ask"]
    assert texts(update.partial) == [" knot", " what", " your"]


def test_finish_keeps_words_the_final_decode_stopped_short_of() -> None:
    # Whisper may end the text early in a window with a pause: the newest partial's later words
    # are committed rather than lost.
    policy = LocalAgreement()
    policy.update(words(" the", " court"))
    # After "court", a pause (the next words start 300 ms later).
    policy.update(words(" the", " court") + words(" is", " now", " in", " session", start_ms=900))
    rest = policy.finish(words(" the"))
    assert texts(rest) == [" is", " now", " in", " session"]


def test_finish_takes_the_partial_from_the_committed_end_where_the_final_decode_read_nothing_new() -> (
    None
):
    # Quick decodes committed "vanished behind"; the final decode stops at "behind", adding
    # nothing. The partial's next word starts right at the committed end ("behind | The
    # curtain"): it is new speech, not the final decode's last word timed again.
    policy = LocalAgreement()
    policy.update(words(" vanished", " behind"))
    policy.update(words(" vanished", " behind", " The", " curtain", " on"))  # commits 2 words
    assert policy.pending(until_ms=10_000)[-1].end_ms == 5 * WORD_MS
    rest = policy.finish(words(" vanished", " behind"))
    assert texts(rest) == [" The", " curtain", " on"]


def test_finish_never_takes_partial_words_past_the_final_window() -> None:
    # A quick decode ran past the utterance's end and heard the next utterance's first word;
    # the final window ends before it, and that word is the next utterance's to commit.
    policy = LocalAgreement()
    policy.update(words(" to", " see"))
    policy.update(words(" to", " see", " him") + words(" small", start_ms=1500))
    assert policy.pending(until_ms=1400)[-1].end_ms == 3 * WORD_MS
    rest = policy.finish(words(" to", " see"), until_ms=1400)
    assert texts(rest) == [" him"]


def test_finish_commits_the_rest() -> None:
    policy = LocalAgreement()
    policy.update(words(" ask", " not"))
    policy.update(words(" ask", " not", " what"))  # commits "ask not"
    rest = policy.finish(words(" ask", " not", " what", " you", " can"))
    assert texts(rest) == [" what", " you", " can"]
    assert policy.committed_end_ms == 5 * WORD_MS


def test_words_covered_by_committed_time_are_not_recommitted() -> None:
    policy = LocalAgreement()
    policy.update(words(" a", " b", " c", " d"))
    policy.update(words(" a", " b", " c", " d"))  # commits up to 900 ms ("d" waits)
    # The same audio re-decoded with other words for the committed stretch: they lie before the
    # committed end, so they are dropped by time, not compared.
    update = policy.update(words(" x", " y", " z", " d"))
    assert texts(update.committed) == []
    assert texts(update.partial) == [" d"]
    rest = policy.finish(words(" x", " y", " z", " d", " e"))
    assert texts(rest) == [" d", " e"]


def test_head_overlapping_the_committed_tail_is_dropped() -> None:
    policy = LocalAgreement()
    policy.update(words(" the", " court", " is"))
    policy.update(words(" the", " court", " is"))  # commits "the court", ends at 600 ms
    # Re-decoded after a cut: "court" straddles the cut and is aligned after the committed end.
    rest = policy.finish(words(" court", " is", " open", start_ms=2 * WORD_MS + 50))
    assert texts(rest) == [" is", " open"]


# -- property: committed words are never revised ------------------------------------------------

VOCABULARY = (" a", " b", " c", " d", " e")


@st.composite
def hypothesis_sequences(draw: st.DrawFn) -> list[list[Word]]:
    """Growing windows: each hypothesis re-decodes the audio from 0 with random word choices."""
    n = draw(st.integers(min_value=1, max_value=8))
    sequence = []
    length = 0
    for _ in range(n):
        length += draw(st.integers(min_value=0, max_value=3))
        chosen = draw(st.lists(st.sampled_from(VOCABULARY), min_size=length, max_size=length))
        # Re-decodes place words a little differently; within one hypothesis they never overlap.
        jitter = draw(st.integers(min_value=0, max_value=WORD_MS // 3))
        sequence.append(
            [
                Word(t, i * WORD_MS + jitter, (i + 1) * WORD_MS + jitter, 0.9)
                for i, t in enumerate(chosen)
            ]
        )
    return sequence


@settings(max_examples=300, deadline=None)
@given(sequence=hypothesis_sequences(), finish=st.booleans())
def test_committed_words_are_monotone_and_come_from_their_hypothesis(
    sequence: list[list[Word]], finish: bool
) -> None:
    policy = LocalAgreement()
    committed: list[Word] = []
    for i, hyp in enumerate(sequence):
        if finish and i == len(sequence) - 1:
            new = list(policy.finish(hyp))
        else:
            new = list(policy.update(hyp).committed)
        # Each committed word is a word of the hypothesis it was committed from (its start may be
        # clipped to the committed end, never its text); ``finish`` may also take words of the
        # latest partial hypothesis that lie after everything the final one produced.
        sources = hyp + (sequence[i - 1] if finish and i == len(sequence) - 1 and i > 0 else [])
        for w in new:
            assert any(h.text == w.text and h.end_ms == w.end_ms for h in sources)
        committed.extend(new)
    starts = [w.start_ms for w in committed]
    ends = [w.end_ms for w in committed]
    assert starts == sorted(starts)
    assert ends == sorted(ends)
    for earlier, later in itertools.pairwise(committed):
        assert later.start_ms >= earlier.end_ms, (earlier, later)


def test_a_short_word_timed_early_after_the_committed_end_is_kept() -> None:
    # Committed "... vanished behind" up to 1200 ms; the next decode reads "behind" again at its
    # time and times the short "the" after it a little early (midpoint 1150 ms, before the
    # committed end). Reading on from "behind", it is new speech, not covered audio.
    policy = LocalAgreement()
    first = words(" who", " had", " vanished", " behind", " the")
    policy.update(first)
    policy.update(first)  # commits up to "behind" (ends 1200 ms); "the" waits
    assert policy.committed_end_ms == 4 * WORD_MS
    again = [*words(" who", " had", " vanished", " behind", step_ms=290)]
    again += [Word(" the", 1100, 1200, 0.9), Word(" curtain", 1200, 1600, 0.9)]
    rest = policy.finish(again)
    assert texts(rest) == [" the", " curtain"]


def test_without_the_last_committed_word_at_its_time_the_time_rule_decides() -> None:
    policy = LocalAgreement()
    policy.update(words(" a", " b", " c"))
    policy.update(words(" a", " b", " c"))  # commits "a b" (ends 600 ms)
    # "b" is read again, but 500 ms later than where it was committed: no anchor. "x" lies in the
    # committed time and is dropped; the later "b" is the speaker saying it again.
    rest = policy.finish([Word(" x", 300, 500, 0.9), Word(" b", 900, 1100, 0.9)])
    assert texts(rest) == [" b"]
