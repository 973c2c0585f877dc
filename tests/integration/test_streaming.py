"""Live streaming recognition with the real base model: accuracy, language, silence, async.

Streams are fed in ``CHUNK_MS`` chunks through ``asr.runner.SyncStream`` (inline decoding) or
``asr.scheduler.InferenceScheduler`` + ``asr.session.StreamingSession`` (the server's path).
Streaming results of the corpus files are computed once per module and shared by the tests.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from asr.audio import decode_file
from asr.engine import Engine
from asr.eval.metrics import score
from asr.offline import transcribe_file
from asr.runner import SyncStream
from asr.scheduler import InferenceScheduler
from asr.session import StreamingSession
from asr.stream import DecodeJob, StreamConfig
from asr.text import to_simplified
from asr.types import SAMPLE_RATE_HZ, Commit, Event, Gap, Partial, UtteranceEnd
from tests.conftest import MakeSpeech
from tests.integration.pace import QUICK as DECODE_SECONDS

pytestmark = pytest.mark.model

CHUNK_MS = 100
CHUNK = CHUNK_MS * SAMPLE_RATE_HZ // 1000
JFK = "en_jfk.wav"
HARVARD = "en_osr_harvard_list72_8k.wav"
AISHELL = "zh_aishell1_BAC009S0764W0121.wav"

# Error bounds. Whisper base streaming measured here: JFK WER 0.0, AISHELL CER ~0.08 (one
# character), Harvard WER ~0.04. The bounds leave room for a word or two more on these short
# files without letting a broken stream (lost or doubled utterances) through.
MAX_WER_EN = 0.15
MAX_CER_ZH = 0.20
# Streaming decodes shorter windows with less context than the offline long-form loop; it may be
# worse, but by no more than this absolute error rate on the same file (measured: +0.0 on JFK,
# about +0.04 on Harvard).
MAX_STREAMING_PENALTY = 0.08
# Auto-detection decides within the first seconds of speech (StreamConfig.language_detect_ms,
# forced by language_max_detect_ms = 8 s); feeding this much of a file exercises the decision.
DETECT_FEED_MS = 12_000


Audio = npt.NDArray[np.float32]


def load(corpus: Path, name: str) -> tuple[Audio, str]:
    for line in (corpus / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["audio"] == name:
            return decode_file(corpus / name), str(record["text"])
    raise AssertionError(f"{name} is not in the manifest")


@dataclass
class Streamed:
    events: list[Event]
    language: str | None

    @property
    def commits(self) -> list[Commit]:
        return [e for e in self.events if isinstance(e, Commit)]

    @property
    def text(self) -> str:
        sep = "" if self.language == "zh" else " "
        return sep.join(c.text for c in self.commits if c.text)


def stream_sync(
    engine: Engine,
    audio: Audio,
    config: StreamConfig,
    *,
    on_chunk: Callable[[SyncStream, int], None] | None = None,
) -> Streamed:
    stream = SyncStream(engine, config, decode_seconds=DECODE_SECONDS)
    events: list[Event] = []
    for i, start in enumerate(range(0, len(audio), CHUNK)):
        if on_chunk is not None:
            on_chunk(stream, i)
        events.extend(stream.feed(audio[start : start + CHUNK]))
    events.extend(stream.finish())
    return Streamed(events, stream.processor.language)


def error_rate(reference: str, hypothesis: str, language: str) -> float:
    rate = score(reference, hypothesis, language).rate
    assert rate is not None
    return rate


_cache: dict[tuple[str, str | None, int | None], Streamed] = {}


@pytest.fixture(scope="module")
def streamed(engine: Engine, speech_corpus: Path) -> Callable[..., tuple[Streamed, str]]:
    """``streamed(name, language, feed_ms=None)``: the file streamed once per module."""

    def get(name: str, language: str | None, feed_ms: int | None = None) -> tuple[Streamed, str]:
        audio, reference = load(speech_corpus, name)
        key = (name, language, feed_ms)
        if key not in _cache:
            clip = audio if feed_ms is None else audio[: feed_ms * SAMPLE_RATE_HZ // 1000]
            _cache[key] = stream_sync(engine, clip, StreamConfig(language=language))
        return _cache[key], reference

    return get


def check_stream_invariants(result: Streamed) -> None:
    """Commits are final: in time order, never overlapping; the utterance ends are marked (by
    the last commit, or by an ``UtteranceEnd`` after it where the utterance's last decode, e.g.
    of the rest after a final decode that stopped early, added no words)."""
    words = [w for c in result.commits for w in c.words]
    for a, b in itertools.pairwise(words):
        assert b.start_ms >= a.end_ms - 1, (a, b)
    assert not any(isinstance(e, Gap) for e in result.events)
    ends = [e for e in result.events if isinstance(e, Commit | UtteranceEnd)]
    assert result.commits and ends
    assert isinstance(ends[-1], UtteranceEnd) or ends[-1].end_of_utterance


# -- accuracy ------------------------------------------------------------------------------------


def test_english_stream(streamed: Callable[..., tuple[Streamed, str]]) -> None:
    result, reference = streamed(JFK, "en")
    check_stream_invariants(result)
    assert error_rate(reference, result.text, "en") <= MAX_WER_EN, result.text


def test_mandarin_stream_is_simplified(streamed: Callable[..., tuple[Streamed, str]]) -> None:
    result, reference = streamed(AISHELL, "zh")
    check_stream_invariants(result)
    assert result.text
    assert to_simplified(result.text) == result.text
    assert error_rate(reference, result.text, "zh") <= MAX_CER_ZH, result.text


@pytest.mark.parametrize("name", [JFK, pytest.param(HARVARD, marks=pytest.mark.slow)])
def test_streaming_is_within_tolerance_of_offline(
    engine: Engine,
    speech_corpus: Path,
    streamed: Callable[..., tuple[Streamed, str]],
    name: str,
) -> None:
    result, reference = streamed(name, "en")
    _, segments = transcribe_file(engine, speech_corpus / name, language="en")
    offline = error_rate(reference, " ".join(s.text for s in segments), "en")
    online = error_rate(reference, result.text, "en")
    assert online <= offline + MAX_STREAMING_PENALTY, (online, offline, result.text)


@pytest.mark.parametrize(("name", "expected"), [(HARVARD, "en"), (AISHELL, "zh")])
def test_language_is_detected(
    streamed: Callable[..., tuple[Streamed, str]], name: str, expected: str
) -> None:
    result, _ = streamed(name, None, DETECT_FEED_MS)
    assert result.language == expected
    assert result.commits and all(c.language == expected for c in result.commits)
    assert any(c.text for c in result.commits)


# -- no speech, no text --------------------------------------------------------------------------

NO_SPEECH_MS = 20_000


@pytest.mark.parametrize(
    "kind", ["silence", "noise-0.05", "noise-0.2"], ids=lambda k: k.replace(".", "")
)
def test_no_text_without_speech(engine: Engine, kind: str) -> None:
    n = NO_SPEECH_MS * SAMPLE_RATE_HZ // 1000
    if kind == "silence":
        audio = np.zeros(n, dtype=np.float32)
    else:
        amplitude = float(kind.split("-")[1])
        rng = np.random.default_rng(20_240_601)
        audio = (amplitude * rng.standard_normal(n)).clip(-1, 1).astype(np.float32)
    for language in ("en", None):
        result = stream_sync(engine, audio, StreamConfig(language=language))
        texts = [e.text for e in result.events if isinstance(e, Commit | Partial) and e.text]
        assert texts == [], (kind, language, texts)


# -- synthetic speech (no corpus needed) -------------------------------------------------------

COURT_SENTENCE = "The court is now in session. Please be seated."


def test_espeak_sentence(engine: Engine, espeak_wav: MakeSpeech) -> None:
    audio = decode_file(espeak_wav(COURT_SENTENCE))
    result = stream_sync(engine, audio, StreamConfig(language="en"))
    check_stream_invariants(result)
    text = result.text.lower()
    assert "court" in text and "session" in text, text


def test_hotwords_set_mid_stream_reach_the_prompt(engine: Engine, espeak_wav: MakeSpeech) -> None:
    audio = decode_file(espeak_wav(COURT_SENTENCE))
    switch_chunk = len(audio) // CHUNK // 2
    prompts: list[tuple[int, str]] = []  # (chunk index when the job was built, prompt)
    chunk_index = 0

    def on_chunk(stream: SyncStream, i: int) -> None:
        nonlocal chunk_index
        chunk_index = i
        if i == 0:
            original = stream.processor.next_job

            def recording_next_job() -> DecodeJob | None:
                job = original()
                if job is not None:
                    prompts.append((chunk_index, job.request.prompt))
                return job

            stream.processor.next_job = recording_next_job  # type: ignore[method-assign]
        if i == switch_chunk:
            stream.processor.set_hotwords(("Tingshen",))

    result = stream_sync(engine, audio, StreamConfig(language="en"), on_chunk=on_chunk)
    check_stream_invariants(result)
    before = [p for i, p in prompts if i < switch_chunk]
    after = [p for i, p in prompts if i >= switch_chunk]
    assert before, "no decode before the hotwords were set"
    assert after, "no decode after the hotwords were set"
    assert all("Tingshen" in p for p in after)
    assert not any("Tingshen" in p for p in before)


# -- the server's path: scheduler + sessions ---------------------------------------------------

# Whole-test bound for the async run (both files decode in about 10 s here): a hang fails.
ASYNC_TIMEOUT_S = 180


async def test_two_sessions_share_the_scheduler_fairly(engine: Engine, speech_corpus: Path) -> None:
    sources = {"en": load(speech_corpus, JFK), "zh": load(speech_corpus, AISHELL)}
    counter = itertools.count()
    received: dict[str, list[tuple[int, Event]]] = {name: [] for name in sources}

    async def consume(name: str, session: StreamingSession) -> None:
        async for event in session.events():
            received[name].append((next(counter), event))

    async def run() -> None:
        async with InferenceScheduler(engine) as scheduler:
            sessions = {
                name: StreamingSession(scheduler, StreamConfig(language=name), stream_id=name)
                for name in sources
            }
            consumers = [
                asyncio.create_task(consume(name, s), name=f"consume-{name}")
                for name, s in sessions.items()
            ]
            chunk_lists = {
                name: [audio[i : i + CHUNK] for i in range(0, len(audio), CHUNK)]
                for name, (audio, _) in sources.items()
            }
            for k in range(max(len(c) for c in chunk_lists.values())):
                for name, session in sessions.items():
                    if k < len(chunk_lists[name]):
                        session.feed(chunk_lists[name][k])
                    await asyncio.sleep(0)  # a yield to the loop, not a timed wait
                # Lock-step with the model (a machine that keeps up with real time): without it
                # the whole file is in before the first decode and each stream decodes once.
                for name in sessions:
                    if k < len(chunk_lists[name]):
                        await scheduler.wait_idle(name)
            await asyncio.gather(*(s.finish() for s in sessions.values()))
            # After finish() the event iterators end by themselves.
            await asyncio.gather(*consumers)
            assert scheduler.stats.decodes > 0

    await asyncio.wait_for(run(), ASYNC_TIMEOUT_S)

    commit_order: dict[str, list[int]] = {}
    for name, (_, reference) in sources.items():
        commits = [e for _, e in received[name] if isinstance(e, Commit)]
        sep = "" if name == "zh" else " "
        text = sep.join(c.text for c in commits if c.text)
        bound = MAX_CER_ZH if name == "zh" else MAX_WER_EN
        assert error_rate(reference, text, name) <= bound, (name, text)
        commit_order[name] = [n for n, e in received[name] if isinstance(e, Commit) and e.text]
        assert commit_order[name], name
    # Fairness: neither stream got all its commits before the other's started.
    en, zh = commit_order["en"], commit_order["zh"]
    assert en[0] < zh[-1] and zh[0] < en[-1], (en, zh)
