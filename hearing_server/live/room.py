"""``LiveHearing``: one open hearing's media and live transcript; ``LiveRegistry``: all of them.

    live = LiveHearing(spec, ice=IceSettings(...), streams=factory, clock=clock)
    answer = await live.answer(speaker, offer_sdp)   # BadOfferError on a malformed offer
    live.set_muted("participant-7", True)            # no audio, no transcript
    await live.close()                               # closes peers, finishes streams, ends the hub

Each speaker's first audio track is tapped into *its own* ASR stream, opened on first audio and
kept for the rest of the hearing: a re-offer (page reload, network drop) replaces the peer and its
tap, but the new tap feeds the same stream, so the transcript continues where it was. A pump task
per stream labels its events with the speaker and hands them to the :class:`TranscriptHub`.

Stream times are ms from the moment the stream opened; the hub gets them shifted by that moment's
distance from the hearing's live start. Audio the tap drops while muted does not advance stream
time, so times after an unmute are early by the muted duration (a known approximation).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiortc.mediastreams import MediaStreamTrack

from asr.stream import StreamConfig
from asr.types import Commit, Gap, Partial
from hearing_server.live.hub import CLOSE_SERVER_SHUTDOWN, Speaker, TranscriptHub
from hearing_server.live.streams import LiveStream, StreamFactory
from hearing_server.rtc.ice import IceSettings
from hearing_server.rtc.peer import Answer, PeerManager
from hearing_server.rtc.tap import AudioTap
from hearing_server.security import Clock

__all__ = ["LiveHearing", "LiveRegistry", "LiveSpec"]

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveSpec:
    """What the live session needs to know about the hearing (read once from the database)."""

    hearing_id: int
    hotwords: tuple[str, ...] = ()
    language: str | None = "zh"


@dataclass(eq=False)
class _Stream:
    speaker: Speaker
    stream: LiveStream
    offset_ms: int
    pump: asyncio.Task[None] | None = field(default=None)


class LiveHearing:
    def __init__(
        self, spec: LiveSpec, *, ice: IceSettings, streams: StreamFactory, clock: Clock
    ) -> None:
        self.spec = spec
        self.started_at = clock()
        self.hub = TranscriptHub(started_at=self.started_at)
        self.peers = PeerManager(ice, self._tap)
        self._streams_factory = streams
        self._clock = clock
        self._speakers: dict[str, Speaker] = {}
        self._streams: dict[str, _Stream] = {}
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def stream(self, key: str) -> LiveStream | None:
        entry = self._streams.get(key)
        return entry.stream if entry is not None else None

    async def answer(self, speaker: Speaker, offer_sdp: str) -> Answer:
        await self._streams_factory.ready()
        self._speakers[speaker.key] = speaker
        return await self.peers.answer(speaker.key, offer_sdp)

    def set_muted(self, key: str, muted: bool) -> None:
        self.peers.set_muted(key, muted)

    def is_muted(self, key: str) -> bool:
        return self.peers.is_muted(key)

    def open_stream(self, speaker: Speaker) -> LiveStream:
        """The speaker's ASR stream, opened (and its pump started) on first use."""
        entry = self._streams.get(speaker.key)
        if entry is not None:
            return entry.stream
        config = StreamConfig(language=self.spec.language, hotwords=self.spec.hotwords)
        elapsed = self._clock() - self.started_at
        entry = _Stream(
            speaker=speaker,
            stream=self._streams_factory.open(speaker.key, config),
            offset_ms=max(0, int(elapsed.total_seconds() * 1000)),
        )
        self._streams[speaker.key] = entry
        entry.pump = asyncio.get_running_loop().create_task(
            self._pump(entry), name=f"transcript-pump:{speaker.key}"
        )
        _logger.info("[%s] ASR stream opened for hearing %d", speaker.key, self.spec.hearing_id)
        return entry.stream

    async def leave(self, key: str) -> None:
        """The speaker left for good: close the peer; the stream stays until the hearing closes."""
        await self.peers.close(key)

    async def close(self, *, shutdown: bool = False) -> None:
        """Close peers, finish the streams (their last commits reach the hub), end subscribers."""
        if self._closed:
            return
        self._closed = True
        await self.peers.close_all()
        entries = list(self._streams.values())
        await asyncio.gather(*(e.stream.finish() for e in entries), return_exceptions=True)
        pumps = [e.pump for e in entries if e.pump is not None]
        await asyncio.gather(*pumps, return_exceptions=True)
        if shutdown:
            self.hub.close(CLOSE_SERVER_SHUTDOWN, "server shutting down; reconnect later")
        else:
            self.hub.close()
        _logger.info("hearing %d live session closed", self.spec.hearing_id)

    def _tap(self, key: str, track: MediaStreamTrack) -> AudioTap:
        speaker = self._speakers.get(key) or Speaker(key, None, "unknown", key)
        stream = self.open_stream(speaker)
        return AudioTap(track, stream.feed, participant_id=key)

    async def _pump(self, entry: _Stream) -> None:
        speaker, offset = entry.speaker, entry.offset_ms
        try:
            async for event in entry.stream.events():
                if isinstance(event, Commit):
                    self.hub.commit(speaker, event, offset_ms=offset)
                    _logger.debug("[%s] commit %r", speaker.key, event.text)
                elif isinstance(event, Partial):
                    self.hub.partial(speaker, event, offset_ms=offset)
                elif isinstance(event, Gap):
                    self.hub.gap(speaker, event, offset_ms=offset)
                    _logger.warning(
                        "[%s] ASR skipped %d ms", speaker.key, event.end_ms - event.start_ms
                    )
        except Exception:
            _logger.exception("[%s] transcript pump failed", speaker.key)


class LiveRegistry:
    """The live sessions of the open hearings of one app (kept on ``app.state``)."""

    def __init__(self, *, ice: IceSettings, streams: StreamFactory, clock: Clock) -> None:
        self.ice = ice
        self.streams = streams
        self._clock = clock
        self._hearings: dict[int, LiveHearing] = {}

    def get(self, hearing_id: int) -> LiveHearing | None:
        return self._hearings.get(hearing_id)

    def get_or_create(self, hearing_id: int, spec: Callable[[], LiveSpec]) -> LiveHearing:
        live = self._hearings.get(hearing_id)
        if live is None or live.closed:
            live = LiveHearing(spec(), ice=self.ice, streams=self.streams, clock=self._clock)
            self._hearings[hearing_id] = live
        return live

    async def close(self, hearing_id: int, *, shutdown: bool = False) -> None:
        """The hearing closed (or the server stops): end its live session."""
        live = self._hearings.pop(hearing_id, None)
        if live is not None:
            await live.close(shutdown=shutdown)

    async def close_all(self) -> None:
        """Server shutdown."""
        closing: list[Awaitable[None]] = [
            self.close(hid, shutdown=True) for hid in list(self._hearings)
        ]
        await asyncio.gather(*closing)
