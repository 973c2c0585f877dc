"""Two server processes hold rooms of one hearing: they meet on the bus and in the store.

Each "process" is a :class:`DocumentRooms` with its own bus connection (a shared in-process bus,
or its own Redis connection) over one store that, like the database, refuses a sequence number
that is taken. Every socket on either side must see every update once, in order, and both copies
must end equal to the store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from pycrdt import Array, Doc, Map

from hearing_server.transcript.actions import Author, EditRefusedError, TranscriptActions
from hearing_server.transcript.fanout import DocumentRooms, Subscriber
from hearing_server.transcript.log import SeqTakenError, StoredUpdate
from hearing_server.transcript.model import Revision, SpeakerRef
from hearing_server.transcript.policy import EditorRole
from hearing_server.transcript.ydoc import TranscriptDoc
from tests.server.conftest import START
from tests.transcript.test_actions import CLERK, ListStore, _typing
from tingshen_platform.bus import InProcessBus

HEARING = 7
JUDGE = SpeakerRef("user-1", "审判长", "李审判长")
JUDGE_EDITOR = Author("user-1", "李审判长", EditorRole.JUDGE)


class SharedStore(ListStore):
    """The database's unique ``(hearing_id, seq)``: a second writer of a number is refused."""

    def append(
        self, hearing_id: int, updates: Sequence[StoredUpdate], revisions: Sequence[Revision]
    ) -> None:
        taken = {u.seq for u in self.updates}
        if any(u.seq in taken for u in updates):
            raise SeqTakenError(f"seq {updates[0].seq} taken")
        super().append(hearing_id, updates, revisions)


async def _next_update(subscriber: Subscriber) -> dict[str, Any]:
    while True:
        message = await asyncio.wait_for(subscriber.queue.get(), 10)
        assert message is not None, "the subscription ended"
        if message["type"] == "update":
            return message


def _locking(actions: TranscriptActions, index: int) -> bytes:
    """The judge's editor locks a segment."""
    client: Doc[Any] = Doc()
    client.apply_update(actions.snapshot()[1])
    state = client.get_state()
    segment = client.get("segments", type=Array)[index]
    assert isinstance(segment, Map)
    segment["locked"] = True
    return bytes(client.get_update(state))


async def test_an_edit_through_one_process_reaches_the_sockets_of_the_other(make_bus) -> None:
    store = SharedStore()
    one, two = DocumentRooms(store, bus=make_bus()), DocumentRooms(store, bus=make_bus())
    try:
        room_one, room_two = await one.get(HEARING), await two.get(HEARING)
        assert room_one.actions is not None and room_two.actions is not None
        watcher = room_two.subscribe()
        seq = await room_one.actions.commit_asr(JUDGE, 0, 1200, "现在开庭。")
        message = await _next_update(watcher)
        assert message["seq"] == seq == 1
        assert [v.text for v in room_two.actions.doc.segments()] == ["现在开庭。"]

        # The clerk, connected to the second process, corrects the text: back to the first.
        mine = room_one.subscribe()
        edit = _typing(room_two.actions, 0, "请坐。")
        seq = await room_two.actions.edit(CLERK, edit)
        assert (await _next_update(mine))["seq"] == 2
        assert seq == 3  # the edit and its "edited" mark, one durable step
        assert (await _next_update(mine))["seq"] == 3
        assert [v.text for v in room_one.actions.doc.segments()] == ["现在开庭。请坐。"]
    finally:
        await one.aclose()
        await two.aclose()


async def test_writers_on_two_processes_racing_lose_nothing_and_agree(make_bus) -> None:
    store = SharedStore()
    one, two = DocumentRooms(store, bus=make_bus()), DocumentRooms(store, bus=make_bus())
    try:
        rooms = [await one.get(HEARING), await two.get(HEARING)]
        watchers = [room.subscribe() for room in rooms]
        writes = []
        for n in range(20):
            for side, room in enumerate(rooms):
                assert room.actions is not None
                speaker = SpeakerRef(f"participant-{side}", "原告", f"当事人{side}")
                writes.append(
                    room.actions.commit_asr(speaker, n * 1000, n * 1000 + 500, f"{side}-{n}")
                )
        seqs = [seq for seq in await asyncio.gather(*writes) if seq is not None]

        assert sorted(seqs) == list(range(1, 41))  # every write stored, each under its own number
        assert [u.seq for u in store.updates] == list(range(1, 41))
        for watcher in watchers:  # every socket: every update once, in order
            got = [(await _next_update(watcher))["seq"] for _ in range(40)]
            assert got == list(range(1, 41))
        truth = TranscriptDoc([u.update for u in store.updates])
        for room in rooms:
            assert room.actions is not None
            assert room.actions.doc.segments() == truth.segments()
        assert len(truth.segments()) == 40
    finally:
        await one.aclose()
        await two.aclose()


