"""Where live ASR streams come from: the :class:`StreamFactory` seam and its model-backed default.

    factory = ModelStreamFactory("base")     # nothing loaded yet
    await factory.ready()                    # loads the Whisper model once (in a thread), starts
                                             # the shared InferenceScheduler
    stream = factory.open("participant-7", StreamConfig(hotwords=("张伟",)))
    await factory.aclose()                   # app shutdown

One Engine and one :class:`asr.scheduler.InferenceScheduler` per app; every participant's stream
is an :class:`asr.session.StreamingSession` on it. Tests inject a fake factory (no model).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Protocol

from asr.engine import Engine, FloatArray
from asr.models import resolve_model
from asr.priority import load_niced
from asr.scheduler import InferenceScheduler
from asr.session import StreamingSession
from asr.stream import StreamConfig
from asr.types import Event

__all__ = ["LiveStream", "ModelStreamFactory", "StreamFactory"]

_logger = logging.getLogger(__name__)


class LiveStream(Protocol):
    """What a :class:`LiveHearing` needs of one recognition stream (``StreamingSession``)."""

    def feed(self, samples: FloatArray) -> None: ...

    def set_hotwords(self, hotwords: tuple[str, ...]) -> None:
        """Terms the recogniser should prefer from now on (the rest of the hearing)."""

    def events(self) -> AsyncIterator[Event]: ...

    async def finish(self) -> None: ...


class StreamFactory(Protocol):
    async def ready(self) -> None:
        """Make ``open`` cheap (load models); called before a participant's offer is answered."""

    def open(self, stream_id: str, config: StreamConfig) -> LiveStream: ...

    async def aclose(self) -> None: ...


class ModelStreamFactory:
    """Streams on one lazily loaded Whisper model shared through one inference scheduler.

    ``nice`` (> 0): the model's threads run at that lower CPU priority, so that when the CPU is
    short the event loop (media, recording) runs first and recognition lags (``asr.priority``).
    """

    def __init__(self, model: str, *, nice: int = 0) -> None:
        self._model = model
        self._nice = nice
        self._scheduler: InferenceScheduler | None = None
        self._lock = asyncio.Lock()

    async def ready(self) -> None:
        async with self._lock:
            if self._scheduler is not None:
                return
            spec = await asyncio.to_thread(resolve_model, self._model)
            engine = await asyncio.to_thread(load_niced, lambda: Engine(spec.path), nice=self._nice)
            await asyncio.to_thread(engine.vad_model)
            scheduler = InferenceScheduler(engine, nice=self._nice)
            scheduler.start()
            self._scheduler = scheduler
            _logger.info("live ASR ready (model %s)", spec.name)

    def open(self, stream_id: str, config: StreamConfig) -> LiveStream:
        if self._scheduler is None:
            raise RuntimeError("ModelStreamFactory.open() before ready()")
        return StreamingSession(self._scheduler, config, stream_id=stream_id)

    async def aclose(self) -> None:
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            await scheduler.stop()
