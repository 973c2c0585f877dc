"""The evaluation runner's model-free parts: the streaming clock, hypothesis joining, segment
cleaning (asr.eval.runner, asr.offline)."""

from __future__ import annotations

import numpy as np
import pytest

from asr.engine import FloatArray
from asr.eval.runner import join_hypothesis, simulate_stream
from asr.offline import clean_segment
from asr.types import SAMPLE_RATE_HZ, Commit, Event, Gap, Partial, Revision, Word


def word(text: str, start_ms: int, end_ms: int) -> Word:
    return Word(text, start_ms, end_ms, 0.9)


class FakeTimer:
    def __init__(self) -> None:
        self.now_s = 0.0

    def __call__(self) -> float:
        return self.now_s


class ScriptedStream:
    """Each call costs a scripted time on the fake timer and returns scripted events."""

    def __init__(self, timer: FakeTimer, script: list[tuple[float, list[Event]]]) -> None:
        self.timer = timer
        self.script = list(script)
        self.fed: list[int] = []

    def _step(self) -> list[Event]:
        cost_s, events = self.script.pop(0)
        self.timer.now_s += cost_s
        return events

    def feed(self, samples: FloatArray) -> list[Event]:
        self.fed.append(len(samples))
        return self._step()

    def finish(self) -> list[Event]:
        return self._step()


def audio(seconds: float) -> FloatArray:
    return np.zeros(round(seconds * SAMPLE_RATE_HZ), dtype=np.float32)


class TestSimulateStream:
    def test_virtual_clock(self) -> None:
        timer = FakeTimer()
        first = (word(" a", 0, 100), word(" b", 100, 250))
        script: list[tuple[float, list[Event]]] = [
            (0.05, []),  # chunk ends at 100 ms: clock 100 → 150
            (0.05, [Partial((word(" a", 50, 150),), "en", 200)]),  # 200 → 250
            (0.30, [Commit(first, "en", False, 300), Partial((), "en", 300)]),  # 300 → 600
            (0.05, []),  # behind real time: stays 600 → 650
            (0.05, [Gap(0, 10)]),  # 650 → 700
            (0.10, [Commit((word(" c", 400, 480),), "en", True, 500)]),  # finish: 700 → 800
        ]
        stream = ScriptedStream(timer, script)
        run = simulate_stream(stream, audio(0.5), chunk_ms=100, timer=timer)
        assert stream.fed == [1600] * 5
        assert [w.text for w in run.words] == [" a", " b", " c"]
        assert run.latencies_ms == pytest.approx((500.0, 350.0, 320.0))
        assert run.first_partial_ms == pytest.approx(200.0)  # 250 ms minus its word's 50 ms
        assert run.end_lag_s == pytest.approx(0.3)
        assert run.processing_s == pytest.approx(0.6)
        assert run.gaps == (Gap(0, 10),)

    def test_a_revision_replaces_words_and_their_latency(self) -> None:
        timer = FakeTimer()
        a, b, c = word(" a", 0, 100), word(" b", 100, 200), word(" c", 200, 300)
        big_b = word(" B", 100, 220)
        script: list[tuple[float, list[Event]]] = [
            (0.0, [Commit((a, b), "en", False, 100)]),  # clock 100
            (0.0, []),  # 200
            (0.0, [Revision((b,), (big_b,), "en", 300), Commit((c,), "en", True, 300)]),
            (0.0, []),  # finish
        ]
        run = simulate_stream(ScriptedStream(timer, script), audio(0.3), chunk_ms=100, timer=timer)
        assert [w.text for w in run.words] == [" a", " B", " c"]
        # " a" committed at 100 ms (its end), " B" by the revision at 300 ms (80 ms after its end).
        assert run.latencies_ms == pytest.approx((0.0, 80.0, 0.0))

    def test_first_text_may_be_a_commit(self) -> None:
        timer = FakeTimer()
        script: list[tuple[float, list[Event]]] = [
            (0.0, [Partial((), "en", 100)]),  # an empty partial does not count
            (0.1, [Commit((word(" x", 20, 90),), "en", True, 200)]),
            (0.0, []),
        ]
        run = simulate_stream(ScriptedStream(timer, script), audio(0.2), chunk_ms=100, timer=timer)
        assert run.first_partial_ms == pytest.approx(300.0 - 20.0)

    def test_last_chunk_may_be_short_and_nothing_said(self) -> None:
        timer = FakeTimer()
        stream = ScriptedStream(timer, [(0.0, []), (0.0, []), (0.0, [])])
        run = simulate_stream(stream, audio(0.15), chunk_ms=100, timer=timer)
        assert stream.fed == [1600, 800]
        assert (run.words, run.latencies_ms, run.first_partial_ms) == ((), (), None)
        assert run.end_lag_s == 0.0

    def test_chunk_must_be_positive(self) -> None:
        timer = FakeTimer()
        with pytest.raises(ValueError, match="chunk_ms"):
            simulate_stream(ScriptedStream(timer, []), audio(0.1), chunk_ms=0, timer=timer)


