"""Who is in the hearing room: each person's presence, and the ``presence`` messages it produces.

    book = PresenceBook(publish=hub.presence)
    book.joined(speaker)            # answered an offer: in the media, state "present"
    book.online(speaker, +1)        # a transcript WebSocket of theirs opened (-1: closed)
    book.muted(speaker, True)
    book.left(speaker)              # pressed "leave": no media, state "left"
    book.removed(speaker)           # removed by the judge; book.readmitted(speaker) → "absent"

``state`` is one of :data:`STATES`; ``media`` says whether the person has a media connection,
``online`` whether one of their pages follows the transcript, ``muted`` whether the judge muted
them. Every change that alters what a page would show is published once (no message for a
change that changes nothing, e.g. a re-offer of someone already present).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from hearing_server.live.hub import Message, Speaker

__all__ = ["STATES", "Presence", "PresenceBook", "State"]

State = Literal["absent", "present", "left", "removed"]
STATES: tuple[State, ...] = ("absent", "present", "left", "removed")


@dataclass(frozen=True, slots=True)
class Presence:
    speaker: Speaker
    state: State = "absent"
    media: bool = False
    online: bool = False
    muted: bool = False

    def message(self) -> Message:
        return {
            **self.speaker.label(),
            "state": self.state,
            "media": self.media,
            "online": self.online,
            "muted": self.muted,
        }


class PresenceBook:
    def __init__(self, publish: Callable[[Message], object]) -> None:
        self._publish = publish
        self._people: dict[str, Presence] = {}
        self._sockets: dict[str, int] = {}

    def get(self, key: str) -> Presence | None:
        return self._people.get(key)

    def state(self, key: str) -> State:
        person = self._people.get(key)
        return person.state if person is not None else "absent"

    def joined(self, speaker: Speaker) -> None:
        self._set(speaker, state="present", media=True)

    def media_lost(self, speaker: Speaker) -> None:
        """The media connection dropped on its own; the person may come back (state unchanged)."""
        self._set(speaker, media=False)

    def left(self, speaker: Speaker) -> None:
        self._set(speaker, state="left", media=False)

    def removed(self, speaker: Speaker) -> None:
        self._set(speaker, state="removed", media=False, online=False)

    def readmitted(self, speaker: Speaker) -> None:
        if self.state(speaker.key) == "removed":
            self._set(speaker, state="absent")

    def muted(self, speaker: Speaker, muted: bool) -> None:
        self._set(speaker, muted=muted)

    def online(self, speaker: Speaker, delta: int) -> None:
        """A transcript socket of ``speaker`` opened (+1) or closed (-1)."""
        count = max(0, self._sockets.get(speaker.key, 0) + delta)
        self._sockets[speaker.key] = count
        self._set(speaker, online=count > 0)

    def _set(
        self,
        speaker: Speaker,
        *,
        state: State | None = None,
        media: bool | None = None,
        online: bool | None = None,
        muted: bool | None = None,
    ) -> None:
        before = self._people.get(speaker.key) or Presence(speaker)
        after = replace(
            before,
            speaker=speaker,
            state=before.state if state is None else state,
            media=before.media if media is None else media,
            online=before.online if online is None else online,
            muted=before.muted if muted is None else muted,
        )
        if after == before and speaker.key in self._people:
            return
        self._people[speaker.key] = after
        self._publish(after.message())
