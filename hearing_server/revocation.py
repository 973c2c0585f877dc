"""Revocation reaches open sockets: logout, session expiry, withdrawn links and removal close them.

    principal = socket_principal(session, ctx, staff_token=..., party_token=...)  # at admission
    done = revocations.register(principal, close)        # close(code, reason): end this socket
    ...
    done()                                               # the socket closed by itself
    await revocations.revoke([staff_session_key(token)], WS_CLOSE_SESSION_ENDED, "logged out")

Every socket admitted to a hearing registers who it is as a set of keys: the session it was
opened with (``staff-session:<hash>`` / ``party-session:<hash>``) and the person
(``staff:<id>`` / ``participant:<id>``). :meth:`Revocations.revoke` closes every registered socket
holding one of the keys in this process and publishes the keys on the bus (topic
``sockets.revoked``; Redis between processes), so that every other server process closes its
own. Logout revokes the session's key, withdrawing a participant's links or removing them revokes
the participant's key. A session that expires while its socket is open is found by a periodic
check (``TINGSHEN_WS_SESSION_CHECK_SECONDS``) against the server's clock; the same check asks the
database which open sockets' sessions were deleted or people removed (:func:`ended_keys`), so a
revocation whose bus message was lost still closes them, a few seconds late.

The HTTP side needs no bookkeeping: a logged-out or withdrawn session is deleted (every request
checks it), and a removed participant is refused per request (:mod:`hearing_server.deps`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

import anyio.from_thread
from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server.errors import WS_CLOSE_REMOVED, WS_CLOSE_SESSION_ENDED
from hearing_server.models import Participant, ParticipantSession, StaffSession
from hearing_server.security import Clock, token_hash
from tingshen_platform.bus import Bus

__all__ = [
    "LINKS_WITHDRAWN",
    "LOGGED_OUT",
    "REMOVED",
    "SESSION_ENDED",
    "SESSION_EXPIRED",
    "TOPIC",
    "Revocations",
    "SocketPrincipal",
    "ended_keys",
    "participant_key",
    "party_session_key",
    "socket_principal",
    "staff_session_key",
]

TOPIC = "sockets.revoked"
SESSION_EXPIRED = "session_expired: your session has expired; log in or join again"
LOGGED_OUT = "logged_out: you logged out (in this or another tab)"
LINKS_WITHDRAWN = "link_revoked: the court withdrew your invitation link; ask it for a new one"
SESSION_ENDED = "session_ended: your session has ended; log in or join again"
REMOVED = "removed: the judge has removed you from this hearing"
_logger = logging.getLogger(__name__)

Close = Callable[[int, str], None]
"""Ends one socket with a close code and reason (on the event loop, without waiting)."""
Lookup = Callable[[frozenset[str]], dict[str, tuple[int, str]]]
"""Which of these keys have ended, and how (run in a worker thread: it reads the database)."""


def staff_session_key(token: str) -> str:
    return f"staff-session:{token_hash(token)}"


def party_session_key(token: str) -> str:
    return f"party-session:{token_hash(token)}"


def participant_key(participant_id: int) -> str:
    return f"participant:{participant_id}"


@dataclass(frozen=True, slots=True)
class SocketPrincipal:
    keys: frozenset[str]
    expires_at: datetime | None
    """When the socket's session runs out (``None``: no session, nothing to expire)."""


def socket_principal(
    session: Session, *, staff_token: str | None, party_token: str | None, staff_id: int | None
) -> SocketPrincipal:
    """Who an admitted socket is: the keys that revoke it and when its session expires."""
    if staff_id is not None and staff_token:
        row = session.scalars(
            select(StaffSession).where(StaffSession.token_hash == token_hash(staff_token))
        ).first()
        keys = {staff_session_key(staff_token), f"staff:{staff_id}"}
        return SocketPrincipal(frozenset(keys), row.expires_at if row else None)
    if party_token:
        party = session.scalars(
            select(ParticipantSession).where(
                ParticipantSession.token_hash == token_hash(party_token)
            )
        ).first()
        if party is not None:
            keys = {party_session_key(party_token), participant_key(party.participant_id)}
            return SocketPrincipal(frozenset(keys), party.expires_at)
    return SocketPrincipal(frozenset(), None)


