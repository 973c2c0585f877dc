"""One person, one live seat: the newest page of a person holds their seat in the room.

    seats = SeatBook()
    ended = seats.claim("participant-7", "tab-b")  # the pages it displaced: ["tab-a"]
    seats.claim("participant-7", "tab-a")          # SeatTakenError: tab-a was displaced
    seats.subscribed("participant-7", "tab-b", subscription)   # its transcript socket
    seats.unsubscribed("participant-7", subscription)

A page names itself with a random ``tab`` id (new on every load). The first page of a person to
claim holds the seat; a page that was never seen before takes it over (a new tab, a reload, another
browser: the person is there now); a page it displaced is refused from then on, so that two pages
of one person never take the seat from each other in turn (issue 13, defect 4: both flapped between
connected and reconnecting, and each takeover of the peer disturbed the others). The displaced page
says so and may take the seat back by reloading (a new ``tab``). Claims without a ``tab`` (API
clients) are not seated: they behave as before.

Pure bookkeeping, on the event loop: ending the displaced page's sockets is the caller's
(:meth:`hearing_server.live.room.LiveHearing.seat`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hearing_server.errors import SeatTakenError
from hearing_server.live.hub import Subscription

__all__ = ["MAX_DISPLACED", "SEAT_TAKEN_MESSAGE", "SeatBook"]

SEAT_TAKEN_MESSAGE = (
    "you opened the hearing room in another tab or browser, which has your seat now"
)
MAX_DISPLACED = 32
"""Displaced page ids remembered per person (the oldest are forgotten: bounded memory)."""


@dataclass
class _Seat:
    holder: str
    displaced: list[str] = field(default_factory=list)
    sockets: dict[Subscription, str] = field(default_factory=dict)
    """Transcript subscriptions of this person's pages, and which page each belongs to."""


class SeatBook:
    def __init__(self) -> None:
        self._seats: dict[str, _Seat] = {}

    def holder(self, key: str) -> str | None:
        seat = self._seats.get(key)
        return seat.holder if seat is not None else None

    def claim(self, key: str, tab: str | None) -> list[Subscription]:
        """Seat page ``tab`` of person ``key``; the subscriptions of the page it displaced (to be
        ended). :class:`SeatTakenError` when ``tab`` itself was displaced earlier."""
        if not tab:
            return []
        seat = self._seats.get(key)
        if seat is None:
            self._seats[key] = _Seat(holder=tab)
            return []
        if tab == seat.holder:
            return []
        if tab in seat.displaced:
            raise SeatTakenError(SEAT_TAKEN_MESSAGE)
        previous, seat.holder = seat.holder, tab
        seat.displaced = [*seat.displaced, previous][-MAX_DISPLACED:]
        ended = [s for s, page in seat.sockets.items() if page == previous]
        for subscription in ended:
            del seat.sockets[subscription]
        return ended

    def subscribed(self, key: str, tab: str | None, subscription: Subscription) -> None:
        seat = self._seats.get(key)
        if tab and seat is not None:
            seat.sockets[subscription] = tab

    def unsubscribed(self, key: str, subscription: Subscription) -> None:
        seat = self._seats.get(key)
        if seat is not None:
            seat.sockets.pop(subscription, None)
