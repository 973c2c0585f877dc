"""TranscriptHub: sequence numbers, snapshot + since, bounded buffer, slow-subscriber disconnect;
the committed text is the transcript document's rows (``document``), published as they change."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from asr.types import Gap, Partial, Word
from hearing_server.errors import WS_CLOSE_HEARING_CLOSED, WS_CLOSE_OVERFLOW, WS_CLOSE_REMOVED
from hearing_server.live.hub import Message, Speaker, TranscriptHub

STARTED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PLAINTIFF = Speaker("participant-1", 1, "plaintiff", "张伟")
DEFENDANT = Speaker("participant-2", 2, "defendant", "李娜")


def words(text: str, start_ms: int = 0) -> tuple[Word, ...]:
    return tuple(
        Word(ch, start_ms + 200 * i, start_ms + 200 * (i + 1), 0.9) for i, ch in enumerate(text)
    )


class Document:
    """What the transcript document's listener hands the hub: every row, after each change."""

    def __init__(self, hub: TranscriptHub) -> None:
        self.hub = hub
        self.rows: list[Message] = []

    def commit(self, speaker: Speaker, text: str, start_ms: int = 0) -> Message:
        row = {
            "id": f"seg-{len(self.rows) + 1}",
            **speaker.label(),
            "start_ms": start_ms,
            "end_ms": start_ms + 200 * len(text),
            "text": text,
            "edited": False,
        }
        self.rows.append(row)
        (published,) = self.hub.document(self.rows)
        return published


def partial(text: str, start_ms: int = 0) -> Partial:
    return Partial(words(text, start_ms), "zh", start_ms + 200 * len(text))


def test_every_change_gets_the_next_sequence_number() -> None:
    hub = TranscriptHub(started_at=STARTED)
    doc = Document(hub)
    seqs = [
        hub.partial(PLAINTIFF, partial("原告"), offset_ms=0)["seq"],
        doc.commit(PLAINTIFF, "原告陈述")["seq"],
        hub.gap(DEFENDANT, Gap(0, 500), offset_ms=100)["seq"],
        doc.commit(DEFENDANT, "被告答辩")["seq"],
    ]
    assert seqs == [1, 2, 3, 4]
    assert hub.seq == 4


def test_snapshot_holds_the_document_rows_and_current_partials() -> None:
    hub = TranscriptHub(started_at=STARTED)
    doc = Document(hub)
    doc.commit(PLAINTIFF, "借款", 1000)
    hub.partial(DEFENDANT, partial("我方", 500), offset_ms=2000)
    hub.partial(PLAINTIFF, partial("五万", 800), offset_ms=1000)
    doc.commit(PLAINTIFF, "五万元", 1800)
    ended = hub.utterance_ended(PLAINTIFF)  # its words are in the document: the partial goes
    assert ended is not None and ended["partial"]["text"] == ""
    assert hub.utterance_ended(PLAINTIFF) is None  # nothing left to clear
    snapshot = hub.snapshot()
    assert snapshot["seq"] == 5
    assert snapshot["segments"] == doc.rows
    assert set(snapshot["partials"]) == {"participant-2"}
    assert snapshot["partials"]["participant-2"]["text"] == "我方"
    assert snapshot["partials"]["participant-2"]["start_ms"] == 2500
    assert hub.at(1000) == "2026-11-30T09:00:01+00:00"


def test_since_returns_missed_changes_or_none_when_too_old() -> None:
    hub = TranscriptHub(started_at=STARTED, buffer_size=3)
    doc = Document(hub)
    for i in range(5):
        doc.commit(PLAINTIFF, f"第{i}句")
    assert hub.since(5) == []
    missed = hub.since(3)
    assert missed is not None and [m["seq"] for m in missed] == [4, 5]
    assert [m["seq"] for m in hub.since(2) or []] == [3, 4, 5]
    assert hub.since(1) is None  # seq 2 has left the ring buffer
    assert hub.since(6) is None  # from the future (e.g. another server run)
    assert hub.since(-1) is None


def test_subscribe_with_since_gets_missed_changes_else_snapshot() -> None:
    hub = TranscriptHub(started_at=STARTED, buffer_size=2)
    doc = Document(hub)
    doc.commit(PLAINTIFF, "一")
    doc.commit(PLAINTIFF, "二")
    initial, _ = hub.subscribe(since=1)
    assert [(m["type"], m["seq"]) for m in initial] == [("segment", 2)]
    doc.commit(PLAINTIFF, "三")
    initial, _ = hub.subscribe(since=0)
    assert [(m["type"], m["seq"]) for m in initial] == [("snapshot", 3)]
    assert len(initial[0]["segments"]) == 3


