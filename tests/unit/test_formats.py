"""asr.formats: TXT, SRT, WebVTT and JSON output of offline transcription."""

from __future__ import annotations

import json

import pytest

from asr.formats import (
    format_timestamp,
    segments_from_json,
    split_cues,
    to_json,
    to_srt,
    to_txt,
    to_vtt,
)
from asr.types import Segment, Word


def _words(spec: list[tuple[str, int, int]]) -> tuple[Word, ...]:
    return tuple(Word(text=t, start_ms=s, end_ms=e, probability=0.9) for t, s, e in spec)


EN = [
    Segment(
        start_ms=0,
        end_ms=2_500,
        text=" The court is in session.",
        words=_words([(" The", 0, 300), (" court", 300, 700), (" is", 700, 900),
                      (" in", 900, 1_100), (" session.", 1_100, 2_500)]),
    ),
    Segment(start_ms=3_000, end_ms=3_000, text="   ", words=()),
    Segment(
        start_ms=3_723_004,
        end_ms=3_725_010,
        text=" Please be seated.",
        words=_words([(" Please", 3_723_004, 3_723_500), (" be", 3_723_500, 3_724_000),
                      (" seated.", 3_724_000, 3_725_010)]),
    ),
]  # fmt: skip

ZH = [
    Segment(
        start_ms=500,
        end_ms=3_200,
        text="现在 开庭。",
        words=_words([("现在", 500, 1_200), (" 开庭", 1_200, 2_600), ("。", 2_600, 3_200)]),
    ),
]


@pytest.mark.parametrize(
    ("ms", "sep", "expected"),
    [
        (0, ",", "00:00:00,000"),
        (1, ",", "00:00:00,001"),
        (59_999, ".", "00:00:59.999"),
        (3_723_004, ",", "01:02:03,004"),
        (100 * 3_600_000 + 5, ".", "100:00:00.005"),
    ],
)
def test_format_timestamp(ms: int, sep: str, expected: str) -> None:
    assert format_timestamp(ms, sep) == expected


def test_format_timestamp_rejects_negative_times() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_timestamp(-1)


def test_srt_numbers_cues_and_skips_empty_segments() -> None:
    assert to_srt(EN) == (
        "1\n00:00:00,000 --> 00:00:02,500\nThe court is in session.\n"
        "\n"
        "2\n01:02:03,004 --> 01:02:05,010\nPlease be seated.\n"
    )


def test_vtt_has_header_and_dot_milliseconds() -> None:
    assert to_vtt(EN) == (
        "WEBVTT\n"
        "\n"
        "00:00:00.000 --> 00:00:02.500\nThe court is in session.\n"
        "\n"
        "01:02:03.004 --> 01:02:05.010\nPlease be seated.\n"
    )


def test_vtt_escapes_markup() -> None:
    seg = Segment(start_ms=0, end_ms=1_000, text="A <b> & B", words=())
    assert to_vtt([seg]).endswith("A &lt;b&gt; &amp; B\n")


def test_zh_text_has_no_spaces_between_characters() -> None:
    assert to_txt(ZH, "zh") == "现在开庭。\n"
    assert "\n现在开庭。\n" in to_srt(ZH, language="zh")
    mixed = Segment(start_ms=0, end_ms=900, text="我们 用 Python 3 写", words=())
    assert to_txt([mixed], "zh") == "我们用Python 3写\n"


def test_txt_one_line_per_segment() -> None:
    assert to_txt(EN, "en") == "The court is in session.\nPlease be seated.\n"
    assert to_txt([], "en") == ""


def test_long_english_segment_is_split_at_word_boundaries() -> None:
    words = [f" word{i:02d}" for i in range(12)]  # 7 columns each, 84 in all
    seg = Segment(
        start_ms=1_000,
        end_ms=7_000,
        text="".join(words),
        words=_words([(w, 1_000 + 500 * i, 1_000 + 500 * (i + 1)) for i, w in enumerate(words)]),
    )

    cues = split_cues(seg, language="en")

    assert [text for _, _, text in cues] == [
        "".join(words[:6]).strip(),
        "".join(words[6:]).strip(),
    ]
    assert cues[0][:2] == (1_000, 4_000)
    assert cues[1][:2] == (4_000, 7_000)
    assert all(len(text) <= 42 for _, _, text in cues)
    assert split_cues(seg, language="en", max_cue_chars=None, max_cue_ms=None) == [
        (1_000, 7_000, seg.text.strip())
    ]


def test_long_zh_segment_counts_characters_as_two_columns() -> None:
    chars = "本庭现在依法公开开庭审理原告与被告之间的合同纠纷一案请双方当事人陈述"  # 34 chars
    seg = Segment(
        start_ms=0,
        end_ms=6_800,
        text=chars,
        words=_words([(c, 200 * i, 200 * (i + 1)) for i, c in enumerate(chars)]),
    )

    cues = split_cues(seg, language="zh")

    assert [text for _, _, text in cues] == [chars[:21], chars[21:]]
    assert (cues[0][0], cues[-1][1]) == (0, 6_800)
    srt = to_srt([seg], language="zh")
    assert srt.startswith("1\n00:00:00,000 --> 00:00:04,200\n")
    assert "\n2\n00:00:04,200 --> 00:00:06,800\n" in srt


def test_segment_longer_than_seven_seconds_is_split_by_time() -> None:
    seg = Segment(
        start_ms=0,
        end_ms=10_000,
        text=" Objection. Sustained.",
        words=_words([(" Objection.", 0, 4_000), (" Sustained.", 8_000, 10_000)]),
    )

    assert split_cues(seg, language="en") == [
        (0, 4_000, "Objection."),
        (8_000, 10_000, "Sustained."),
    ]


def test_long_segment_without_words_stays_one_cue() -> None:
    seg = Segment(start_ms=0, end_ms=20_000, text="x " * 40, words=())
    assert len(split_cues(seg)) == 1


def test_json_schema_and_round_trip() -> None:
    segments = [*ZH, *EN]
    text = to_json(segments, language="zh", model="base", duration_s=12.5)

    doc = json.loads(text)
    assert set(doc) == {"language", "model", "duration_s", "segments"}
    assert (doc["language"], doc["model"], doc["duration_s"]) == ("zh", "base", 12.5)
    assert doc["segments"][0] == {
        "start_ms": 500,
        "end_ms": 3_200,
        "text": "现在 开庭。",
        "words": [
            {"text": "现在", "start_ms": 500, "end_ms": 1_200, "probability": 0.9},
            {"text": " 开庭", "start_ms": 1_200, "end_ms": 2_600, "probability": 0.9},
            {"text": "。", "start_ms": 2_600, "end_ms": 3_200, "probability": 0.9},
        ],
    }
    assert "现在" in text  # UTF-8, not \u escapes
    assert segments_from_json(text) == segments
