"""Display text (asr.text): simplified Chinese, Mandarin split into characters, CJK-aware joins."""

from __future__ import annotations

import itertools

from asr.text import compare_key, display_words, join_text, to_simplified
from asr.types import Word, join_words


def test_traditional_becomes_simplified_and_split_into_characters() -> None:
    out = display_words([Word("這個問題", 1000, 1800, 0.8)], "zh")
    assert [w.text for w in out] == list("这个问题")
    # Each character gets an equal share of the word's span, which they tile exactly.
    assert out[0].start_ms == 1000
    assert out[-1].end_ms == 1800
    for a, b in itertools.pairwise(out):
        assert a.end_ms == b.start_ms
        assert a.start_ms < a.end_ms
    assert all(w.probability == 0.8 for w in out)


def test_punctuation_attaches_to_the_character_before() -> None:
    out = display_words([Word("好的，", 0, 300, 0.9), Word("開庭。", 300, 600, 0.9)], "zh")
    assert [w.text for w in out] == ["好", "的，", "开", "庭。"]


def test_latin_words_inside_mandarin_keep_their_space() -> None:
    out = display_words([Word("他去了New York", 0, 1000, 0.9)], "zh")
    assert join_text(out, "zh") == "他去了New York"


def test_latin_words_as_separate_whisper_words_keep_their_space() -> None:
    # faster-whisper gives Mandarin words token by token; a Latin token carries its leading space.
    words = [
        Word("他去了", 0, 600, 0.9),
        Word(" New", 600, 800, 0.9),
        Word(" York", 800, 1000, 0.9),
    ]
    assert join_text(display_words(words, "zh"), "zh") == "他去了New York"


def test_english_words_pass_through_without_blanks() -> None:
    words = [Word(" Ask", 0, 200, 0.9), Word(" ", 200, 210, 0.1), Word(" not.", 210, 400, 0.9)]
    assert [w.text for w in display_words(words, "en")] == [" Ask", " not."]


def test_join_words() -> None:
    zh = [Word(c, i, i + 1, 1.0) for i, c in enumerate(["用", " Python", " 3", "写"])]
    assert join_words(zh, "zh") == "用Python 3写"
    en = [Word(" Ask", 0, 1, 1.0), Word(" not,", 1, 2, 1.0), Word(" what", 2, 3, 1.0)]
    assert join_text(en, "en") == "Ask not, what"


def test_to_simplified_and_compare_key() -> None:
    assert to_simplified("法院開庭") == "法院开庭"
    assert to_simplified("court") == "court"
    assert to_simplified("") == ""
    assert compare_key(" What.") == compare_key("what") == "what"
    assert compare_key("，好！") == "好"
