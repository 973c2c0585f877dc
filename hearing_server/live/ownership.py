"""Which server process runs a live hearing's media and recognition: a lease per hearing.

    ownership = HearingOwnership(leases, node="p1")    # leases None: one process owns all
    ownership.claim(hearing_id)        # ours now, or OwnedElsewhereError(owner) → ?node=owner
    async with ownership.kept(on_lost):  # renews every held lease; a lost one ends the session
        ...
    ownership.release(hearing_id)      # the hearing closed here, or this process stops

A participant's offer and transcript socket, and the judge's controls, all need the one process
that holds the hearing's peer connections, ASR streams and recorder. The first process asked
takes the lease (``live-hearing-<id>``, six seconds, renewed every two); any other answers with
the owner's node name, and the page asks again with ``?node=<owner>``, which the proxy routes
there (:mod:`hearing_server.cluster`). When the owner dies its lease runs out; the pages'
reconnects then reach a live process, which takes the hearing over (the recorder logs the outage
as a gap). A process that finds its lease taken (it was stalled for longer than the lease) ends
its session of that hearing at once, so two processes never record one hearing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

from hearing_server.errors import OwnedElsewhereError
from tingshen_platform.leases import Lease, Leases

__all__ = ["LEASE_TTL", "RENEW_EVERY", "HearingOwnership"]

_logger = logging.getLogger(__name__)

LEASE_TTL = timedelta(seconds=6)
RENEW_EVERY = timedelta(seconds=2)


def lease_name(hearing_id: int) -> str:
    return f"live-hearing-{hearing_id}"


class HearingOwnership:
    def __init__(
        self,
        leases: Leases | None,
        node: str,
        *,
        ttl: timedelta = LEASE_TTL,
        renew_every: timedelta = RENEW_EVERY,
    ) -> None:
        self._leases = leases
        self.node = node
        self._ttl = ttl
        self._renew_every = renew_every
        self._held: dict[int, Lease] = {}

    @property
    def clustered(self) -> bool:
        return self._leases is not None

    def owns(self, hearing_id: int) -> bool:
        return self._leases is None or hearing_id in self._held

    def claim(self, hearing_id: int) -> None:
        """Make sure this process runs the hearing, or raise :class:`OwnedElsewhereError`."""
        if self._leases is None:
            return
        held = self._held.get(hearing_id)
        if held is not None and held.expires_at - datetime.now(UTC) > self._ttl / 2:
            return  # renewed recently by the keeper: no database round trip
        for _ in range(2):  # a lease that runs out between the two reads: try once more
            lease = self._leases.acquire(lease_name(hearing_id), self.node, self._ttl, self.node)
            if lease is not None:
                if held is None:
                    _logger.info("hearing %d: this process (%s) runs it now", hearing_id, self.node)
                self._held[hearing_id] = lease
                return
            holder = self._leases.holder(lease_name(hearing_id))
            if holder is not None:
                raise OwnedElsewhereError(holder.address or holder.owner)
        raise OwnedElsewhereError("")

    def release(self, hearing_id: int) -> None:
        lease = self._held.pop(hearing_id, None)
        if lease is not None and self._leases is not None:
            try:
                self._leases.release(lease)
            except Exception:  # it runs out by itself
                _logger.warning("hearing %d: lease not released", hearing_id, exc_info=True)

    def release_all(self) -> None:
        for hearing_id in list(self._held):
            self.release(hearing_id)

    async def renew_all(self, on_lost: Callable[[int], Awaitable[None]]) -> None:
        """One round: renew every held lease; for each one lost, ``on_lost(hearing_id)``."""
        assert self._leases is not None
        leases = self._leases
        for hearing_id, lease in list(self._held.items()):
            try:
                renewed = await asyncio.to_thread(leases.renew, lease, self._ttl)
            except Exception:  # the database is away: keep trying while the lease lasts
                _logger.warning("hearing %d: lease not renewed", hearing_id, exc_info=True)
                continue
            if self._held.get(hearing_id) is not lease:
                continue  # released or re-claimed meanwhile
            if renewed is None:
                del self._held[hearing_id]
                _logger.error("hearing %d: another process took it over; ending here", hearing_id)
                await on_lost(hearing_id)
            else:
                self._held[hearing_id] = renewed

    @contextlib.asynccontextmanager
    async def kept(self, on_lost: Callable[[int], Awaitable[None]]) -> AsyncIterator[None]:
        """Renew the held leases while the block runs; release them all at the end."""
        if self._leases is None:
            yield
            return
        stop = asyncio.Event()

        async def keep() -> None:
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._renew_every.total_seconds())
                if not stop.is_set():
                    await self.renew_all(on_lost)

        task = asyncio.get_running_loop().create_task(keep(), name="hearing-ownership")
        try:
            yield
        finally:
            stop.set()
            await task
            await asyncio.to_thread(self.release_all)
