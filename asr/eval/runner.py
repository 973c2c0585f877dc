"""Recognising manifest items for evaluation: offline (whole file) or streaming (simulated live).

:func:`evaluate` returns one :class:`asr.eval.report.ItemResult` per item; the language of each
item is forced from the manifest (as the baseline in ``asr-dev/README.md`` was measured).

Offline
    :func:`asr.offline.transcribe_file`; ``processing_s`` is its wall time (decoding the file
    included); the hypothesis is the segments' text joined (Mandarin without spaces, English with
    one space).

Streaming: a computation-aware simulation, without sleeping
    A virtual clock starts at 0 ms. The item's audio is fed to :class:`asr.runner.SyncStream` in
    chunks of ``chunk_ms``. Before each ``feed`` the clock moves to the audio time at the end of
    the chunk if it is behind (a live chunk cannot arrive before it was spoken); the real wall time
    of the ``feed`` call is then added to the clock. After the last chunk, ``finish()`` is timed
    the same way. So a stream slower than real time falls behind, and its lag shows in the figures.

    * commit latency of a word = clock after the call that committed it minus the word's ``end_ms``;
    * first partial = clock after the call that produced the first non-empty ``Partial`` or
      ``Commit``, minus the ``start_ms`` of that event's first word;
    * end lag = clock after ``finish()`` minus the audio duration (how long after the speaker
      stopped the last text came), in seconds;
    * ``processing_s`` = the summed wall time of the ``feed``/``finish`` calls;
    * accounted audio: the item's voiced audio (the engine's VAD run over the whole item, with
      its settings) split into what ended in committed words, in gaps (by reason) and in
      neither (``asr.coverage.account``): nothing voiced may disappear without a gap.

    The hypothesis is every committed word joined (Mandarin without spaces, English with one space
    between words).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from asr.audio import decode_file
from asr.coverage import account
from asr.engine import Engine, FloatArray
from asr.eval.manifest import ManifestItem
from asr.eval.metrics import score
from asr.eval.report import ItemResult, real_time_factor
from asr.offline import check_language, transcribe_file
from asr.runner import SyncStream
from asr.stream import StreamConfig
from asr.text import join_text
from asr.types import SAMPLE_RATE_HZ, Commit, Event, Gap, Partial, Revision, Word
from asr.vad import voiced_intervals

__all__ = ["Mode", "Stream", "StreamingRun", "evaluate", "join_hypothesis", "simulate_stream"]

Mode = Literal["offline", "streaming"]
_MS_PER_S = 1000.0


@dataclass(frozen=True, slots=True)
class StreamingRun:
    """What the simulation of one stream measured (see the module docstring)."""

    words: tuple[Word, ...]
    latencies_ms: tuple[float, ...]
    first_partial_ms: float | None
    end_lag_s: float
    processing_s: float
    gaps: tuple[Gap, ...]


class Stream(Protocol):
    """What the simulation drives: :class:`asr.runner.SyncStream`, or a fake in tests."""

    def feed(self, samples: FloatArray) -> list[Event]: ...

    def finish(self) -> list[Event]: ...


def join_hypothesis(parts: Iterable[str], language: str) -> str:
    """Texts joined as one hypothesis: Mandarin without spaces, other languages with one space."""
    stripped = [p.strip() for p in parts if p.strip()]
    return ("" if language == "zh" else " ").join(stripped)


def _words_text(words: Sequence[Word], language: str) -> str:
    if language == "zh":
        return join_text(list(words), language)
    return join_hypothesis((w.text for w in words), language)


def simulate_stream(
    stream: Stream,
    audio: FloatArray,
    *,
    chunk_ms: int,
    timer: Callable[[], float] = time.perf_counter,
) -> StreamingRun:
    """Feed ``audio`` to ``stream`` in ``chunk_ms`` chunks against a virtual clock.

    ``timer`` (seconds, monotonic) measures the calls; tests pass a fake one.
    """
    if chunk_ms <= 0:
        raise ValueError(f"chunk_ms must be positive, got {chunk_ms}")
    chunk_len = max(1, chunk_ms * SAMPLE_RATE_HZ // 1000)
    clock_ms = 0.0
    processing_s = 0.0
    committed: list[tuple[Word, float]] = []  # committed words with their commit latency
    first_partial_ms: float | None = None
    gaps: list[Gap] = []

    def timed(call: Callable[[], list[Event]]) -> list[Event]:
        nonlocal clock_ms, processing_s
        started = timer()
        events = call()
        elapsed_s = timer() - started
        processing_s += elapsed_s
        clock_ms += elapsed_s * _MS_PER_S
        return events

    def record(events: list[Event]) -> None:
        nonlocal first_partial_ms, committed
        for event in events:
            if isinstance(event, Gap):
                gaps.append(event)
                continue
            if isinstance(event, Commit | Partial) and event.words and first_partial_ms is None:
                first_partial_ms = clock_ms - event.words[0].start_ms
            if isinstance(event, Commit):
                committed.extend((w, clock_ms - w.end_ms) for w in event.words)
            elif isinstance(event, Revision):
                # Corrected words count from when the correction came.
                committed = _revise(
                    committed, event.replaced, [(w, clock_ms - w.end_ms) for w in event.words]
                )

    for offset in range(0, len(audio), chunk_len):
        chunk = audio[offset : offset + chunk_len]
        clock_ms = max(clock_ms, (offset + len(chunk)) * _MS_PER_S / SAMPLE_RATE_HZ)
        record(timed(functools.partial(stream.feed, chunk)))
    duration_ms = len(audio) * _MS_PER_S / SAMPLE_RATE_HZ
    clock_ms = max(clock_ms, duration_ms)
    record(timed(stream.finish))
    return StreamingRun(
        words=tuple(w for w, _ in committed),
        latencies_ms=tuple(lat for _, lat in committed),
        first_partial_ms=first_partial_ms,
        end_lag_s=(clock_ms - duration_ms) / _MS_PER_S,
        processing_s=processing_s,
        gaps=tuple(gaps),
    )


def _revise(
    timed: list[tuple[Word, float]],
    replaced: Sequence[Word],
    new: list[tuple[Word, float]],
) -> list[tuple[Word, float]]:
    """``timed`` with its last run of ``replaced`` words replaced by ``new``."""
    n = len(replaced)
    for i in range(len(timed) - n, -1, -1):
        if n and [w for w, _ in timed[i : i + n]] == list(replaced):
            return [*timed[:i], *new, *timed[i + n :]]
    return timed


def _offline_item(engine: Engine, item: ManifestItem, *, beam_size: int) -> ItemResult:
    started = time.perf_counter()
    _, segments = transcribe_file(engine, item.audio, language=item.language, beam_size=beam_size)
    processing_s = time.perf_counter() - started
    hypothesis = join_hypothesis((s.text for s in segments), item.language)
    return _result(item, hypothesis, processing_s)


def _streaming_item(
    engine: Engine, item: ManifestItem, *, chunk_ms: int, config: StreamConfig
) -> ItemResult:
    audio = decode_file(item.audio)
    stream = SyncStream(engine, replace(config, language=item.language))
    run = simulate_stream(stream, audio, chunk_ms=chunk_ms)
    hypothesis = _words_text(run.words, item.language)
    voiced = voiced_intervals(audio, engine.vad_model(), config.vad)
    return replace(
        _result(item, hypothesis, run.processing_s),
        latencies_ms=run.latencies_ms,
        first_partial_ms=run.first_partial_ms,
        end_lag_s=run.end_lag_s,
        accounting=account(voiced, run.words, run.gaps),
    )


def _result(item: ManifestItem, hypothesis: str, processing_s: float) -> ItemResult:
    return ItemResult(
        audio=item.audio.name,
        language=item.language,
        kind=item.kind,
        seconds=item.seconds,
        reference=item.text,
        hypothesis=hypothesis,
        errors=score(item.text, hypothesis, item.language),
        processing_s=processing_s,
        rtf=real_time_factor(processing_s, item.seconds),
    )


def evaluate(
    engine: Engine,
    items: Sequence[ManifestItem],
    *,
    mode: Mode,
    chunk_ms: int = 100,
    beam_size: int = 5,
    config: StreamConfig | None = None,
    on_item: Callable[[ItemResult], None] | None = None,
) -> list[ItemResult]:
    """Recognise every item in ``mode`` and score it against its reference.

    ``config`` is the streaming configuration to start from (default ``StreamConfig()``); its
    ``language`` is replaced by each item's and its ``beam_size`` by ``beam_size``. ``on_item`` is
    called after each item (for progress output).

    Raises:
        ValueError: an unknown ``mode`` or a ``chunk_ms`` that is not positive.
        ModelError: a Mandarin item for an English-only model (checked before any decoding).
        AudioDecodeError: an item's audio cannot be decoded.
    """
    if mode not in ("offline", "streaming"):
        raise ValueError(f"mode must be 'offline' or 'streaming', got {mode!r}")
    if chunk_ms <= 0:
        raise ValueError(f"chunk_ms must be positive, got {chunk_ms}")
    for language in sorted({item.language for item in items}):
        check_language(engine, language)
    stream_config = replace(config or StreamConfig(), beam_size=beam_size)
    results: list[ItemResult] = []
    for item in items:
        if mode == "offline":
            result = _offline_item(engine, item, beam_size=beam_size)
        else:
            result = _streaming_item(engine, item, chunk_ms=chunk_ms, config=stream_config)
        results.append(result)
        if on_item is not None:
            on_item(result)
    return results
