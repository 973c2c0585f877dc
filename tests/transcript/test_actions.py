"""Validate → apply → persist → ack → broadcast, with a store that can fail."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import pytest
from pycrdt import Array, Doc, Map, Text

from hearing_server.transcript.actions import (
    Author,
    EditRefusedError,
    StoredUpdate,
    TranscriptActions,
)
from hearing_server.transcript.model import Field, Revision, SegmentStatus, SpeakerRef
from hearing_server.transcript.policy import EditorRole

PLAINTIFF = SpeakerRef("participant-1", "原告", "张三")
CLERK = Author("user-2", "王书记", EditorRole.CLERK)
PARTY = Author("participant-1", "张三", EditorRole.READER)


class ListStore:
    def __init__(self) -> None:
        self.updates: list[StoredUpdate] = []
        self.revisions: list[Revision] = []
        self.fail_next = False

    def load(self, hearing_id: int) -> list[StoredUpdate]:
        return list(self.updates)

    def since(self, hearing_id: int, seq: int) -> list[StoredUpdate]:
        return [u for u in self.updates if u.seq > seq]

    def append(
        self, hearing_id: int, updates: Sequence[StoredUpdate], revisions: Sequence[Revision]
    ) -> None:
        if self.fail_next:
            self.fail_next = False
            raise OSError("disk full")
        self.updates.extend(updates)
        self.revisions.extend(revisions)


def _typing(actions: TranscriptActions, index: int, text: str) -> bytes:
    client: Doc[Any] = Doc()
    client.apply_update(actions.snapshot()[1])
    state = client.get_state()
    segment = client.get("segments", type=Array)[index]
    assert isinstance(segment, Map)
    target: Text = segment["text"]
    target.insert(len(str(target).encode()), text)
    return bytes(client.get_update(state))


async def test_an_edit_is_durable_before_it_is_acknowledged_and_broadcast() -> None:
    store, sent = ListStore(), list[dict[str, Any]]()
    actions = await TranscriptActions.load(7, store, sent.append)
    await actions.commit_asr(PLAINTIFF, 0, 900, "我要求被告还款")
    seq = await actions.edit(CLERK, _typing(actions, 0, "。"))
    assert seq == 3  # the edit, then the server's "edited" mark
    assert [u.seq for u in store.updates] == [1, 2, 3]
    assert [m["seq"] for m in sent] == [1, 2, 3]
    assert sent[1]["author"] == {"key": "user-2", "name": "王书记"}
    segment = actions.doc.segments()[0]
    assert segment.text == "我要求被告还款。" and segment.status is SegmentStatus.EDITED
    revision = store.revisions[-1]
    assert (revision.field, revision.before, revision.after, revision.author) == (
        Field.TEXT,
        "我要求被告还款",
        "我要求被告还款。",
        "user-2",
    )
    # A restart rebuilds the same document from storage alone.
    again = await TranscriptActions.load(7, store, list[dict[str, Any]]().append)
    assert again.doc.segments() == actions.doc.segments() and again.seq == 3
    missed = await again.missed(since=1)
    assert [m.seq for m in missed] == [2, 3]
    assert base64.b64decode(missed[0].message()["update"]) == missed[0].update


async def test_parties_and_garbage_are_refused_and_change_nothing() -> None:
    store, sent = ListStore(), list[dict[str, Any]]()
    actions = await TranscriptActions.load(7, store, sent.append)
    await actions.commit_asr(PLAINTIFF, 0, 900, "我要求被告还款")
    with pytest.raises(EditRefusedError, match="only the judge"):
        await actions.edit(PARTY, _typing(actions, 0, "！"))
    with pytest.raises(EditRefusedError, match="not a transcript update"):
        await actions.edit(CLERK, b"\xff\xfe\x00junk")
    assert actions.seq == 1 and len(store.updates) == 1 and len(sent) == 1
    assert actions.doc.segments()[0].text == "我要求被告还款"


async def test_a_failed_write_is_not_acknowledged_not_broadcast_and_not_kept_in_memory() -> None:
    store, sent = ListStore(), list[dict[str, Any]]()
    actions = await TranscriptActions.load(7, store, sent.append)
    await actions.commit_asr(PLAINTIFF, 0, 900, "我要求被告还款")
    store.fail_next = True
    with pytest.raises(OSError):
        await actions.edit(CLERK, _typing(actions, 0, "。"))
    assert actions.seq == 1 and len(sent) == 1
    assert actions.doc.segments()[0].text == "我要求被告还款"
    assert await actions.edit(CLERK, _typing(actions, 0, "。")) == 3


async def test_asr_commits_of_one_utterance_grow_one_segment_after_what_a_person_typed() -> None:
    store = ListStore()
    actions = await TranscriptActions.load(7, store, list[dict[str, Any]]().append)
    judge = SpeakerRef("staff-1", "审判长", "李审判")
    await actions.commit_asr(PLAINTIFF, 0, 900, "我要求", end_of_utterance=False)
    await actions.commit_asr(judge, 500, 800, "嗯。")  # another speaker meanwhile: own segment
    await actions.edit(CLERK, _typing(actions, 0, "法院判令"))
    await actions.commit_asr(PLAINTIFF, 900, 2000, "被告还款。", end_of_utterance=True)
    await actions.commit_asr(PLAINTIFF, 3000, 3900, "Thank you", end_of_utterance=False)
    await actions.commit_asr(PLAINTIFF, 3900, 4500, "judge.", end_of_utterance=True)
    segments = actions.doc.segments()
    assert [(s.speaker.key, s.text) for s in segments] == [
        ("participant-1", "我要求法院判令被告还款。"),
        ("staff-1", "嗯。"),
        ("participant-1", "Thank you judge."),
    ]
    assert segments[0].asr_text == "我要求被告还款。" and segments[0].end_ms == 2000
    again = await TranscriptActions.load(7, store, list[dict[str, Any]]().append)
    assert again.doc.segments() == segments
