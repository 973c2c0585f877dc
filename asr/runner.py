"""Running decode jobs on the engine: batching, language detection, and a synchronous stream.

``run_jobs`` is what the scheduler's worker thread executes. ``SyncStream`` drives one
``StreamProcessor`` inline (no event loop): the offline ``make run`` demo and the evaluation's
computation-aware simulation use it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from asr.engine import DecodeOptions, Engine, FloatArray, WindowResult
from asr.guards import looks_looped
from asr.stream import DecodeJob, StreamConfig, StreamProcessor
from asr.types import SAMPLE_RATE_HZ, Event

# A window whose decode loops is decoded again with this penalty on repeated tokens; measured on
# asr-dev it turns Whisper base's loops on the child's poem into (imperfect) text.
LOOP_REPETITION_PENALTY = 1.2


def run_jobs(engine: Engine, jobs: Sequence[DecodeJob]) -> list[tuple[DecodeJob, WindowResult]]:
    """Decode jobs that share decoding options in one batch; detect languages first if asked.

    Returns each job (with its language filled in) and its result, in the given order.
    """
    resolved: list[DecodeJob] = []
    for job in jobs:
        if job.detect_language:
            language, probability = engine.detect_language(job.request.audio, _candidates(job))
            job = replace(
                job,
                request=replace(job.request, language=language),
                language_probability=probability,
            )
        resolved.append(job)
    results = engine.decode_windows([j.request for j in resolved], batch_options(resolved))
    for i, (job, result) in enumerate(zip(resolved, results, strict=True)):
        if job.retry_loops and looks_looped(
            list(result.words),
            compression_ratio=result.compression_ratio,
            hit_token_limit=result.hit_token_limit,
        ):
            retry = replace(job.options, repetition_penalty=LOOP_REPETITION_PENALTY)
            results[i] = engine.decode_windows([job.request], retry)[0]
    return list(zip(resolved, results, strict=True))


def batch_options(jobs: Sequence[DecodeJob]) -> DecodeOptions:
    """The first job's options, with a tail of silence that gives every window at least its own.

    A batch is padded to its longest window plus the tail, so the tail is what the window with the
    most audio plus silence asks beyond the longest window.
    """
    longest = max(len(j.request.audio) for j in jobs)
    tail_s = max(
        (len(j.request.audio) - longest) / SAMPLE_RATE_HZ + j.options.tail_padding_s for j in jobs
    )
    return replace(jobs[0].options, tail_padding_s=tail_s)


def _candidates(job: DecodeJob) -> tuple[str, ...]:
    return job.candidates if job.candidates else ("zh", "en")


class SyncStream:
    """One stream decoded inline: ``feed`` returns the events its audio produced."""

    def __init__(
        self, engine: Engine, config: StreamConfig, *, decode_seconds: float | None = None
    ) -> None:
        """``decode_seconds``: what each decode is taken to cost, as on a machine of that speed
        (the stream paces its partials by it); ``None`` measures the wall time of each decode."""
        self.engine = engine
        self.processor = StreamProcessor(config, engine.vad_model())
        self.decode_seconds = decode_seconds

    def feed(self, samples: FloatArray) -> list[Event]:
        events = self.processor.feed(samples)
        events.extend(self.pump())
        return events

    def pump(self, max_jobs: int | None = None) -> list[Event]:
        """Run jobs until the stream needs nothing (or ``max_jobs`` ran)."""
        events: list[Event] = []
        done = 0
        while max_jobs is None or done < max_jobs:
            job = self.processor.next_job()
            if job is None:
                break
            started = time.perf_counter()
            ((resolved, result),) = run_jobs(self.engine, [job])
            elapsed = time.perf_counter() - started
            cost = elapsed if self.decode_seconds is None else self.decode_seconds
            self.processor.note_decode_time(cost)
            if resolved.detect_language:
                self.processor.set_language(
                    resolved.request.language, resolved.language_probability
                )
            events.extend(self.processor.apply(resolved, result))
            done += 1
        return events

    def finish(self) -> list[Event]:
        self.processor.finish()
        return self.pump()