def ended_keys(session: Session, keys: frozenset[str]) -> dict[str, tuple[int, str]]:
    """Of the open sockets' keys, those the database says have ended: a deleted session
    (logout or withdrawn links, also through a process whose bus message was lost) and a
    removed participant. The check behind the bus, every ``TINGSHEN_WS_SESSION_CHECK_SECONDS``."""
    by_kind: dict[str, set[str]] = {}
    for key in keys:
        kind, _, value = key.partition(":")
        by_kind.setdefault(kind, set()).add(value)
    ended: dict[str, tuple[int, str]] = {}
    for kind, model in (("staff-session", StaffSession), ("party-session", ParticipantSession)):
        wanted = by_kind.get(kind, set())
        if wanted:
            found = set(
                session.scalars(select(model.token_hash).where(model.token_hash.in_(wanted)))
            )
            for value in wanted - found:
                ended[f"{kind}:{value}"] = (WS_CLOSE_SESSION_ENDED, SESSION_ENDED)
    ids = {int(v) for v in by_kind.get("participant", set()) if v.isdigit()}
    if ids:
        removed = select(Participant.id).where(
            Participant.id.in_(ids), Participant.removed_at.is_not(None)
        )
        for participant_id in session.scalars(removed):
            ended[participant_key(participant_id)] = (WS_CLOSE_REMOVED, REMOVED)
    return ended


class _Registration:
    __slots__ = ("close", "principal")

    def __init__(self, principal: SocketPrincipal, close: Close) -> None:
        self.principal = principal
        self.close = close


class Revocations:
    """The open sockets of this process by who they are; revocations from any process."""

    def __init__(
        self,
        bus: Bus,
        node: str,
        clock: Clock,
        *,
        check_seconds: float,
        lookup: Lookup | None = None,
    ) -> None:
        self._bus = bus
        self._lookup = lookup
        self._node = f"{node}-{uuid.uuid4().hex[:8]}"
        """Our own revocations come back from the bus and are skipped (unique per instance)."""
        self._clock = clock
        self._check_seconds = check_seconds
        self._open: set[_Registration] = set()

    @property
    def open_sockets(self) -> int:
        return len(self._open)

    def register(self, principal: SocketPrincipal, close: Close) -> Callable[[], None]:
        """Track one socket; the returned function forgets it (call it when the socket ends)."""
        entry = _Registration(principal, close)
        self._open.add(entry)
        return lambda: self._open.discard(entry)

    def close_local(self, keys: Iterable[str], code: int, reason: str) -> int:
        """Close this process's sockets holding any of ``keys``; how many."""
        wanted = frozenset(keys)
        ended = [r for r in self._open if r.principal.keys & wanted]
        for entry in ended:
            self._open.discard(entry)
            entry.close(code, reason)
        return len(ended)

    async def revoke(self, keys: Iterable[str], code: int, reason: str) -> int:
        """Close the sockets of ``keys`` here and in every other process of the cluster."""
        wanted = sorted(set(keys))
        closed = self.close_local(wanted, code, reason)
        body = {"node": self._node, "keys": wanted, "code": code, "reason": reason}
        try:
            await self._bus.publish(TOPIC, json.dumps(body).encode())
        except Exception:  # the other processes' expiry checks still end expired sessions
            _logger.warning("socket revocation not published", exc_info=True)
        return closed

    def revoke_from_thread(self, keys: Iterable[str], code: int, reason: str) -> int:
        """:meth:`revoke` from a synchronous route (it runs in a worker thread of the loop)."""
        return anyio.from_thread.run(self.revoke, list(keys), code, reason)

    def expire(self) -> int:
        """Close the sockets whose session has run out by now; how many."""
        now = self._clock()
        ended = [
            r
            for r in self._open
            if r.principal.expires_at is not None and r.principal.expires_at <= now
        ]
        for entry in ended:
            self._open.discard(entry)
            entry.close(WS_CLOSE_SESSION_ENDED, SESSION_EXPIRED)
        return len(ended)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Listen for other processes' revocations and check expiry while the block runs."""
        subscription = await self._bus.subscribe(TOPIC)
        loop = asyncio.get_running_loop()
        tasks = [
            loop.create_task(self._listen(subscription), name="socket-revocations"),
            loop.create_task(self._check_expiry(), name="socket-expiry"),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await subscription.close()

    async def _listen(self, subscription: AsyncIterator[bytes]) -> None:
        async for raw in subscription:
            try:
                body = json.loads(raw)
                if body["node"] == self._node:
                    continue
                keys = [str(key) for key in body["keys"]]
                self.close_local(keys, int(body["code"]), str(body["reason"]))
            except (ValueError, KeyError, TypeError):
                _logger.warning("malformed socket revocation dropped")

    async def check(self) -> int:
        """Close expired sessions' sockets, and those the database says have ended; how many."""
        closed = self.expire()
        keys = frozenset(key for r in self._open for key in r.principal.keys)
        if self._lookup is None or not keys:
            return closed
        ended = await asyncio.to_thread(self._lookup, keys)
        for key, (code, reason) in ended.items():
            closed += self.close_local([key], code, reason)
        return closed

    async def _check_expiry(self) -> None:
        while True:
            await asyncio.sleep(self._check_seconds)
            try:
                await self.check()
            except Exception:  # the database is away: try again at the next check
                _logger.warning("open sockets' sessions not checked", exc_info=True)
