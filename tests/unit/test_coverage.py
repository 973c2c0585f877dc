"""Accounting for voiced audio (asr.coverage), on intervals worked out by hand."""

from __future__ import annotations

from asr.coverage import account, merge, uncovered
from asr.types import Gap, Word


def w(start_ms: int, end_ms: int) -> Word:
    return Word(" x", start_ms, end_ms, 0.9)


def test_merge_sorts_joins_and_drops_empty() -> None:
    assert merge([(5, 9), (0, 3), (2, 4), (7, 7)]) == [(0, 4), (5, 9)]


def test_words_cover_their_time_plus_the_pad() -> None:
    # Voiced 0–5000; words 1000–1500 and 1600–2000 cover 600–2400 with the 400 ms pad.
    voiced = [(0, 5000)]
    words = [w(1000, 1500), w(1600, 2000)]
    # Left: 0–600 (600 ms, shorter than a second: a breath) and 2400–5000 (2.6 s: missing).
    assert uncovered(voiced, words) == [(2400, 5000)]
    assert uncovered(voiced, words, [Gap(2000, 5000, "unrecognised")]) == []


def test_account_splits_voiced_time_by_where_it_went() -> None:
    voiced = [(0, 3000), (4000, 9000)]  # 8 s voiced
    words = [w(400, 2600)]  # covers 0–3000 with the pad
    gaps = [Gap(4000, 6000, "backlog"), Gap(5500, 7000, "unrecognised")]
    result = account(voiced, words, gaps)
    assert result.voiced_ms == 8000
    assert result.in_words_ms == 3000
    # Backlog takes 4000–6000; unrecognised the rest of its span, 6000–7000.
    assert result.gap_ms_by_reason == {"backlog": 2000, "unrecognised": 1000}
    # 7000–9000 is voiced and nobody accounted for it.
    assert result.unaccounted_ms == 2000
    assert result.accounted_share == 1 - 2000 / 8000
    assert result.words_share == 3000 / 8000


def test_short_uncovered_stretches_are_not_missing_speech() -> None:
    result = account([(0, 2000)], [w(0, 1000)], [])
    assert result.in_words_ms == 1400  # 0–1400 with the pad
    assert result.unaccounted_ms == 0  # 600 ms left: below a second
