"""Hallucination and repetition-loop guards (asr.guards) on scripted words."""

from __future__ import annotations

from asr.guards import (
    drop_collapsed_words,
    drop_prompt_echo,
    is_hallucination,
    looks_looped,
    truncate_repetitions,
)
from asr.types import Word

# Duration of an ordinary scripted word: far above drop_collapsed_words' default 20 ms.
WORD_MS = 200
# A phrase may occur this many times back to back (truncate_repetitions' default phrase_repeats).
PHRASE_REPEATS = 2
# Copies spoken at new audio times that are kept at most (truncate_repetitions' spoken_repeats).
SPOKEN_REPEATS = 2


def seq(
    texts: list[str], *, word_ms: int = WORD_MS, start_ms: int = 0, p: float = 0.9
) -> list[Word]:
    return [
        Word(t, start_ms + i * word_ms, start_ms + (i + 1) * word_ms, p)
        for i, t in enumerate(texts)
    ]


def joined(words: list[Word]) -> str:
    return "".join(w.text for w in words)


# -- truncate_repetitions ----------------------------------------------------------------------


def squeezed_copies(head: list[str], phrase: list[str], copies: int) -> list[Word]:
    """How a loop is aligned: the speech's own words, then copies of a phrase squeezed into the
    little audio that is left (each copy in a third of the time the spoken one took)."""
    words = seq(head + phrase)
    t = words[-1].end_ms
    for _ in range(copies - 1):
        for text in phrase:
            words.append(Word(text, t, t + WORD_MS // 3, 0.9))
            t += WORD_MS // 3
    return words


def test_mandarin_phrase_loop_is_cut() -> None:
    words = squeezed_copies(list("我说"), list("你不怕我"), 6)
    out = truncate_repetitions(words)
    text = joined(out)
    assert text.startswith("我说你不怕我")
    assert text.count("你不怕我") <= PHRASE_REPEATS
    assert out == words[: len(out)]  # a cut, not a rewrite


def test_a_phrase_spoken_again_is_kept_up_to_the_spoken_limit() -> None:
    # Each copy at new audio times, as long as the first: the speaker said it again.
    twice = seq(list("没有异议") * 2)
    assert truncate_repetitions(twice) == twice
    said = [" the", " horizon", " seems", " extremely", " distant."]
    paused = seq(said) + seq(said, start_ms=len(said) * WORD_MS + 1500)
    assert truncate_repetitions(paused) == paused
    # Even spoken, six copies in a row are more than people say: a loop with a steady pace.
    six = seq(list("你不怕我") * 6)
    assert joined(truncate_repetitions(six)) == "你不怕我" * SPOKEN_REPEATS


def test_a_copy_overlapping_the_one_before_is_a_loop() -> None:
    said = [" and", " so", " it", " begins."]
    first = seq(said)
    # Aligned a little later than the first copy, over the same audio.
    again = seq(said, start_ms=2 * WORD_MS)
    assert [w.text for w in truncate_repetitions(first + again)] == said


def test_short_single_unit_repeats_are_kept() -> None:
    dui = seq(list("对对对") + list("是的"))
    assert truncate_repetitions(dui) == dui
    no = seq([" no", " no", " no", " I", " did", " not"])
    assert truncate_repetitions(no) == no


def test_ordinary_sentence_is_kept() -> None:
    words = seq([" ask", " not", " what", " your", " country", " can", " do", " for", " you"])
    assert truncate_repetitions(words) == words


# -- drop_collapsed_words ----------------------------------------------------------------------


def test_run_of_zero_length_words_is_removed() -> None:
    real = seq([" ask", " what", " you"])
    collapsed = [Word(t, 600, 600, 0.3) for t in (" can", " do", " for")]
    assert drop_collapsed_words(real + collapsed) == real


def test_a_single_short_word_is_kept() -> None:
    words = [
        *seq([" ask", " what"]),
        Word(" a", 400, 410, 0.8),
        *seq([" nation", " does"], start_ms=410),
    ]
    assert drop_collapsed_words(words) == words


def test_trailing_blink_duplicate_is_removed() -> None:
    words = [*seq([" fellow", " Americans"]), Word(" Americans.", 400, 440, 0.4)]
    assert drop_collapsed_words(words) == words[:2]


def test_trailing_repeat_with_real_duration_is_kept() -> None:
    words = seq([" very", " very"])  # each 200 ms: spoken twice, not a blink
    assert drop_collapsed_words(words) == words


# -- is_hallucination ----------------------------------------------------------------------------

NORMAL = {"no_speech_prob": 0.05, "avg_logprob": -0.3, "compression_ratio": 1.3}


def test_no_speech_with_low_logprob_is_dropped() -> None:
    words = seq([" so", " we", " go"])
    assert is_hallucination(words, no_speech_prob=0.7, avg_logprob=-1.5, compression_ratio=1.2)


def test_known_phrase_with_low_probability_is_dropped() -> None:
    words = seq(list("谢谢观看"), p=0.4)
    assert is_hallucination(words, **NORMAL)
    thanks = seq([" Thank", " you."], p=0.5)
    assert is_hallucination(thanks, **NORMAL)


def test_normal_speech_is_kept() -> None:
    assert not is_hallucination(seq([" ask", " not", " what"]), **NORMAL)
    # A known phrase really said, with confidence and no sign of silence, is kept.
    assert not is_hallucination(seq([" Thank", " you."], p=0.95), **NORMAL)
    assert not is_hallucination([], no_speech_prob=0.99, avg_logprob=-3, compression_ratio=5)


# -- drop_prompt_echo / looks_looped -------------------------------------------------------------


def test_prompt_echo_is_removed_but_shared_words_survive() -> None:
    prompt = "以下是普通话的句子。"
    words = seq(list("以下是普通话的句子") + list("原告请陈述"))
    assert joined(drop_prompt_echo(words, prompt)) == "原告请陈述"
    ordinary = seq(list("这是句子"))  # "是" and "句子" occur in the prompt: too short to be an echo
    assert drop_prompt_echo(ordinary, prompt) == ordinary


def test_looks_looped() -> None:
    clean = seq([" ask", " not"])
    assert not looks_looped(clean, compression_ratio=1.2, hit_token_limit=False)
    assert looks_looped(clean, compression_ratio=1.2, hit_token_limit=True)
    assert looks_looped(clean, compression_ratio=3.0, hit_token_limit=False)
    loop = squeezed_copies([], list("你不怕我"), 4)
    assert looks_looped(loop, compression_ratio=1.2, hit_token_limit=False)
    spoken = seq(list("你不怕我") * 2)
    assert not looks_looped(spoken, compression_ratio=1.2, hit_token_limit=False)


def test_a_long_phrase_repeated_at_once_is_cut_short_ones_may_repeat() -> None:
    said = [" And", " so", " it", " begins."]
    squeezed = squeezed_copies([], said, 2)
    assert [w.text for w in truncate_repetitions(squeezed)] == said
    sorry = ["对", "不", "起", "对", "不", "起"]
    assert [w.text for w in truncate_repetitions(seq(sorry))] == sorry


def test_a_sentence_said_again_with_one_word_aligned_into_no_time_is_kept() -> None:
    # "Counsel for the plaintiff ... the opening statement." said twice; in the second copy the
    # aligner gives "the" no time. That is the aligner, not a loop: the copy is kept whole.
    said = [" counsel", " for", " the", " plaintiff", " made", " how", " the", " opening"]
    first = seq(said)
    second = seq(said, start_ms=len(said) * WORD_MS + 1500)
    squeezed = second[6]
    second[6] = Word(squeezed.text, squeezed.start_ms, squeezed.start_ms, squeezed.probability)
    assert truncate_repetitions(first + second) == first + second
    # Two words in a row without time are squeezed in: the copy is a loop.
    second[5] = Word(second[5].text, squeezed.start_ms, squeezed.start_ms, 0.9)
    assert truncate_repetitions(first + second) == first
