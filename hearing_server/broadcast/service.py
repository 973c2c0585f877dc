"""Per-hearing broadcast state in this process: the writer while the hearing is live and public,
the observers' playlist and transcript (snapshots, recomputed at most once a second whatever the
number of observers), and the observer count the bench sees.

    service = BroadcastService(data_dir / "broadcast", live_registry, documents, clock=clock)
    service.configure(Config(hearing_id=1, token="…", public=True, delay_s=30))
    service.playlist(1)          # the delayed playlist text, or None
    await service.lines(1)       # the delayed committed transcript
    await service.aclose()       # app shutdown: writers flushed

A supervisor task per public hearing starts the writer when the hearing's live session exists
(someone joined) and stops it when the session closes or the bench switches public viewing off;
switching off also deletes the broadcast's files (segments are a public copy of the hearing, kept
only while it is public; the recording of record is ``recordings/``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from hearing_server.broadcast.observers import Viewers, WatchLine, delayed_lines
from hearing_server.broadcast.playlist import delayed_playlist, parse_playlist
from hearing_server.broadcast.writer import BroadcastWriter
from hearing_server.live.registry import LiveRegistry
from hearing_server.rtc.peer import PeerManager
from hearing_server.transcript.fanout import DocumentRooms

__all__ = ["BroadcastService", "Config"]

_logger = logging.getLogger(__name__)

SNAPSHOT_S = 1.0
"""Observers' playlist and transcript are recomputed at most this often."""
SUPERVISE_S = 1.0
"""How often a public hearing's supervisor checks whether its live session started or ended."""


@dataclass(frozen=True, slots=True)
class Config:
    hearing_id: int
    token: str | None
    public: bool
    delay_s: int
    court: str = ""
    case_number: str = ""
    cause_of_action: str = ""
    interpreters: tuple[tuple[str, str, str], ...] = ()
    """(interpreter's speaker key, role, name of whom they interpret), for the line labels."""


@dataclass
class _Broadcast:
    config: Config
    viewers: Viewers = field(default_factory=Viewers)
    writer: BroadcastWriter | None = None
    supervisor: asyncio.Task[None] | None = None
    runs: int = 0
    playlist: tuple[float, str | None] = (float("-inf"), None)
    lines: tuple[float, list[WatchLine]] = (float("-inf"), [])


