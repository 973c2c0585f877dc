"""Text normalisation for scoring (asr.eval.normalise)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asr.eval.normalise import is_cjk, normalise, to_simplified, tokens

# Characters that exercise every rule: Latin, digits, full-width forms, traditional and simplified
# Han, kana, ASCII and CJK punctuation, symbols, zero-width and control characters.
MIXED_ALPHABET = list(
    "aBz09 \t\n'\u2019\u02bc.,-\u2014_/~$%\u266a\u200b\u00ad\u3000"
    "、。，！？“”《》（）…·這個問題这个问题乾髮臺台かカ〇"
    "\uff21\uff22\uff11\uff12\uff0c"
)
mixed_text = st.text(st.sampled_from(MIXED_ALPHABET), max_size=40)
languages = st.sampled_from(["zh", "en"])


class TestSimplified:
    def test_traditional_becomes_simplified(self) -> None:
        assert to_simplified("這個問題") == "这个问题"
        assert normalise("這個問題", "zh") == "这个问题"

    def test_common_whisper_traditional_output(self) -> None:
        assert normalise("甚至出現交易幾乎停滯的情況", "zh") == "甚至出现交易几乎停滞的情况"

    def test_simplified_and_latin_text_is_unchanged(self) -> None:
        assert to_simplified("这个问题 It's fine") == "这个问题 It's fine"
        assert to_simplified("") == ""


class TestFullWidth:
    def test_full_width_letters_and_digits(self) -> None:
        assert normalise("\uff21\uff22\uff23\uff11\uff12\uff13", "en") == "abc123"

    def test_full_width_digits_in_mandarin(self) -> None:
        assert tokens("\uff12\uff10\uff12\uff14年", "zh") == ["2024", "年"]

    def test_ideographic_space_is_whitespace(self) -> None:
        assert normalise("hello\u3000world", "en") == "hello world"


class TestPunctuation:
    def test_english_punctuation_and_case(self) -> None:
        text = "And so, my fellow Americans, ask not what your country can do for you!"
        assert normalise(text, "en") == (
            "and so my fellow americans ask not what your country can do for you"
        )

    def test_cjk_punctuation(self) -> None:
        text = "我最喜欢夏天，满地的鲜花。“好！”《书》（注）【一】、是？：；……——"
        assert normalise(text, "zh") == "我最喜欢夏天满地的鲜花好书注一是"

    @pytest.mark.parametrize("text", ["it's", "it\u2019s", "it\u02bcs", "its"])
    def test_apostrophes_inside_words_are_dropped(self, text: str) -> None:
        assert normalise(text, "en") == "its"

    def test_quotes_around_words_are_separators(self) -> None:
        assert normalise("'hello' \u2018world\u2019", "en") == "hello world"

    def test_periods_and_commas_inside_words_join(self) -> None:
        assert normalise("The U.S. paid 1,000 dollars.", "en") == "the us paid 1000 dollars"

    def test_hyphens_and_dashes_split_words(self) -> None:
        assert normalise("well-known\u2014really", "en") == "well known really"

    def test_symbols_are_removed(self) -> None:
        assert normalise("\u266a Music \u266a", "en") == "music"

    def test_format_characters_are_deleted(self) -> None:
        assert normalise("你\u200b好", "zh") == "你好"
        assert normalise("co\u00adoperate", "en") == "cooperate"

    def test_whitespace_is_collapsed(self) -> None:
        assert normalise("  a \t b\n\nc  ", "en") == "a b c"


class TestMixedLatinInChinese:
    def test_spaces_next_to_cjk_are_removed(self) -> None:
        assert normalise("我 用 iPhone 手机", "zh") == "我用iphone手机"

    def test_latin_words_stay_separated(self) -> None:
        assert normalise("iPhone 14 Pro 很好", "zh") == "iphone 14 pro很好"

    def test_tokens_are_characters_and_latin_runs(self) -> None:
        assert tokens("我用iPhone 手机", "zh") == ["我", "用", "iphone", "手", "机"]
        assert tokens("iPhone 14 Pro很好", "zh") == ["iphone", "14", "pro", "很", "好"]

    def test_english_tokens_are_words(self) -> None:
        assert tokens("Hello, big world.", "en") == ["hello", "big", "world"]

    def test_empty_text_has_no_tokens(self) -> None:
        assert tokens("", "zh") == []
        assert tokens(" 。，! ", "en") == []

    def test_is_cjk(self) -> None:
        assert is_cjk("我")
        assert is_cjk("\u3007")
        assert is_cjk("か")
        assert not is_cjk("a")
        assert not is_cjk("1")
        assert not is_cjk("。")


def test_converter_is_not_created_at_import() -> None:
    code = (
        "import asr.eval.normalise as n\n"
        "import asr.text as t\n"
        "assert t._t2s.cache_info().currsize == 0\n"
        "n.to_simplified('這')\n"
        "n.to_simplified('個')\n"
        "info = t._t2s.cache_info()\n"
        "assert (info.currsize, info.misses) == (1, 1), info\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@given(mixed_text, languages)
def test_normalise_is_idempotent(text: str, language: str) -> None:
    once = normalise(text, language)
    assert normalise(once, language) == once
    assert tokens(once, language) == tokens(text, language)


@given(mixed_text, languages)
def test_tokens_are_nonempty_without_whitespace(text: str, language: str) -> None:
    for token in tokens(text, language):
        assert token
        assert not any(char.isspace() for char in token)


@given(st.text(), languages)
def test_normalise_accepts_any_text(text: str, language: str) -> None:
    result = normalise(text, language)
    assert result == result.strip()
    assert "  " not in result
