"""WER/CER counting, combining and percentiles (asr.eval.metrics)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asr.eval.metrics import ErrorCounts, combine, metric_name, percentile, score
from asr.eval.normalise import tokens

WORDS = ["the", "court", "is", "now", "in", "session", "这", "个", "问", "题", "iphone", "1000"]
sentences = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)
languages = st.sampled_from(["zh", "en"])


def counts(s: int, d: int, i: int, h: int) -> ErrorCounts:
    return ErrorCounts(
        substitutions=s, deletions=d, insertions=i, hits=h, reference_length=h + s + d
    )


class TestWordErrorRate:
    def test_identical(self) -> None:
        result = score("the cat sat", "the cat sat", "en")
        assert result == counts(0, 0, 0, 3)
        assert result.rate == 0.0

    def test_substitution(self) -> None:
        result = score("the cat sat", "the dog sat", "en")
        assert result == counts(1, 0, 0, 2)
        assert result.rate == pytest.approx(1 / 3)

    def test_deletion(self) -> None:
        assert score("the cat sat", "the sat", "en") == counts(0, 1, 0, 2)

    def test_insertion(self) -> None:
        result = score("the cat sat", "the cat sat down", "en")
        assert result == counts(0, 0, 1, 3)
        assert result.rate == pytest.approx(1 / 3)

    def test_substitution_and_insertion(self) -> None:
        result = score("a b c d", "a x c d e", "en")
        assert result == counts(1, 0, 1, 3)
        assert result.rate == pytest.approx(2 / 4)

    def test_case_and_punctuation_do_not_count(self) -> None:
        assert score("Hello, World! It's me.", "hello world its me", "en").rate == 0.0

    def test_empty_hypothesis_deletes_everything(self) -> None:
        result = score("the cat sat", "", "en")
        assert result == counts(0, 3, 0, 0)
        assert result.rate == 1.0

    def test_rate_can_exceed_one(self) -> None:
        result = score("yes", "yes yes yes yes", "en")
        assert result == counts(0, 0, 3, 1)
        assert result.rate == 3.0

    def test_empty_reference_has_no_rate(self) -> None:
        result = score("", "hello there", "en")
        assert result == ErrorCounts(0, 0, 2, 0, 0)
        assert result.rate is None
        assert score("...", "", "en").rate is None


class TestCharacterErrorRate:
    def test_traditional_hypothesis_matches_simplified_reference(self) -> None:
        result = score("甚至出现交易几乎停滞的情况", "甚至出現交易幾乎停滯的情況。", "zh")
        assert result == counts(0, 0, 0, 13)

    def test_substitution(self) -> None:
        assert score("这个问题", "那个问题", "zh") == counts(1, 0, 0, 3)

    def test_deletion(self) -> None:
        result = score("这个问题", "这问题", "zh")
        assert result == counts(0, 1, 0, 3)
        assert result.rate == 0.25

    def test_insertion(self) -> None:
        assert score("这个问题", "这个问题吗", "zh") == counts(0, 0, 1, 4)

    def test_spaces_and_punctuation_do_not_count(self) -> None:
        assert score("我最喜欢夏天，满地的鲜花。", "我 最喜欢 夏天 满地的鲜花", "zh").rate == 0.0

    def test_latin_word_in_mandarin_is_one_unit(self) -> None:
        assert score("我用iPhone手机", "我用 iphone 手机", "zh").rate == 0.0
        result = score("我用iPhone手机", "我用iPhome手机", "zh")
        assert result == counts(1, 0, 0, 4)
        assert result.rate == pytest.approx(1 / 5)


class TestErrorCounts:
    def test_negative_count_is_rejected(self) -> None:
        with pytest.raises(ValueError, match="insertions"):
            ErrorCounts(substitutions=0, deletions=0, insertions=-1, hits=1, reference_length=1)

    def test_inconsistent_reference_length_is_rejected(self) -> None:
        with pytest.raises(ValueError, match="reference_length"):
            ErrorCounts(substitutions=1, deletions=0, insertions=0, hits=1, reference_length=5)

    def test_errors(self) -> None:
        assert counts(1, 2, 3, 4).errors == 6


class TestCombine:
    def test_weighted_by_reference_length(self) -> None:
        short = counts(1, 0, 0, 1)  # rate 0.5 over 2 units
        long = counts(0, 0, 0, 8)  # rate 0.0 over 8 units
        total = combine([short, long])
        assert total == counts(1, 0, 0, 9)
        assert total.rate == pytest.approx(0.1)  # not the mean of rates (0.25)

    def test_sums_every_count(self) -> None:
        assert combine([counts(1, 2, 3, 4), counts(5, 6, 7, 8)]) == counts(6, 8, 10, 12)

    def test_empty_reference_items_add_insertions(self) -> None:
        total = combine([counts(0, 0, 0, 4), ErrorCounts(0, 0, 2, 0, 0)])
        assert total.rate == 0.5

    def test_nothing_has_no_rate(self) -> None:
        assert combine([]).rate is None
        assert combine(iter([])).reference_length == 0


def test_metric_name() -> None:
    assert metric_name("zh") == "cer"
    assert metric_name("en") == "wer"


class TestPercentile:
    def test_empty_is_none(self) -> None:
        assert percentile([], 50) is None

    def test_single_value(self) -> None:
        assert percentile([7.0], 95) == 7.0

    def test_linear_interpolation(self) -> None:
        values = [4.0, 1.0, 3.0, 2.0]
        assert percentile(values, 0) == 1.0
        assert percentile(values, 50) == 2.5
        assert percentile(values, 100) == 4.0
        assert percentile([float(v) for v in range(1, 11)], 95) == pytest.approx(9.55)

    @pytest.mark.parametrize("q", [-1.0, 100.5])
    def test_q_out_of_range(self, q: float) -> None:
        with pytest.raises(ValueError, match=r"0\.\.100"):
            percentile([1.0], q)

    def test_nan_is_rejected(self) -> None:
        with pytest.raises(ValueError, match="NaN"):
            percentile([1.0, float("nan")], 50)

    @given(
        st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=50),
        st.floats(0, 100),
    )
    def test_matches_numpy(self, values: list[float], q: float) -> None:
        numpy = pytest.importorskip("numpy")
        result = percentile(values, q)
        assert result is not None
        assert result == pytest.approx(float(numpy.percentile(values, q)), rel=1e-9, abs=1e-6)
        assert min(values) <= result <= max(values)


@given(sentences, languages)
def test_identical_texts_have_no_errors(text: str, language: str) -> None:
    result = score(text, text, language)
    assert result.errors == 0
    assert result.rate == (0.0 if tokens(text, language) else None)


@given(sentences.filter(lambda s: s != ""), languages)
def test_empty_hypothesis_has_rate_one(reference: str, language: str) -> None:
    assert score(reference, "", language).rate == 1.0


@given(sentences, sentences, languages)
def test_counts_match_both_token_lists(reference: str, hypothesis: str, language: str) -> None:
    result = score(reference, hypothesis, language)
    assert result.reference_length == len(tokens(reference, language))
    assert result.hits + result.substitutions + result.insertions == len(
        tokens(hypothesis, language)
    )
    distance_bound = max(len(tokens(reference, language)), len(tokens(hypothesis, language)))
    assert result.errors <= distance_bound