class BroadcastService:
    def __init__(
        self,
        root: Path,
        live: LiveRegistry,
        documents: DocumentRooms,
        *,
        clock: Callable[[], datetime],
    ) -> None:
        """``clock``: the app's clock, which dates the transcript document's words."""
        self.root = root
        self._live = live
        self._documents = documents
        self._clock = clock
        self._hearings: dict[int, _Broadcast] = {}
        self._tokens: dict[str, int] = {}

    # ------------------------------------------------------------------ configuration

    def known(self, token: str) -> int | None:
        """The hearing of a public link already seen by this process (no database round trip)."""
        return self._tokens.get(token)

    def config(self, hearing_id: int) -> Config | None:
        entry = self._hearings.get(hearing_id)
        return entry.config if entry is not None else None

    def configure(self, config: Config) -> None:
        """The hearing's settings as the database has them (after a change, or on first use)."""
        entry = self._hearings.get(config.hearing_id)
        if entry is None:
            entry = self._hearings[config.hearing_id] = _Broadcast(config)
        entry.config = config
        if config.token is not None:
            self._tokens[config.token] = config.hearing_id
        if config.public and entry.supervisor is None:
            entry.supervisor = asyncio.get_running_loop().create_task(
                self._supervise(entry), name=f"broadcast:{config.hearing_id}"
            )
        elif not config.public:
            entry.viewers.clear()
            if entry.supervisor is not None:
                entry.supervisor.cancel()
                entry.supervisor = None

    async def aclose(self) -> None:
        tasks = [e.supervisor for e in self._hearings.values() if e.supervisor is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ------------------------------------------------------------------ what observers see

    def on_air(self, hearing_id: int) -> bool:
        entry = self._hearings.get(hearing_id)
        return entry is not None and entry.writer is not None

    def viewed(self, hearing_id: int, viewer: str) -> None:
        entry = self._hearings.get(hearing_id)
        if entry is not None and entry.config.public:
            entry.viewers.seen(viewer, at=time.monotonic())

    def observers(self, hearing_id: int) -> int:
        entry = self._hearings.get(hearing_id)
        return entry.viewers.count(at=time.monotonic()) if entry is not None else 0

    def playlist(self, hearing_id: int) -> str | None:
        entry = self._hearings.get(hearing_id)
        if entry is None or not entry.config.public:
            return None
        now = time.monotonic()
        if now - entry.playlist[0] >= SNAPSHOT_S:
            entry.playlist = (now, self._render_playlist(entry))
        return entry.playlist[1]

    def segment(self, hearing_id: int, run: int, name: str) -> Path | None:
        entry = self._hearings.get(hearing_id)
        if entry is None or not entry.config.public:
            return None
        path = self.root / str(hearing_id) / f"run{run}" / name
        return path if path.is_file() else None

    async def lines(self, hearing_id: int) -> list[WatchLine]:
        entry = self._hearings.get(hearing_id)
        if entry is None or not entry.config.public:
            return []
        now = time.monotonic()
        if now - entry.lines[0] >= SNAPSHOT_S:
            entry.lines = (now, entry.lines[1])  # one recomputation at a time
            room = await self._documents.get(hearing_id)
            segments = room.actions.doc.segments() if room.actions is not None else []
            entry.lines = (
                now,
                delayed_lines(
                    segments,
                    now=self._clock(),
                    delay_s=entry.config.delay_s,
                    interpreters={k: (r, n) for k, r, n in entry.config.interpreters},
                ),
            )
        return entry.lines[1]

    def _render_playlist(self, entry: _Broadcast) -> str | None:
        if entry.runs == 0:
            return None
        source = self.root / str(entry.config.hearing_id) / f"run{entry.runs}" / "index.m3u8"
        try:
            text = source.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return delayed_playlist(
            parse_playlist(text),
            now=datetime.now(UTC),  # FFmpeg dates segments by the system clock, not the app's
            delay_s=entry.config.delay_s,
            prefix=f"media/{entry.runs}/",
        )

    # ------------------------------------------------------------------ the writer

    async def _supervise(self, entry: _Broadcast) -> None:
        hearing_id = entry.config.hearing_id
        try:
            while True:
                live = self._live.get(hearing_id)
                running = live is not None and not live.closed
                if running and entry.writer is None and live is not None:
                    entry.runs += 1
                    writer = BroadcastWriter(
                        live.peers.forwarder,
                        self.root / str(hearing_id) / f"run{entry.runs}",
                        participants=_participants_of(live.peers),
                    )
                    writer.start()
                    entry.writer = writer
                    _logger.info("hearing %d: broadcast on air (run %d)", hearing_id, entry.runs)
                elif not running and entry.writer is not None:
                    await self._stop_writer(entry)
                await asyncio.sleep(SUPERVISE_S)
        finally:
            with contextlib.suppress(Exception):
                await self._stop_writer(entry)
            if not entry.config.public:  # switched off: the public copy of the hearing goes
                await asyncio.to_thread(
                    shutil.rmtree, self.root / str(hearing_id), ignore_errors=True
                )

    @staticmethod
    async def _stop_writer(entry: _Broadcast) -> None:
        writer, entry.writer = entry.writer, None
        if writer is not None:
            await writer.stop()
            _logger.info("hearing %d: broadcast off air", entry.config.hearing_id)


def _participants_of(peers: PeerManager) -> Callable[[], tuple[str, ...]]:
    return lambda: peers.participants