class DroppingBus(InProcessBus):
    """Loses the next ``drop`` messages (a Redis reconnect, a full queue on the way)."""

    def __init__(self) -> None:
        super().__init__()
        self.drop = 0

    async def publish(self, topic: str, message: bytes) -> None:
        if self.drop:
            self.drop -= 1
            return
        await super().publish(topic, message)


async def test_a_lost_bus_message_is_read_from_the_store_before_the_next_one() -> None:
    store, bus = SharedStore(), DroppingBus()
    one, two = DocumentRooms(store, bus=bus), DocumentRooms(store, bus=bus)
    try:
        room_one, room_two = await one.get(HEARING), await two.get(HEARING)
        assert room_one.actions is not None and room_two.actions is not None
        watcher = room_two.subscribe()
        bus.drop = 1
        await room_one.actions.commit_asr(JUDGE, 0, 1000, "第一句。")  # lost on the way
        await room_one.actions.commit_asr(JUDGE, 2000, 3000, "第二句。")
        assert [(await _next_update(watcher))["seq"] for _ in range(2)] == [1, 2]
        assert [v.text for v in room_two.actions.doc.segments()] == ["第一句。", "第二句。"]
    finally:
        await one.aclose()
        await two.aclose()


async def test_a_stale_copy_checks_an_edit_against_the_document_as_it_really_is() -> None:
    """The second process never heard of the first one's lock (its bus message was lost); its
    clerk's edit of the locked text is refused once the store shows the copy was behind."""
    store, bus = SharedStore(), DroppingBus()
    one, two = DocumentRooms(store, bus=bus), DocumentRooms(store, bus=bus)
    try:
        room_one, room_two = await one.get(HEARING), await two.get(HEARING)
        assert room_one.actions is not None and room_two.actions is not None
        await room_one.actions.commit_asr(JUDGE, 0, 1000, "现在开庭。")
        await room_two.actions.catch_up()
        edit = _typing(room_two.actions, 0, "（修改）")
        bus.drop = 1
        seq = await room_one.actions.edit(JUDGE_EDITOR, _locking(room_one.actions, 0))
        assert seq == 2 and room_two.actions.seq == 1  # the second copy is behind
        with pytest.raises(EditRefusedError, match="locked"):
            await room_two.actions.edit(CLERK, edit)
        assert [v.text for v in room_two.actions.doc.segments()] == ["现在开庭。"]
        assert [u.seq for u in store.updates] == [1, 2]
    finally:
        await one.aclose()
        await two.aclose()


async def test_a_correction_on_another_process_reaches_the_room_live_panel() -> None:
    """The live session runs on process two; the clerk corrects through process one: the
    correction reaches the room's live panel (the hub) through the bus and the document."""
    from hearing_server.live.registry import LiveRegistry
    from hearing_server.live.room import LiveSpec
    from hearing_server.rtc.ice import IceSettings
    from hearing_server.transcript.bridge import document_view, live_panel_listener
    from tests.server.live_fakes import FakeStreams

    store, bus = SharedStore(), InProcessBus()
    one, two = DocumentRooms(store, bus=bus), DocumentRooms(store, bus=bus)
    registry = LiveRegistry(
        ice=IceSettings(host_addresses=("127.0.0.1",)),
        streams=FakeStreams(),
        clock=lambda: START,
        document=document_view(two),
    )
    two.listeners.append(live_panel_listener(two, registry))
    try:
        live = registry.get_or_create(HEARING, lambda: LiveSpec(hearing_id=HEARING))
        await live.ready()
        _, panel = live.hub.subscribe()
        owner = await two.get(HEARING)
        assert owner.actions is not None
        await owner.actions.commit_asr(JUDGE, 0, 1500, "现在开庭。", start_utc=START.isoformat())
        shown = await asyncio.wait_for(panel.next(), 10)
        assert shown is not None and shown["type"] == "segment"
        assert shown["segment"]["text"] == "现在开庭。" and not shown["segment"]["edited"]

        clerks = await one.get(HEARING)
        assert clerks.actions is not None
        await clerks.actions.catch_up()
        await clerks.actions.edit(CLERK, _typing(clerks.actions, 0, "请坐。"))
        while True:
            message = await asyncio.wait_for(panel.next(), 10)
            assert message is not None
            if message["type"] == "segment" and message["segment"]["edited"]:
                break
        assert message["segment"]["id"] == shown["segment"]["id"]
        assert message["segment"]["text"] == "现在开庭。请坐。"
        await live.close()
    finally:
        await one.aclose()
        await two.aclose()
