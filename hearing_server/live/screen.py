"""Who shares their screen in a live hearing (at most one at a time): in memory, with the live
session; the audited record of it is in the audit log and the transcript's 【举证】 markers.

    book = ScreenBook()
    book.start(speaker, at)          # the share this returns is now current (version grows)
    book.current                     # ScreenShare | None
    book.stop()                      # the share that ended, or None

The page's video is not held here: it is the participant's :data:`~hearing_server.rtc.relay.SCREEN`
source in the peer manager (:mod:`hearing_server.rtc.relay`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hearing_server.live.speaker import Speaker

__all__ = ["ScreenBook", "ScreenShare"]


@dataclass(frozen=True)
class ScreenShare:
    key: str
    role: str
    name: str
    started_at: datetime


class ScreenBook:
    def __init__(self) -> None:
        self.current: ScreenShare | None = None
        self.version = 0
        """Grows with every start and stop (0: never shared in this live session)."""

    def start(self, speaker: Speaker, at: datetime) -> ScreenShare:
        self.current = ScreenShare(speaker.key, speaker.role, speaker.display_name, at)
        self.version += 1
        return self.current

    def stop(self) -> ScreenShare | None:
        ended, self.current = self.current, None
        if ended is not None:
            self.version += 1
        return ended

    def shares(self, key: str) -> bool:
        return self.current is not None and self.current.key == key
