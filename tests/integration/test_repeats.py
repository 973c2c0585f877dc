"""Speech said again is transcribed again (issue 11): repeats are not loops nor committed text.

Streams are built from corpus clips played more than once, with and without pauses, in both
languages; each copy's committed words (found by time) are scored against its reference. Before
the engine told a repeat from a loop by time, the second and later copies came out empty or as
fragments ("希", "希老") while the first was recognised.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asr.audio import decode_file
from asr.engine import Engine
from asr.eval.repeats import Clip, CopyScore, build_stream, score_copies, totals_by_occurrence
from asr.eval.runner import simulate_stream
from asr.runner import SyncStream
from asr.stream import StreamConfig
from asr.types import Commit, Event, UtteranceEnd
from tests.integration.pace import QUICK as DECODE_SECONDS

pytestmark = pytest.mark.model

CHUNK_MS = 100
AISHELL = "zh_aishell1_BAC009S0764W0121.wav"
PROMPT = "zh_cosyvoice_zero_shot_prompt.wav"
JFK = "en_jfk.wav"
WIZARD = "en_fw_stereo_left.wav"
# A copy may come out a unit or two different from the first one (other audio context), but
# it must be there: its error rate at most this much above the first copy's.
MAX_REPEAT_PENALTY = 0.2


def clips(corpus: Path, *names: str) -> list[Clip]:
    records = {
        r["audio"]: r
        for r in map(json.loads, (corpus / "manifest.jsonl").read_text("utf-8").splitlines())
    }
    return [Clip(n, decode_file(corpus / n), str(records[n]["text"])) for n in names]


def stream_copies(
    engine: Engine, language: str, items: list[Clip], order: list[int], pause_ms: int
) -> list[CopyScore]:
    audio, copies = build_stream(items, order, pause_ms=pause_ms)
    run = simulate_stream(
        SyncStream(engine, StreamConfig(language=language), decode_seconds=DECODE_SECONDS),
        audio,
        chunk_ms=CHUNK_MS,
    )
    return score_copies(run.words, copies, language)


def assert_repeats_recognised(scores: list[CopyScore]) -> None:
    first = {s.copy.name: s for s in scores if s.copy.occurrence == 1}
    report = [(s.copy.name, s.copy.occurrence, s.hypothesis) for s in scores]
    for s in scores:
        rate, base = s.errors.rate, first[s.copy.name].errors.rate
        assert rate is not None and base is not None
        assert rate <= base + MAX_REPEAT_PENALTY, report


@pytest.mark.parametrize(
    ("language", "names", "order", "pause_ms"),
    [
        # The cases: a clip, 10 s of silence, the same clip; and A-B-A-A.
        ("zh", (AISHELL,), [0, 0], 10_000),
        ("zh", (AISHELL, PROMPT), [0, 1, 0, 0], 1000),
        # Back to back (the clips' own margins are the only pause), and three times in a row.
        ("zh", (PROMPT,), [0, 0, 0], 0),
        ("en", (JFK,), [0, 0], 1000),
        ("en", (WIZARD, JFK), [0, 0, 1], 300),
    ],
    ids=["zh-silence", "zh-ABAA", "zh-thrice-no-pause", "en-twice", "en-twice-then-other"],
)
def test_a_repeated_sentence_is_transcribed_each_time(
    engine: Engine,
    speech_corpus: Path,
    language: str,
    names: tuple[str, ...],
    order: list[int],
    pause_ms: int,
) -> None:
    scores = stream_copies(engine, language, clips(speech_corpus, *names), order, pause_ms)
    assert_repeats_recognised(scores)


def test_a_long_stream_of_items_each_played_twice(engine: Engine, speech_corpus: Path) -> None:
    """Every real item of both languages twice in a row: the second copies lose no more than
    the first ones."""
    for language, names in (
        ("en", (JFK, WIZARD, "en_ljspeech_LJ050-0131.wav")),
        ("zh", (AISHELL, PROMPT, "zh_wenetspeech_TEST_MEETING_S00000.wav")),
    ):
        items = clips(speech_corpus, *names)
        order = [i for i in range(len(items)) for _ in range(2)]
        scores = stream_copies(engine, language, items, order, pause_ms=700)
        totals = totals_by_occurrence(scores)
        first, repeat = totals["first"], totals["repeat"]
        report = [(s.copy.name, s.copy.occurrence, s.hypothesis) for s in scores]
        # Other audio context changes a unit or two either way (the far-field meeting clip
        # most); a lost copy would add its whole length (17–22 words, 13–58 characters).
        assert repeat.deletions <= 1.25 * first.deletions + 3, report
        assert repeat.errors <= 1.3 * first.errors + 3, report


def test_an_utterance_end_without_new_words_is_not_an_empty_commit(
    engine: Engine, speech_corpus: Path
) -> None:
    items = clips(speech_corpus, AISHELL, PROMPT)
    audio, _ = build_stream(items, [0, 1, 0], pause_ms=1500)
    stream = SyncStream(engine, StreamConfig(language="zh"), decode_seconds=DECODE_SECONDS)
    events: list[Event] = []
    step = CHUNK_MS * 16
    for start in range(0, len(audio), step):
        events.extend(stream.feed(audio[start : start + step]))
    events.extend(stream.finish())
    commits = [e for e in events if isinstance(e, Commit)]
    assert commits and all(c.words and c.text for c in commits)
    # Each utterance is closed: by its last commit, or by an UtteranceEnd.
    ends = [
        e
        for e in events
        if isinstance(e, UtteranceEnd) or (isinstance(e, Commit) and e.end_of_utterance)
    ]
    assert len(ends) >= 3