async def test_subscriber_receives_changes_after_its_snapshot_in_order() -> None:
    hub = TranscriptHub(started_at=STARTED)
    doc = Document(hub)
    doc.commit(PLAINTIFF, "之前")
    initial, sub = hub.subscribe()
    assert initial[0]["seq"] == 1
    hub.partial(DEFENDANT, partial("之"), offset_ms=0)
    doc.commit(DEFENDANT, "之后")
    got = [await asyncio.wait_for(sub.next(), 1), await asyncio.wait_for(sub.next(), 1)]
    assert [(m and m["type"], m and m["seq"]) for m in got] == [("partial", 2), ("segment", 3)]


async def test_a_slow_subscriber_is_dropped_without_blocking_the_hub() -> None:
    hub = TranscriptHub(started_at=STARTED, queue_size=3)
    doc = Document(hub)
    _, slow = hub.subscribe()
    _, fast = hub.subscribe()
    for i in range(3):
        doc.commit(PLAINTIFF, f"{i}")
        assert await fast.next() is not None
    doc.commit(PLAINTIFF, "溢出")  # slow already holds 3: dropped
    assert slow.close_code == WS_CLOSE_OVERFLOW and "since" in slow.close_reason
    assert await asyncio.wait_for(slow.next(), 1) is None  # queue cleared, then the end marker
    assert hub.subscriber_count == 1
    message = await asyncio.wait_for(fast.next(), 1)
    assert message is not None and message["seq"] == 4
    # The dropped client resyncs from its last seen seq (3 was never read, but buffered).
    initial, _ = hub.subscribe(since=2)
    assert [m["seq"] for m in initial] == [3, 4]


def test_ring_buffer_is_bounded() -> None:
    hub = TranscriptHub(started_at=STARTED, buffer_size=10)
    for i in range(100):
        hub.partial(PLAINTIFF, partial(str(i)), offset_ms=0)
    assert hub.since(90) is not None
    assert hub.since(89) is None


async def test_closing_ends_every_subscription() -> None:
    hub = TranscriptHub(started_at=STARTED)
    _, sub = hub.subscribe()
    hub.close()
    assert await asyncio.wait_for(sub.next(), 1) is None
    assert sub.close_code == WS_CLOSE_HEARING_CLOSED
    _, late = hub.subscribe()
    assert late.closed


def test_invalid_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        TranscriptHub(started_at=STARTED, queue_size=0)


async def test_closing_delivers_the_hearing_closed_message_first() -> None:
    hub = TranscriptHub(started_at=STARTED)
    doc = Document(hub)
    _, sub = hub.subscribe()
    doc.commit(PLAINTIFF, "最后一句")
    hub.hearing_closed()
    hub.close()
    got = [await asyncio.wait_for(sub.next(), 1) for _ in range(3)]
    assert [m and m["type"] for m in got] == ["segment", "hearing", None]


def test_only_what_changed_in_the_document_is_published() -> None:
    hub = TranscriptHub(started_at=STARTED)
    doc = Document(hub)
    doc.commit(PLAINTIFF, "一")
    doc.commit(DEFENDANT, "二")
    assert hub.document(doc.rows) == []  # the same rows again: nothing
    doc.rows[0] = {**doc.rows[0], "text": "一（更正）", "edited": True}  # a clerk's correction
    (corrected,) = hub.document(doc.rows)
    assert corrected["type"] == "segment" and corrected["segment"]["text"] == "一（更正）"
    merged = [doc.rows[0]]  # the second merged into the first
    (removed,) = hub.document(merged)
    assert removed == {"seq": 4, "type": "segment_removed", "id": "seg-2"}
    assert hub.snapshot()["segments"] == merged


def test_since_from_another_hub_gets_a_snapshot() -> None:
    hub = TranscriptHub(started_at=STARTED)
    doc = Document(hub)
    doc.commit(PLAINTIFF, "一")
    doc.commit(PLAINTIFF, "二")
    same, _ = hub.subscribe(since=1, live_id=hub.live_id)
    other, _ = hub.subscribe(since=1, live_id="a-previous-server-run")
    assert [m["type"] for m in same] == ["segment"]
    assert [m["type"] for m in other] == ["snapshot"]


async def test_end_for_ends_only_that_persons_subscriptions() -> None:
    hub = TranscriptHub(started_at=STARTED)
    _, removed = hub.subscribe(key="participant-1")
    _, other = hub.subscribe(key="participant-2")
    assert hub.end_for("participant-1", WS_CLOSE_REMOVED, "removed: by the judge") == 1
    assert await asyncio.wait_for(removed.next(), 1) is None
    assert removed.close_code == WS_CLOSE_REMOVED
    hub.presence({"speaker": "participant-1", "state": "removed"})
    message = await asyncio.wait_for(other.next(), 1)
    assert message is not None and message["presence"]["state"] == "removed"
    assert hub.snapshot()["presence"]["participant-1"]["state"] == "removed"
