"""The fan-out bus contract, for the in-process bus and Redis pub/sub (Redis on 127.0.0.1:6379,
as this project's machines run it; a unique channel prefix per test)."""

from __future__ import annotations


async def test_every_subscriber_gets_every_message_in_order(make_bus) -> None:
    bus = make_bus()
    first, second = await bus.subscribe("hearing:7"), await bus.subscribe("hearing:7")
    other = await bus.subscribe("hearing:8")
    for n in range(5):
        await bus.publish("hearing:7", f"m{n}".encode())
    await bus.publish("hearing:8", b"elsewhere")
    for sub in (first, second):
        assert [await sub.get() for _ in range(5)] == [f"m{n}".encode() for n in range(5)]
    assert await other.get() == b"elsewhere"
    assert not first.overflowed


async def test_a_message_crosses_to_another_bus_on_the_same_medium(make_bus) -> None:
    """Two server processes: what one publishes, the other's subscribers get."""
    here, there = make_bus(), make_bus()
    sub = await there.subscribe("hearing:7")
    await here.publish("hearing:7", "原告陈述".encode())
    assert (await sub.get()).decode() == "原告陈述"


async def test_no_history_and_nothing_after_close(make_bus) -> None:
    bus = make_bus()
    early = await bus.subscribe("t")
    await bus.publish("t", b"before")
    assert await early.get() == b"before"  # delivered: no longer in flight
    late = await bus.subscribe("t")
    await bus.publish("t", b"after")
    assert await early.get() == b"after"
    assert await late.get() == b"after"
    await early.close()
    await bus.publish("t", b"gone")
    assert [m async for m in early] == []
    assert await late.get() == b"gone"


async def test_a_slow_subscriber_loses_the_oldest_and_is_told(make_bus) -> None:
    bus = make_bus()
    slow = await bus.subscribe("t", max_queued=3)
    fast = await bus.subscribe("t")
    for n in range(5):
        await bus.publish("t", str(n).encode())
    assert [await fast.get() for _ in range(5)] == [str(n).encode() for n in range(5)]
    # By now every message has reached the slow one's queue, of which the last 3 stay.
    assert slow.overflowed
    assert [await slow.get() for _ in range(3)] == [b"2", b"3", b"4"]
