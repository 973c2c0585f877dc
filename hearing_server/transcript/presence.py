"""Who is in the transcript editor and where their cursor is: built by the server, not the client.

    book = PresenceBook(node="p1")
    peer = book.join(author_key="user-3", name="陈晓", role="clerk")   # one entry per socket
    book.move(peer.id, Cursor("seg-1", anchor=4, head=7))            # the client sends ints only
    book.leave(peer.id)
    book.snapshot()                                                   # for a newcomer

The name and role come from the socket's session (:func:`~hearing_server.transcript.editors.
socket_author`), the colour is an index into the page's fixed palette derived from the person's
key (:func:`colour_index`): nothing a client sends reaches another page but three bounded
integers and a segment id matching :data:`SEGMENT_ID`. Each socket has at most one entry, so the
newcomer's snapshot is bounded by the number of open editor sockets, however many messages a
client sends. Pure: no I/O, no framework.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, replace
from typing import Any

__all__ = [
    "MAX_OFFSET",
    "PALETTE_SIZE",
    "SEGMENT_ID",
    "Cursor",
    "Peer",
    "PresenceBook",
    "colour_index",
]

PALETTE_SIZE = 8
"""Colours in the page's palette (``web/static/presence.js``); the server sends an index."""
MAX_OFFSET = 1_000_000
"""Largest cursor offset accepted (a segment's text is far shorter)."""
SEGMENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def colour_index(key: str) -> int:
    """A stable colour for a person (the same in every tab and process)."""
    return hashlib.sha256(key.encode()).digest()[0] % PALETTE_SIZE


@dataclass(frozen=True, slots=True)
class Cursor:
    segment: str
    anchor: int
    head: int

    def __post_init__(self) -> None:
        if not SEGMENT_ID.match(self.segment):
            raise ValueError("segment id")
        for value in (self.anchor, self.head):
            if isinstance(value, bool) or not 0 <= value <= MAX_OFFSET:
                raise ValueError("offset")


@dataclass(frozen=True, slots=True)
class Peer:
    id: str
    """This socket's id (``<node>-<n>``: unique across the server processes)."""
    key: str
    name: str
    role: str
    colour: int
    cursor: Cursor | None = None

    def message(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_message(cls, data: dict[str, Any]) -> Peer:
        """A peer another server process built (trusted: it came over the bus, not a client)."""
        cursor = data.get("cursor")
        return cls(
            id=str(data["id"]),
            key=str(data["key"]),
            name=str(data["name"]),
            role=str(data["role"]),
            colour=int(data["colour"]) % PALETTE_SIZE,
            cursor=Cursor(**cursor) if isinstance(cursor, dict) else None,
        )


class PresenceBook:
    """The editor sockets of one hearing, here and (from the bus) in other processes."""

    def __init__(self, node: str) -> None:
        self._node = node
        self._next = 0
        self._peers: dict[str, Peer] = {}

    def join(self, *, author_key: str, name: str, role: str) -> Peer:
        self._next += 1
        peer = Peer(f"{self._node}-{self._next}", author_key, name, role, colour_index(author_key))
        self._peers[peer.id] = peer
        return peer

    def move(self, peer_id: str, cursor: Cursor | None) -> Peer | None:
        """The socket's cursor moved (``None``: it left the text); the new entry, if any."""
        peer = self._peers.get(peer_id)
        if peer is None or peer.cursor == cursor:
            return None
        moved = replace(peer, cursor=cursor)
        self._peers[peer_id] = moved
        return moved

    def leave(self, peer_id: str) -> bool:
        return self._peers.pop(peer_id, None) is not None

    def put(self, peer: Peer) -> None:
        """A peer of another process joined or moved."""
        self._peers[peer.id] = peer

    def snapshot(self) -> list[dict[str, Any]]:
        return [peer.message() for peer in self._peers.values()]

    def __len__(self) -> int:
        return len(self._peers)
