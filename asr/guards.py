"""Guards against Whisper's two failure modes in live use: hallucinated text and repetition loops.

Pure functions over decoded words; thresholds are arguments with the defaults measured on asr-dev.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from asr.text import compare_key
from asr.types import Word

# Phrases Whisper is known to invent on silence, music or noise (from subtitle training data).
# An utterance that consists only of one of these, spoken with low confidence, is dropped.
KNOWN_HALLUCINATIONS = frozenset(
    compare_key(p)
    for p in (
        "谢谢观看",
        "谢谢大家",
        "谢谢收看",
        "请不吝点赞订阅转发打赏支持明镜与点点栏目",
        "字幕由Amara.org社区提供",
        "小编字幕",
        "优优独播剧场YoYo Television Series Exclusive",
        "中文字幕",
        "Thank you.",
        "Thanks for watching!",
        "Thank you for watching.",
        "Please subscribe.",
        "you",
        "Bye.",
    )
)

# A word aligned into this little time was squeezed in: the audio has no room for it.
_COLLAPSED_MS = 20


def truncate_repetitions(
    words: list[Word],
    *,
    max_period: int = 12,
    single_unit_repeats: int = 4,
    phrase_repeats: int = 2,
    long_phrase_units: int = 3,
    spoken_repeats: int = 2,  # 3 let a loop of the child's poem through (docs/benchmarks.md §1)
) -> list[Word]:
    """Cut a run of the same unit or phrase repeated back to back, unless it was spoken again.

    People repeat themselves ("是的，是的", a question asked twice); Whisper loops. The two are told
    apart by time: a copy that lies after the copy before it and takes about as long to say
    (:func:`spoken_again`) is speech, up to ``spoken_repeats`` copies in a row. A copy squeezed
    into too little time, stacked on one instant or overlapping its predecessor is the model
    writing text the audio does not hold.

    Without that evidence a unit (word or character) may repeat ``single_unit_repeats`` times
    ("对对对", "no no no"); a short phrase ``phrase_repeats`` times ("thank you thank you"); a
    phrase of ``long_phrase_units`` or more units and six or more letters only once: Whisper's
    "And so it begins. And so it begins." squeezed into one utterance's time is a repeat, not
    speech. A single unit is never exempted by its timing: a loop on one syllable ("天天天天天")
    keeps the syllable's length. Everything after the first excess repetition is dropped: a loop
    never ends by itself.
    """
    keys = [compare_key(w.text) for w in words]
    n = len(keys)
    for i in range(n):
        for period in range(1, min(max_period, (n - i) // 2) + 1):
            if not any(keys[i : i + period]):
                continue
            if period == 1:
                allowed = single_unit_repeats
            elif period < long_phrase_units or len("".join(keys[i : i + period])) < 6:
                allowed = phrase_repeats  # "thank you thank you", "对不起对不起"
            else:
                allowed = 1
            count = 1
            spoken = period > 1
            j = i + period
            while j + period <= n and keys[j : j + period] == keys[i : i + period]:
                count += 1
                spoken = spoken and spoken_again(
                    words[i : i + period], words[j : j + period], previous=words[j - period : j]
                )
                if count > (spoken_repeats if spoken else allowed):
                    return words[:j]
                j += period
    return words


def spoken_again(
    first: Sequence[Word],
    copy: Sequence[Word],
    *,
    previous: Sequence[Word] | None = None,
    overlap_tolerance_ms: int = 100,
    min_duration_ratio: float = 0.5,
    min_unit_ms: int = 60,
) -> bool:
    """Whether ``copy`` (the same words as ``first``) lies at new audio times as speech does.

    It must start after the copy before it (``previous``, default ``first``) ends, give or take
    ``overlap_tolerance_ms`` of alignment jitter; take at least ``min_duration_ratio`` of the time
    ``first`` took and ``min_unit_ms`` per word; and no two words in a row may be squeezed into
    no time. A single word without time is the aligner's (it gives a short word like "the" none
    now and then, in speech as in its copies), not a sign of a loop: a repeated sentence with one
    such word was cut as a loop and lost its last words.
    """
    previous = first if previous is None else previous
    if not first or not copy or not previous:
        return False
    if copy[0].start_ms < previous[-1].end_ms - overlap_tolerance_ms:
        return False
    duration = copy[-1].end_ms - copy[0].start_ms
    if duration < min_duration_ratio * (first[-1].end_ms - first[0].start_ms):
        return False
    if duration < min_unit_ms * len(copy):
        return False
    squeezed = [w.end_ms - w.start_ms <= _COLLAPSED_MS for w in copy]
    return not any(a and b for a, b in pairwise(squeezed))


def is_hallucination(
    words: list[Word],
    *,
    no_speech_prob: float,
    avg_logprob: float,
    compression_ratio: float,
    no_speech_threshold: float = 0.6,
    logprob_threshold: float = -1.0,
    max_compression_ratio: float = 2.4,
    min_mean_probability: float = 0.15,
) -> bool:
    """Whether a decoded window should be thrown away as a whole."""
    if not words:
        return False
    if no_speech_prob > no_speech_threshold and avg_logprob < logprob_threshold:
        return True
    if no_speech_prob > 0.8:
        return True
    if compression_ratio > max_compression_ratio * 1.5:
        return True
    text = compare_key("".join(w.text for w in words))
    mean_prob = sum(w.probability for w in words) / len(words)
    if mean_prob < min_mean_probability:
        return True  # nothing the model heard: on silence and noise words score about 0.05
    return text in KNOWN_HALLUCINATIONS and (mean_prob < 0.7 or no_speech_prob > 0.3)


def drop_collapsed_words(
    words: list[Word], *, min_run: int = 2, max_ms: int = _COLLAPSED_MS
) -> list[Word]:
    """Remove runs of words the aligner squeezed into (almost) no time.

    When Whisper repeats text that is not in the audio, forced alignment has nowhere to put it
    and stacks the words on one instant, usually at the end of the speech. A run of at least
    ``min_run`` such words is invented text.
    """
    out: list[Word] = []
    run: list[Word] = []
    for w in words:
        if w.end_ms - w.start_ms <= max_ms:
            run.append(w)
            continue
        if len(run) < min_run:
            out.extend(run)
        run = []
        out.append(w)
    if len(run) < min_run:
        out.extend(run)
    # A last word that only repeats the word before it in a blink ("Americans Americans.") is
    # the same invention at the end of a window.
    if (
        len(out) >= 2
        and out[-1].end_ms - out[-1].start_ms <= 3 * max_ms
        and compare_key(out[-1].text) == compare_key(out[-2].text)
    ):
        out.pop()
    return out


def looks_looped(
    words: list[Word], *, compression_ratio: float, hit_token_limit: bool, max_ratio: float = 2.4
) -> bool:
    """Whether a decode fell into a repetition loop and deserves a second, penalised try."""
    if hit_token_limit or compression_ratio > max_ratio:
        return True
    return len(truncate_repetitions(words)) < len(words)


def drop_prompt_echo(words: list[Word], prompt: str, *, min_chars: int = 5) -> list[Word]:
    """Remove words that repeat a stretch of the prompt (Whisper sometimes reads its prompt back).

    Only a run of at least ``min_chars`` characters that occurs in the prompt counts as an echo, so
    ordinary words shared with the prompt survive.
    """
    key = compare_key(prompt)
    if len(key) < min_chars or not words:
        return words
    keys = [compare_key(w.text) for w in words]
    keep = [True] * len(words)
    i = 0
    while i < len(words):
        j, text = i, ""
        best = i
        while j < len(words) and (text + keys[j]) in key:
            text += keys[j]
            j += 1
            if len(text) >= min_chars:
                best = j
        if best > i:
            keep[i:best] = [False] * (best - i)
            i = best
        else:
            i += 1
    return [w for w, k in zip(words, keep, strict=True) if k]
