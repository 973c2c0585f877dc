"""A model-free ``StreamFactory`` for the live-hearing tests: scripted events, recorded samples."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from asr.stream import StreamConfig
from asr.types import Event


class FakeStream:
    """Records fed samples; yields whatever the test ``emit``s; ``finish`` ends ``events()``."""

    def __init__(self, stream_id: str, config: StreamConfig) -> None:
        self.stream_id = stream_id
        self.config = config
        self.samples = 0
        self.finished = False
        self._events: asyncio.Queue[Event | None] = asyncio.Queue()
        self._fed = asyncio.Event()

    def feed(self, samples: npt.NDArray[np.float32]) -> None:
        assert not self.finished
        self.samples += samples.size
        self._fed.set()

    def set_hotwords(self, hotwords: tuple[str, ...]) -> None:
        self.config = replace(self.config, hotwords=tuple(hotwords))

    def emit(self, *events: Event) -> None:
        for event in events:
            self._events.put_nowait(event)

    async def events(self) -> AsyncIterator[Event]:
        while (event := await self._events.get()) is not None:
            yield event

    async def finish(self) -> None:
        self.finished = True
        self._events.put_nowait(None)

    async def wait_samples(self, count: int, timeout_s: float) -> None:
        async with asyncio.timeout(timeout_s):
            while self.samples < count:
                self._fed.clear()
                await self._fed.wait()


class FakeStreams:
    def __init__(self) -> None:
        self.streams: dict[str, FakeStream] = {}
        self.closed = False
        self._opened = asyncio.Event()

    async def ready(self) -> None:
        pass

    def open(self, stream_id: str, config: StreamConfig) -> FakeStream:
        stream = FakeStream(stream_id, config)
        self.streams[stream_id] = stream
        self._opened.set()
        return stream

    async def aclose(self) -> None:
        self.closed = True

    async def wait_stream(self, stream_id: str, timeout_s: float) -> FakeStream:
        async with asyncio.timeout(timeout_s):
            while stream_id not in self.streams:
                self._opened.clear()
                await self._opened.wait()
        return self.streams[stream_id]
