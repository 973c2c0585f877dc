"""One shared model, many live streams: a fair, batching inference scheduler.

Streams never queue audio for the model. Each stream owns a ``StreamProcessor`` that knows what it
needs decoded *now* (``next_job``); the scheduler asks the streams in round-robin order, starting
after the stream it served last, takes at most one job per stream, and runs them on one worker
thread (CTranslate2 uses all cores inside a call; two calls at once would only compete). Jobs with
the same decoding options and similar window lengths go into one batched call, which on this
2-core machine costs about 20 % less than decoding them one by one at beam 5 (docs/benchmarks.md).

Why this is fair and bounded:
* a stream gets at most one job per round, whatever its speech rate;
* a job covers all audio the stream received until it was built, so a stream that waited longer
  simply decodes a larger step next time (graceful degradation: fewer, larger steps and greedy
  partials while ``lag_ms`` exceeds the stream's ``lag_degrade_ms``);
* audio intake (``StreamProcessor.feed``) runs on the event loop and costs only VAD; it never waits
  for the model. A stream more than ``max_pending_ms`` behind drops its oldest audio and reports a
  ``Gap`` event, so memory stays bounded even on an overloaded machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from asr.engine import Engine, WindowResult
from asr.priority import lower_thread_priority
from asr.runner import run_jobs
from asr.stream import DecodeJob, StreamProcessor
from asr.types import Event

logger = logging.getLogger(__name__)

EventSink = Callable[[list[Event]], None]


@dataclass(frozen=True, slots=True)
class SchedulerStats:
    decodes: int
    batches: int
    busy_s: float


class _Stream:
    def __init__(self, stream_id: str, processor: StreamProcessor, sink: EventSink) -> None:
        self.stream_id = stream_id
        self.processor = processor
        self.sink = sink
        self.in_flight = False
        self.idle = asyncio.Event()
        self.idle.set()


class InferenceScheduler:
    """Serve the decode jobs of many streams with one engine. Use as an async context manager."""

    def __init__(
        self,
        engine: Engine,
        *,
        max_batch: int = 4,
        batch_length_ratio: float = 1.5,
        nice: int = 0,
    ):
        self.engine = engine
        self.max_batch = max_batch
        self.batch_length_ratio = batch_length_ratio
        self._streams: dict[str, _Stream] = {}
        self._order: list[str] = []
        self._next_index = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # ``nice`` > 0: the inference thread yields the CPU to the event loop (asr.priority).
        self._executor = ThreadPoolExecutor(
            max_workers=1,
            thread_name_prefix="asr-inference",
            initializer=lower_thread_priority,
            initargs=(nice,),
        )
        self._decodes = 0
        self._batches = 0
        self._busy_s = 0.0

    async def __aenter__(self) -> InferenceScheduler:
        self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="asr-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._executor.shutdown(wait=True)

    @property
    def stats(self) -> SchedulerStats:
        return SchedulerStats(self._decodes, self._batches, self._busy_s)

    def register(self, stream_id: str, processor: StreamProcessor, sink: EventSink) -> None:
        if stream_id in self._streams:
            raise ValueError(f"stream {stream_id!r} is already registered")
        self._streams[stream_id] = _Stream(stream_id, processor, sink)
        self._order.append(stream_id)

    def unregister(self, stream_id: str) -> None:
        if self._streams.pop(stream_id, None) is not None:
            self._order.remove(stream_id)

    def notify(self) -> None:
        """Some stream got audio or finished: look for work."""
        self._wake.set()

    async def wait_idle(self, stream_id: str) -> None:
        """Until the stream has no job in flight and needs none."""
        stream = self._streams[stream_id]
        while True:
            await stream.idle.wait()
            if stream.processor.next_job() is None:
                return
            stream.idle.clear()
            self.notify()

    def lag_ms(self, stream_id: str) -> int:
        return self._streams[stream_id].processor.lag_ms

    # -- the loop ----------------------------------------------------------------------------

    def _collect(self) -> list[tuple[_Stream, DecodeJob]]:
        """Up to ``max_batch`` jobs, one per stream, in round-robin order."""
        if not self._order:
            return []
        n = len(self._order)
        picked: list[tuple[_Stream, DecodeJob]] = []
        last_served = None
        for k in range(n):
            index = (self._next_index + k) % n
            stream = self._streams[self._order[index]]
            if stream.in_flight:
                continue
            job = stream.processor.next_job()
            if job is None:
                stream.idle.set()
                continue
            if picked and not batchable(picked[0][1], job, self.batch_length_ratio):
                continue
            picked.append((stream, job))
            last_served = index
            if len(picked) >= self.max_batch:
                break
        if last_served is not None:
            self._next_index = (last_served + 1) % n
        return picked

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            while picked := self._collect():
                for stream, _ in picked:
                    stream.in_flight = True
                    stream.idle.clear()
                jobs = [job for _, job in picked]
                started = loop.time()
                try:
                    results = await loop.run_in_executor(
                        self._executor, run_jobs, self.engine, jobs
                    )
                except Exception:
                    # The windows stay with their streams; the next audio retries them.
                    logger.exception("decoding failed for %d stream(s)", len(jobs))
                    for stream, _ in picked:
                        stream.in_flight = False
                        stream.idle.set()
                    break
                elapsed = loop.time() - started
                self._busy_s += elapsed
                for stream, _ in picked:
                    stream.processor.note_decode_time(elapsed)
                self._batches += 1
                self._decodes += len(jobs)
                for (stream, _), (job, result) in zip(picked, results, strict=False):
                    self._deliver(stream, job, result)
                for stream, _ in picked:
                    stream.in_flight = False
                    stream.idle.set()

    def _deliver(self, stream: _Stream, job: DecodeJob, result: WindowResult) -> None:
        if stream.stream_id not in self._streams:
            return
        if job.detect_language:
            stream.processor.set_language(job.request.language, job.language_probability)
        events = stream.processor.apply(job, result)
        if events:
            stream.sink(events)


def batchable(first: DecodeJob, job: DecodeJob, length_ratio: float) -> bool:
    """Whether ``job`` may join a batch that ``first`` opened: same decoding, similar lengths.

    The windows may differ in their tail of silence: ``run_jobs`` gives the batch enough for each.
    """
    same = replace(job.options, tail_padding_s=first.options.tail_padding_s) == first.options
    if not same or job.detect_language or first.detect_language:
        return False
    a, b = len(first.request.audio), len(job.request.audio)
    return max(a, b) <= length_ratio * max(1, min(a, b))
