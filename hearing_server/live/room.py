"""``LiveHearing``: one open hearing's media and live transcript (``LiveRegistry``: all of them).

    live = LiveHearing(spec, ice=IceSettings(...), streams=factory, clock=clock, store=store)
    answer = await live.answer(speaker, offer_sdp)   # BadOfferError on a malformed offer
    live.set_muted(speaker, True)                    # no audio, no transcript
    await live.leave(speaker)                        # the person left (peer closed)
    await live.remove(speaker)                       # the judge removed them (peer and sockets)
    await live.close()                               # closes peers, finishes streams, ends the hub

Each speaker's first audio track is tapped into *its own* ASR stream, opened on first audio and
kept for the rest of the hearing: a re-offer (page reload, network drop) replaces the peer and its
tap, but the new tap feeds the same stream, so the transcript continues where it was. A pump task
per stream labels its events with the speaker and hands them to the :class:`TranscriptHub`.

One path for a committed utterance: each commit goes to the transcript document (``on_commit``:
persisted there, one at a time), and the document's change comes back to the hub as ``segment``
rows (:meth:`LiveHearing.document_changed`, from every process's edits too), so the room's live
panel shows the document's text plus the hub's partials. A new live session of the same hearing
(a restart, another process taking it over) starts from the document: its segments and the live
start their times count from (``document``). Presence (:mod:`hearing_server.live.presence`) is
published through the hub as well.

Stream times are ms from the moment the stream opened; the hub gets them shifted by that moment's
distance from the hearing's live start. While a speaker is muted the tap feeds silence of the same
length (which the VAD discards), so stream time keeps pace with the clock across a mute.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt
from aiortc.mediastreams import MediaStreamTrack

from asr.stream import StreamConfig
from asr.types import Commit, Gap, Partial, Revision, UtteranceEnd
from hearing_server.errors import WS_CLOSE_REMOVED, WS_CLOSE_SEAT_TAKEN, WS_CLOSE_SERVER_SHUTDOWN
from hearing_server.live.floor import Floor
from hearing_server.live.hub import (
    Message,
    Speaker,
    Subscription,
    TranscriptHub,
    word_rows,
)
from hearing_server.live.presence import PresenceBook
from hearing_server.live.recorder import HearingRecorder, RecordedGap
from hearing_server.live.screen import ScreenBook
from hearing_server.live.seats import SEAT_TAKEN_MESSAGE, SeatBook
from hearing_server.live.streams import LiveStream, StreamFactory
from hearing_server.rtc.ice import IceSettings
from hearing_server.rtc.peer import Answer, PeerManager
from hearing_server.rtc.tap import AudioTap
from hearing_server.security import Clock

__all__ = ["CommitSink", "GapSink", "LiveHearing", "LiveSpec", "RevisionSink", "UtteranceEndSink"]

_logger = logging.getLogger(__name__)


CommitSink = Callable[[int, Speaker, Message], Awaitable[None]]
"""Called with each committed segment (the transcript document, which publishes it back)."""

DocumentView = Callable[[int], Awaitable[tuple[datetime | None, list[Message]]]]
"""The hearing's transcript document as the hub shows it: the live start its segment times count
from (None: nothing recognised yet) and its rows (:mod:`hearing_server.transcript.bridge`)."""

UtteranceEndSink = Callable[[int, Speaker], Awaitable[None]]
"""Called when a speaker's utterance ends without new words (its last commit is complete)."""

RevisionSink = Callable[[int, Speaker, Revision, int], Awaitable[None]]
"""Called with the recogniser's correction of words it committed earlier in the utterance, and
the stream's offset from the live start (the transcript document applies it)."""

GapSink = Callable[[int, Speaker, RecordedGap, datetime], Awaitable[None]]
"""Called with each gap the recorder logged, and the hearing's live start (the transcript
document shows gaps among the segments: docs/protocol.md)."""


@dataclass(frozen=True)
class LiveSpec:
    """What the live session needs to know about the hearing (read once from the database)."""

    hearing_id: int
    hotwords: tuple[str, ...] = ()
    language: str | None = "zh"
    removed: tuple[Speaker, ...] = ()
    """Participants the judge has removed (they appear as such in the presence list)."""


@dataclass(eq=False)
class _Stream:
    speaker: Speaker
    stream: LiveStream
    opened_at: datetime
    offset_ms: int = 0
    """Stream time 0 on the hub's clock (ms after the live start); set once the document is
    read (:meth:`LiveHearing.attach`)."""
    pump: asyncio.Task[None] | None = field(default=None)


