"""Asking to speak (举手) and the floor: who raised a hand, in order, and who has the floor.

    floor = Floor(publish=hub.floor)
    floor.raise_hand(speaker)        # joins the queue (once); published
    floor.lower_hand(key)            # leaves the queue (their own choice, or the judge's)
    floor.grant(speaker)             # the judge gives the floor: out of the queue, holds it
    floor.end()                      # the judge takes the floor back (nobody holds it)

Live state of the hearing's session (like presence): every page gets it in the snapshot and each
change as a ``floor`` message (docs/protocol.md), so a reload shows the queue and the holder again.
Pure: no I/O; who may do what is checked by :mod:`hearing_server.live.floor_actions`.
"""

from __future__ import annotations

from collections.abc import Callable

from hearing_server.live.speaker import Message, Speaker

__all__ = ["Floor"]


class Floor:
    def __init__(self, publish: Callable[[Message], object]) -> None:
        self._publish = publish
        self._queue: list[Speaker] = []
        self._holder: Speaker | None = None

    @property
    def holder(self) -> Speaker | None:
        return self._holder

    def queued(self, key: str) -> bool:
        return any(s.key == key for s in self._queue)

    def message(self) -> Message:
        return {
            "queue": [s.label() for s in self._queue],
            "holder": self._holder.label() if self._holder is not None else None,
        }

    def raise_hand(self, speaker: Speaker) -> bool:
        if self.queued(speaker.key) or (self._holder and self._holder.key == speaker.key):
            return False
        self._queue.append(speaker)
        self._changed()
        return True

    def lower_hand(self, key: str) -> bool:
        before = len(self._queue)
        self._queue = [s for s in self._queue if s.key != key]
        if len(self._queue) == before:
            return False
        self._changed()
        return True

    def grant(self, speaker: Speaker) -> bool:
        if self._holder is not None and self._holder.key == speaker.key:
            return False
        self._queue = [s for s in self._queue if s.key != speaker.key]
        self._holder = speaker
        self._changed()
        return True

    def end(self) -> bool:
        if self._holder is None:
            return False
        self._holder = None
        self._changed()
        return True

    def _changed(self) -> None:
        self._publish(self.message())
