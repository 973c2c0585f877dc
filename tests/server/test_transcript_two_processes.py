"""The transcript's store decides between two server processes writing one hearing's log: the
database's unique ``(hearing_id, seq)`` refuses the second writer of a number, which reads what
it missed and writes again (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from hearing_server.context import ServerContext
from hearing_server.transcript.actions import TranscriptActions
from hearing_server.transcript.model import SpeakerRef
from hearing_server.transcript.store import SqlUpdateStore
from tests.server.conftest import World

JUDGE = SpeakerRef("user-1", "审判长", "李审判长")


async def test_a_writer_that_was_behind_reads_what_it_missed_and_writes_after_it(
    ctx: ServerContext, world: World
) -> None:
    hearing = world.hearing_a
    sent_one: list[dict[str, Any]] = []
    sent_two: list[dict[str, Any]] = []
    one = await TranscriptActions.load(
        hearing, SqlUpdateStore(ctx.session_factory), sent_one.append
    )
    two = await TranscriptActions.load(
        hearing, SqlUpdateStore(ctx.session_factory), sent_two.append
    )

    assert await one.commit_asr(JUDGE, 0, 1000, "现在开庭。") == 1
    assert two.seq == 0  # it has not heard (no bus here)
    assert await two.commit_asr(JUDGE, 2000, 3000, "请当事人陈述。") == 2

    # The second process's sockets got the first one's update before its own, in order.
    assert [m["seq"] for m in sent_two] == [1, 2]
    assert [v.text for v in two.doc.segments()] == ["现在开庭。", "请当事人陈述。"]
    stored = SqlUpdateStore(ctx.session_factory).load(hearing)
    assert [u.seq for u in stored] == [1, 2]
    await one.catch_up()
    assert [m["seq"] for m in sent_one] == [1, 2]
    assert one.doc.segments() == two.doc.segments()