class LiveHearing:
    def __init__(
        self,
        spec: LiveSpec,
        *,
        ice: IceSettings,
        streams: StreamFactory,
        clock: Clock,
        document: DocumentView | None = None,
        on_commit: CommitSink | None = None,
        recorder: HearingRecorder | None = None,
        on_gap: GapSink | None = None,
        on_utterance_end: UtteranceEndSink | None = None,
        on_revision: RevisionSink | None = None,
    ) -> None:
        self.spec = spec
        self._on_commit = on_commit
        self._on_utterance_end = on_utterance_end
        self._on_revision = on_revision
        self.recorder = recorder
        self._on_gap = on_gap
        self._gap_writes: set[asyncio.Task[None]] = set()
        if recorder is not None and on_gap is not None:
            recorder.on_gap = self._recorded_gap
        self._hotwords = spec.hotwords
        self.started_at = clock()
        """Provisional until the document is read (:meth:`attach`): a session that continues
        the hearing keeps its live start, so segment times stay on one clock."""
        self.hub = TranscriptHub(started_at=self.started_at)
        self.hub.recording = recorder is not None  # the room's 录音中 follows the server's state
        self._document = document
        self._attached = asyncio.Event()
        self._attaching: asyncio.Task[None] | None = None
        self.presence = PresenceBook(self.hub.presence)
        self.seats = SeatBook()
        self.floor = Floor(self.hub.floor)
        """Raised hands and who has the floor (:mod:`hearing_server.live.floor`)."""
        """One page per person holds their seat (:mod:`hearing_server.live.seats`)."""
        for speaker in spec.removed:
            self.presence.removed(speaker)
        self._commit_lock = asyncio.Lock()
        self.peers = PeerManager(ice, self._tap, on_lost=self._media_lost)
        self.screen = ScreenBook()
        """Who shares their screen (:mod:`hearing_server.live.screen`)."""
        self._streams_factory = streams
        self._clock = clock
        self._speakers: dict[str, Speaker] = {}
        self._streams: dict[str, _Stream] = {}
        self._closed = False
        self._dropping: set[asyncio.Task[None]] = set()
        """Peers being closed because their session ended (kept referenced until done)."""

    @property
    def closed(self) -> bool:
        return self._closed

    def attach(self) -> None:
        """Read the transcript document into the hub (once; on the event loop). Recognised
        text waits for it, so that its times count from the hearing's live start."""
        if self._attaching is None:
            self._attaching = asyncio.get_running_loop().create_task(
                self._load_document(), name=f"live-document:{self.spec.hearing_id}"
            )

    async def _load_document(self) -> None:
        try:
            if self._document is not None:
                start, rows = await self._document(self.spec.hearing_id)
                if start is not None:
                    self.started_at = self.hub.started_at = start
                self.hub.document(rows)
        except Exception:
            _logger.exception("hearing %d: transcript document not read", self.spec.hearing_id)
        finally:
            self._attached.set()

    async def ready(self) -> None:
        """Until the document is in the hub (a new socket's snapshot shows it)."""
        self.attach()
        await self._attached.wait()

    def document_changed(self, rows: list[Message]) -> None:
        """The transcript document changed (here or on another process): to the live panel."""
        if self._attached.is_set():  # also while closing: the last commits reach the room
            self.hub.document(rows)

    def stream(self, key: str) -> LiveStream | None:
        entry = self._streams.get(key)
        return entry.stream if entry is not None else None

    async def answer(
        self, speaker: Speaker, offer_sdp: str, *, screen_mid: str | None = None
    ) -> Answer:
        self.attach()
        await self._streams_factory.ready()
        self._speakers[speaker.key] = speaker
        answer = await self.peers.answer(speaker.key, offer_sdp, screen_mid=screen_mid)
        self.presence.joined(speaker)
        if self.recorder is not None:
            self.recorder.resume(speaker.key)  # ends a "left"/"disconnect" gap, if any
        return answer

    def set_muted(self, speaker: Speaker, muted: bool) -> None:
        self._speakers.setdefault(speaker.key, speaker)  # names the gap, even without media
        self.peers.set_muted(speaker.key, muted)
        self.presence.muted(speaker, muted)
        if self.recorder is not None:
            if muted:
                self.recorder.pause(speaker.key, "mute")
            else:
                self.recorder.resume(speaker.key)

    def is_muted(self, key: str) -> bool:
        return self.peers.is_muted(key)

    def open_stream(self, speaker: Speaker) -> LiveStream:
        """The speaker's ASR stream, opened (and its pump started) on first use."""
        entry = self._streams.get(speaker.key)
        if entry is not None:
            return entry.stream
        language = speaker.language or self.spec.language  # per speaker (an interpreter's, say)
        config = StreamConfig(language=language, hotwords=self.hotwords)
        entry = _Stream(
            speaker=speaker,
            stream=self._streams_factory.open(speaker.key, config),
            opened_at=self._clock(),
        )
        self._streams[speaker.key] = entry
        entry.pump = asyncio.get_running_loop().create_task(
            self._pump(entry), name=f"transcript-pump:{speaker.key}"
        )
        _logger.info("[%s] ASR stream opened for hearing %d", speaker.key, self.spec.hearing_id)
        return entry.stream

    @property
    def hotwords(self) -> tuple[str, ...]:
        return self._hotwords

    def add_hotwords(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """Add terms (a corrected name, say) for every stream, now and for the rest of the
        hearing; returns the hearing's whole list."""
        self._hotwords = tuple(dict.fromkeys((*self._hotwords, *(w for w in words if w))))
        for entry in self._streams.values():
            entry.stream.set_hotwords(self._hotwords)
        return self._hotwords

    async def leave(self, speaker: Speaker) -> None:
        """The speaker left: close the peer; the stream stays (a rejoin continues it)."""
        await self.peers.close(speaker.key)
        self.presence.left(speaker)
        if self.recorder is not None:
            self.recorder.pause(speaker.key, "left")

    async def remove(self, speaker: Speaker, reason: str) -> None:
        """The judge removed the speaker: close the peer and end their transcript sockets."""
        await self.peers.close(speaker.key)
        self.presence.removed(speaker)
        if self.recorder is not None:
            self.recorder.pause(speaker.key, "removed")
        self.hub.end_for(speaker.key, WS_CLOSE_REMOVED, reason)

    def end(self, subscription: Subscription, code: int, reason: str) -> None:
        """End one transcript socket (revoked, or over a per-socket limit) with ``code``."""
        self.hub.end(subscription, code, reason)

    def drop_media(self, speaker: Speaker) -> None:
        """The speaker's session ended (logout, expiry, links withdrawn): close their peer now;
        the stream stays, as when they leave (a new session rejoins it)."""
        if self._closed:
            return
        task = asyncio.get_running_loop().create_task(self.leave(speaker))
        self._dropping.add(task)
        task.add_done_callback(self._dropping.discard)

    def readmit(self, speaker: Speaker) -> None:
        self.presence.readmitted(speaker)

    def seat(self, speaker: Speaker, tab: str | None) -> None:
        """Page ``tab`` of ``speaker`` takes their seat (SeatTakenError: it was displaced); the
        transcript sockets of the page it displaces end (4412: that page stops)."""
        for subscription in self.seats.claim(speaker.key, tab):
            self.hub.end(subscription, WS_CLOSE_SEAT_TAKEN, f"seat_taken: {SEAT_TAKEN_MESSAGE}")

    def subscribe(
        self, speaker: Speaker, since: int | None, live_id: str | None, tab: str | None = None
    ) -> tuple[list[Message], Subscription]:
        """A transcript socket of ``speaker`` (page ``tab``) opens; pair with ``unsubscribe``."""
        if not self._closed:  # first, so that one's own snapshot shows one online
            self.presence.online(speaker, +1)
        initial, subscription = self.hub.subscribe(since, live_id=live_id, key=speaker.key)
        self.seats.subscribed(speaker.key, tab, subscription)
        return initial, subscription

    def unsubscribe(self, speaker: Speaker, subscription: Subscription) -> None:
        self.seats.unsubscribed(speaker.key, subscription)
        self.hub.unsubscribe(subscription)
        if not self._closed:
            self.presence.online(speaker, -1)

    async def close(self, *, shutdown: bool = False) -> None:
        """Close peers, finish the streams (their last commits reach the hub), end subscribers."""
        if self._closed:
            return
        self._closed = True
        if self._attaching is not None:  # its database read ends before the engine is disposed
            await asyncio.gather(self._attaching, return_exceptions=True)
        await self.peers.close_all()
        entries = list(self._streams.values())
        await asyncio.gather(*(e.stream.finish() for e in entries), return_exceptions=True)
        pumps = [e.pump for e in entries if e.pump is not None]
        await asyncio.gather(*pumps, return_exceptions=True)
        if self.recorder is not None:
            await self.recorder.close()  # every track flushed and closed, durable
        await asyncio.gather(*self._gap_writes, return_exceptions=True)  # gaps ended by closing
        if shutdown:
            self.hub.close(WS_CLOSE_SERVER_SHUTDOWN, "server shutting down; reconnect later")
        else:
            self.hub.hearing_closed()
            self.hub.close()
        _logger.info("hearing %d live session closed", self.spec.hearing_id)

    def _media_lost(self, key: str) -> None:
        """A network drop or closed tab: others see it, and re-offer when the person is back."""
        speaker = self._speakers.get(key)
        if speaker is not None:
            self.presence.media_lost(speaker)
            if self.recorder is not None:
                self.recorder.pause(key, "disconnect")

    def _recorded_gap(self, gap: RecordedGap) -> None:
        """The recorder logged a gap: into the transcript document, off the caller's path."""
        if self._on_gap is None:
            return
        speaker = self._speakers.get(gap.key) or Speaker(gap.key, None, "unknown", gap.key)
        task = asyncio.get_running_loop().create_task(
            self._write_gap(self._on_gap, speaker, gap), name=f"transcript-gap:{gap.key}"
        )
        self._gap_writes.add(task)
        task.add_done_callback(self._gap_writes.discard)

    async def _write_gap(self, sink: GapSink, speaker: Speaker, gap: RecordedGap) -> None:
        await self.ready()  # the gap's times count from the hearing's live start
        try:
            await sink(self.spec.hearing_id, speaker, gap, self.started_at)
        except Exception:
            _logger.exception(
                "[%s] %s gap of hearing %d NOT added to the transcript document",
                speaker.key,
                gap.reason,
                self.spec.hearing_id,
            )

    def _tap(self, key: str, track: MediaStreamTrack) -> AudioTap:
        speaker = self._speakers.get(key) or Speaker(key, None, "unknown", key)
        stream = self.open_stream(speaker)
        recorder = self.recorder
        if recorder is None:
            return AudioTap(track, stream.feed, participant_id=key)

        def sink(samples: npt.NDArray[np.float32]) -> None:
            stream.feed(samples)
            # Placed by when the sender captured it (its RTP clock), not when it arrived.
            recorder.feed(key, samples, captured_until=tap.captured_until)  # does not block

        tap = AudioTap(track, sink, participant_id=key)
        return tap

    async def _pump(self, entry: _Stream) -> None:
        self.attach()
        await self._attached.wait()
        elapsed = entry.opened_at - self.started_at
        entry.offset_ms = max(0, int(elapsed.total_seconds() * 1000))
        speaker, offset = entry.speaker, entry.offset_ms
        try:
            async for event in entry.stream.events():
                if isinstance(event, Commit):
                    await self._commit(speaker, event, offset)
                    _logger.debug("[%s] commit %r", speaker.key, event.text)
                elif isinstance(event, Partial):
                    self.hub.partial(speaker, event, offset_ms=offset)
                elif isinstance(event, UtteranceEnd):
                    await self._end_utterance(speaker)
                elif isinstance(event, Revision):
                    await self._revise(speaker, event, offset)
                elif isinstance(event, Gap):
                    self.hub.gap(speaker, event, offset_ms=offset)
                    _logger.warning(
                        "[%s] ASR gap (%s) of %d ms",
                        speaker.key,
                        event.reason,
                        event.end_ms - event.start_ms,
                    )
        except Exception:
            _logger.exception("[%s] transcript pump failed", speaker.key)

    async def _end_utterance(self, speaker: Speaker) -> None:
        """The speaker's utterance ended without new words: their open segment is complete."""
        self.hub.utterance_ended(speaker)
        if self._on_utterance_end is None:
            return
        async with self._commit_lock:
            try:
                await self._on_utterance_end(self.spec.hearing_id, speaker)
            except Exception:
                _logger.exception("[%s] utterance end not applied", speaker.key)

    async def _revise(self, speaker: Speaker, revision: Revision, offset_ms: int) -> None:
        """The recogniser corrected its own words: the transcript document takes the correction
        (and the room's live panel with it)."""
        if self._on_revision is None:
            return
        async with self._commit_lock:
            try:
                await self._on_revision(self.spec.hearing_id, speaker, revision, offset_ms)
            except Exception:
                _logger.exception("[%s] revision not applied", speaker.key)

    async def _commit(self, speaker: Speaker, commit: Commit, offset_ms: int) -> None:
        """To the transcript document (persisted there, then published back to the hub as its
        rows); one commit at a time keeps the document in the speaker's order. A commit with no
        text is no line of the record: it only ends the utterance (punctuation alone goes on, to
        end the speaker's open segment; the document opens no segment with it)."""
        if not commit.text.strip():
            if commit.end_of_utterance:
                await self._end_utterance(speaker)
            return
        start_ms, end_ms = commit.start_ms + offset_ms, commit.end_ms + offset_ms
        segment = {
            **speaker.label(),
            "start_ms": start_ms,
            "end_ms": end_ms,
            "start_at": self.hub.at(start_ms),
            "end_at": self.hub.at(end_ms),
            "text": commit.text,
            "words": word_rows(commit.words, offset_ms),
            "end_of_utterance": commit.end_of_utterance,
        }
        async with self._commit_lock:
            if self._on_commit is not None:
                try:
                    await self._on_commit(self.spec.hearing_id, speaker, segment)
                except Exception:
                    _logger.exception(  # never the words themselves above DEBUG
                        "[%s] commit at %d ms of hearing %d NOT added to the transcript document",
                        speaker.key,
                        start_ms,
                        self.spec.hearing_id,
                    )
            if commit.end_of_utterance:
                self.hub.utterance_ended(speaker)
