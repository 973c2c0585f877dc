"""Cluster leases: one holder at a time, taken over when run out with a larger token, renewals
of a lost lease refused; threads racing for one lease: exactly one wins (SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from tests.platform.conftest import Clock
from tingshen_platform.leases import Leases

TTL = timedelta(seconds=6)


def test_one_holder_until_the_lease_runs_out_then_a_larger_token(
    engine: Engine, clock: Clock
) -> None:
    leases = Leases(engine, clock)
    first = leases.acquire("live-hearing-7", "p1", TTL, address="p1")
    assert first is not None and first.token == 1
    assert leases.acquire("live-hearing-7", "p2", TTL) is None
    assert leases.holder("live-hearing-7") == first

    clock.advance(seconds=4)
    renewed = leases.renew(first, TTL)  # runs to 10 s now
    assert renewed is not None and renewed.token == 1
    clock.advance(seconds=5)
    assert leases.acquire("live-hearing-7", "p2", TTL) is None  # still p1's for 1 s

    clock.advance(seconds=1)  # ran out: p1 died
    assert leases.holder("live-hearing-7") is None
    second = leases.acquire("live-hearing-7", "p2", TTL, address="p2")
    assert second is not None and second.token == 2 and second.address == "p2"
    assert leases.renew(renewed, TTL) is None  # p1 comes back: its lease is gone
    assert leases.acquire("live-hearing-7", "p1", TTL) is None
    assert leases.acquire("live-hearing-7", "p2", TTL, address="p2") == second  # renewed


def test_a_released_lease_is_free_at_once_and_its_token_still_grows(
    engine: Engine, clock: Clock
) -> None:
    leases = Leases(engine, clock)
    first = leases.acquire("cluster-startup", "p1", TTL)
    assert first is not None
    leases.release(first)
    assert leases.holder("cluster-startup") is None
    second = leases.acquire("cluster-startup", "p2", TTL)
    assert second is not None and second.token == first.token + 1
    leases.release(first)  # a stale release does not free the new holder's lease
    assert leases.holder("cluster-startup") == second


def test_threads_racing_for_one_lease_one_wins(engine: Engine, clock: Clock) -> None:
    leases = Leases(engine, clock)
    start = threading.Barrier(8)
    won: list[str] = []

    def race(owner: str) -> None:
        start.wait()
        if leases.acquire("live-hearing-9", owner, TTL) is not None:
            won.append(owner)

    threads = [threading.Thread(target=race, args=(f"p{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1

    clock.advance(seconds=7)  # the winner died: race again for the run-out lease
    won.clear()
    start.reset()
    threads = [threading.Thread(target=race, args=(f"q{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    holder = leases.holder("live-hearing-9")
    assert holder is not None and holder.owner == won[0] and holder.token == 2


async def test_a_cluster_lock_waits_for_the_other_holder(engine: Engine) -> None:
    from tingshen_platform.leases import ClusterLock

    leases = Leases(engine)  # the real clock: the lock renews and waits in real time
    order: list[str] = []
    inside = asyncio.Event()
    leave = asyncio.Event()

    async def first() -> None:
        async with ClusterLock(leases, "closing-7", "p1"):
            order.append("p1 in")
            inside.set()
            await leave.wait()
            order.append("p1 out")

    async def second() -> None:
        await inside.wait()
        async with ClusterLock(leases, "closing-7", "p2", poll=timedelta(milliseconds=10)):
            order.append("p2 in")

    async def impatient() -> None:
        await inside.wait()
        with pytest.raises(TimeoutError):
            async with ClusterLock(leases, "closing-7", "p3", wait=timedelta(0)):
                order.append("p3 in")
        leave.set()  # p3 gave up while p1 held it; now p1 may go

    await asyncio.gather(first(), second(), impatient())
    assert order == ["p1 in", "p1 out", "p2 in"]
    assert leases.holder("closing-7") is None  # released at the end


async def test_work_runs_in_one_process_at_a_time(engine: Engine) -> None:
    from tingshen_platform.leases import run_once_per_cluster

    leases = Leases(engine)
    started, release = threading.Event(), threading.Event()
    done: list[str] = []

    def long_recovery() -> None:
        started.set()
        release.wait(timeout=30)
        done.append("p1")

    first = asyncio.ensure_future(run_once_per_cluster(leases, "recovery", "p1", long_recovery))
    await asyncio.to_thread(started.wait, 30)
    # p2 starts meanwhile: the same work is under way, so it skips it.
    assert not await run_once_per_cluster(leases, "recovery", "p2", lambda: done.append("p2"))
    release.set()
    assert await first
    assert await run_once_per_cluster(leases, "recovery", "p3", lambda: done.append("p3"))
    assert done == ["p1", "p3"]
    assert await run_once_per_cluster(None, "recovery", "alone", lambda: done.append("alone"))
