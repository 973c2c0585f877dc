"""``StreamingSession``: the asynchronous face of one live recognition stream.

    async with InferenceScheduler(engine) as scheduler:
        session = StreamingSession(scheduler, StreamConfig(language="zh"), stream_id="plaintiff")
        session.feed(chunk)               # any size, 16 kHz mono float32; never blocks
        async for event in session.events():
            ...                           # Partial / Commit / Gap
        await session.finish()            # flushes: the last Commit arrives, then events() ends

Events are kept until read. Partials are superseded by the next one, so while a consumer is slow
only the newest partial waits; commits are never dropped.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator

from asr.engine import FloatArray
from asr.errors import StreamClosedError
from asr.scheduler import InferenceScheduler
from asr.stream import StreamConfig, StreamProcessor
from asr.types import Event, Partial


class StreamingSession:
    def __init__(
        self, scheduler: InferenceScheduler, config: StreamConfig, *, stream_id: str
    ) -> None:
        self.stream_id = stream_id
        self._scheduler = scheduler
        self._processor = StreamProcessor(config, scheduler.engine.vad_model())
        self._queue: deque[Event] = deque()
        self._ready = asyncio.Event()
        self._closed = False
        self._finished = False
        scheduler.register(stream_id, self._processor, self._publish)

    @property
    def language(self) -> str | None:
        return self._processor.language

    @property
    def lag_ms(self) -> int:
        """Speech received but not yet decoded (ms): the stream's distance behind real time."""
        return self._processor.lag_ms

    def set_hotwords(self, hotwords: tuple[str, ...] | list[str]) -> None:
        """Case vocabulary for the rest of the stream (party names, legal terms)."""
        self._processor.set_hotwords(tuple(hotwords))

    def feed(self, samples: FloatArray) -> None:
        if self._finished:
            raise StreamClosedError(f"stream {self.stream_id} has finished")
        gaps = self._processor.feed(samples)
        if gaps:
            self._publish(gaps)
        self._scheduler.notify()

    async def finish(self) -> None:
        """End of audio: decode what is left, deliver it, then end ``events()``."""
        if self._finished:
            return
        self._finished = True
        self._processor.finish()
        self._scheduler.notify()
        await self._scheduler.wait_idle(self.stream_id)
        self._closed = True
        self._ready.set()
        self._scheduler.unregister(self.stream_id)

    async def events(self) -> AsyncIterator[Event]:
        while True:
            while self._queue:
                yield self._queue.popleft()
            if self._closed:
                return
            self._ready.clear()
            await self._ready.wait()

    def drain(self) -> list[Event]:
        """Events waiting now, without blocking."""
        out = list(self._queue)
        self._queue.clear()
        return out

    def _publish(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, Partial) and self._queue and isinstance(self._queue[-1], Partial):
                self._queue[-1] = event
            else:
                self._queue.append(event)
        self._ready.set()
