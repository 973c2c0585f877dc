"""``LiveRegistry``: the live sessions of one app's open hearings, and what closing one does.

    registry = LiveRegistry(ice=..., streams=..., clock=..., document=..., on_commit=...)
    live = registry.get_or_create(hearing_id, spec)   # one LiveHearing per open hearing
    await registry.close(hearing_id)                   # the hearing closed: end it, finalise audio

Closing a hearing ends its live session and finalises its recording (one file per participant
and a mix, with digests stored with the hearing through :attr:`LiveRegistry.archive`); a server
shutdown ends every session without finalising (the hearings are still open).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from hearing_server.live.ownership import HearingOwnership
from hearing_server.live.recorder import HearingRecorder
from hearing_server.live.room import (
    CommitSink,
    DocumentView,
    GapSink,
    LiveHearing,
    LiveSpec,
    RevisionSink,
    UtteranceEndSink,
)
from hearing_server.live.streams import StreamFactory
from hearing_server.rtc.ice import IceSettings
from hearing_server.security import Clock
from recordings import RecordingNotFoundError, RecordingStore, finalize_hearing

__all__ = ["LiveRegistry"]

_logger = logging.getLogger(__name__)


class LiveRegistry:
    """The live sessions of the open hearings of one app (``Services.live``)."""

    def __init__(
        self,
        *,
        ice: IceSettings,
        streams: StreamFactory,
        clock: Clock,
        document: DocumentView | None = None,
        on_commit: CommitSink | None = None,
        recordings: RecordingStore | None = None,
        on_gap: GapSink | None = None,
        on_utterance_end: UtteranceEndSink | None = None,
        on_revision: RevisionSink | None = None,
        ownership: HearingOwnership | None = None,
    ) -> None:
        self.ownership = ownership or HearingOwnership(None, "local")
        """Which process of a cluster runs each live hearing (alone: this one, all of them)."""
        self.ice = ice
        self.on_utterance_end = on_utterance_end
        self.on_revision = on_revision
        self.streams = streams
        self.document = document
        self.on_commit = on_commit
        self.on_gap = on_gap
        self.recordings = recordings
        self._clock = clock
        self._hearings: dict[int, LiveHearing] = {}

    def get(self, hearing_id: int) -> LiveHearing | None:
        return self._hearings.get(hearing_id)

    def get_or_create(self, hearing_id: int, spec: Callable[[], LiveSpec]) -> LiveHearing:
        """The hearing's live session, started here if need be; :class:`OwnedElsewhereError`
        when another process of the cluster runs it."""
        self.ownership.claim(hearing_id)
        live = self._hearings.get(hearing_id)
        if live is None or live.closed:
            live = LiveHearing(
                spec(),
                ice=self.ice,
                streams=self.streams,
                clock=self._clock,
                document=self.document,
                on_commit=self.on_commit,
                recorder=(
                    HearingRecorder(self.recordings, hearing_id, self._clock)
                    if self.recordings is not None
                    else None
                ),
                on_gap=self.on_gap,
                on_utterance_end=self.on_utterance_end,
                on_revision=self.on_revision,
            )
            self._hearings[hearing_id] = live
        return live

    async def close(self, hearing_id: int, *, shutdown: bool = False) -> None:
        """The hearing closed (or the server stops): end its live session."""
        live = self._hearings.get(hearing_id)
        if live is not None:
            # Still registered while it closes: its streams' last commits reach the document and,
            # through it, the room (before the hearing message).
            await live.close(shutdown=shutdown)
            if self._hearings.get(hearing_id) is live:
                del self._hearings[hearing_id]
            if not shutdown and self.recordings is not None and live.recorder is not None:
                await self._finalize(hearing_id)
        await asyncio.to_thread(self.ownership.release, hearing_id)

    async def lost(self, hearing_id: int) -> None:
        """Another process took the hearing over (this one stalled past its lease): end the
        session here as a restart would, so that its pages reconnect to the new owner."""
        live = self._hearings.pop(hearing_id, None)
        if live is not None:
            await live.close(shutdown=True)

    archive: Callable[[int], object] | None = None
    """Set by ``build_services``: finalises a hearing's recording and stores its digests with the
    hearing (:class:`hearing_server.recording_archive.RecordingArchive`); blocking."""

    async def _finalize(self, hearing_id: int) -> None:
        """The hearing closed: one file per participant and a mix, with digests (manifest), and
        with :attr:`archive` the digests stored in the database (finalize_hearing logs it)."""
        assert self.recordings is not None
        try:
            if self.archive is not None:
                await asyncio.to_thread(self.archive, hearing_id)
            else:
                await asyncio.to_thread(finalize_hearing, self.recordings, hearing_id)
        except RecordingNotFoundError:
            return  # nobody spoke
        except Exception:
            _logger.exception("hearing %d: finalising the recording failed", hearing_id)

    async def close_all(self) -> None:
        """Server shutdown."""
        closing: list[Awaitable[None]] = [
            self.close(hid, shutdown=True) for hid in list(self._hearings)
        ]
        await asyncio.gather(*closing)