def test_join_hypothesis() -> None:
    assert join_hypothesis(["甚至出现", " 交易。", ""], "zh") == "甚至出现交易。"
    assert join_hypothesis([" And so", "my fellow ", " "], "en") == "And so my fellow"


class TestCleanSegment:
    def test_mandarin_is_simplified_and_rebuilt_from_words(self) -> None:
        words = [word("這個", 0, 400), word(" 問題", 400, 900)]
        segment = clean_segment(0.0, 0.9, "這個 問題", words, "zh")
        assert segment is not None
        assert segment.text == "这个问题"
        assert [w.text for w in segment.words] == ["这个", " 问题"]
        assert (segment.start_ms, segment.end_ms) == (0, 900)

    def test_english_keeps_spaces(self) -> None:
        words = [word(" The", 0, 300), word(" court.", 300, 800)]
        segment = clean_segment(0.0, 0.8, " The court.", words, "en")
        assert segment is not None
        assert segment.text == "The court."

    def test_collapsed_words_are_dropped(self) -> None:
        words = [word(" yes", 0, 400), word(" thank", 990, 1000), word(" you", 1000, 1000)]
        segment = clean_segment(0.0, 1.0, " yes thank you", words, "en")
        assert segment is not None
        assert segment.text == "yes"
        assert segment.end_ms == 400

    def test_repetition_loop_is_cut(self) -> None:
        # Said once in 400 ms; the loop's copies squeezed into 60 ms each after it.
        words = [word("好", 0, 200), word("的", 200, 400)]
        words += [word(ch, 400 + 30 * i, 430 + 30 * i) for i, ch in enumerate("好的" * 5)]
        segment = clean_segment(0.0, 1.2, "好的" * 6, words, "zh")
        assert segment is not None
        assert segment.text == "好的好的"
        assert segment.end_ms == 460

    def test_a_phrase_said_again_is_kept(self) -> None:
        words = [word(ch, 200 * i, 200 * i + 200) for i, ch in enumerate("没有异议" * 2)]
        segment = clean_segment(0.0, 1.6, "没有异议" * 2, words, "zh")
        assert segment is not None
        assert segment.text == "没有异议没有异议"

    def test_segment_without_words_keeps_its_text(self) -> None:
        segment = clean_segment(1.0, 2.0, " 這 是", [], "zh")
        assert segment is not None
        assert (segment.text, segment.start_ms, segment.end_ms) == ("这是", 1000, 2000)

    def test_nothing_left(self) -> None:
        words = [word(" a", 500, 500), word(" b", 500, 500)]
        assert clean_segment(0.0, 0.5, " a b", words, "en") is None
        assert clean_segment(0.0, 0.5, "  ", [], "en") is None
