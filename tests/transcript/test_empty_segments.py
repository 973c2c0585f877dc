"""Issue 13, defect 1: no segment without words reaches the document or the record, and an empty
one already there can be removed by an editor (with a revision)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from hearing_server.transcript.actions import Author, EditRefusedError, TranscriptActions
from hearing_server.transcript.export import Header, to_txt
from hearing_server.transcript.model import (
    Field,
    SegmentKind,
    SegmentStatus,
    SegmentView,
    SpeakerRef,
    WordView,
    is_blank,
    of_record,
)
from hearing_server.transcript.policy import EditorRole
from hearing_server.transcript.ydoc import NewSegment
from tests.transcript.test_actions import ListStore

DEFENDANT = SpeakerRef("participant-2", "defendant", "李娜")
CLERK = Author("user-2", "王书记", EditorRole.CLERK)
RECORDER = Author("user-3", "赵记录", EditorRole.RECORDER)
PARTY = Author("participant-2", "李娜", EditorRole.READER)


def _sent() -> list[dict[str, Any]]:
    return []


@pytest.mark.parametrize("text", ["", "   ", "。", "，。……", "?!"])
def test_blank_text_has_no_words(text: str) -> None:
    assert is_blank(text)


@pytest.mark.parametrize("text", ["嗯", "No.", "5", "我不同意。"])
def test_text_with_a_word_is_not_blank(text: str) -> None:
    assert not is_blank(text)


@pytest.mark.parametrize("text", ["", "  ", "。"])
async def test_a_commit_without_words_opens_no_segment(text: str) -> None:
    store = ListStore()
    actions = TranscriptActions(1, store, _sent().append)
    assert await actions.commit_asr(DEFENDANT, 0, 900, text) is None
    assert actions.doc.segments() == []
    assert store.updates == []


async def test_an_empty_commit_ends_the_utterance_and_punctuation_still_extends_one() -> None:
    actions = TranscriptActions(1, ListStore(), _sent().append)
    await actions.commit_asr(DEFENDANT, 0, 900, "我不同意", end_of_utterance=False)
    await actions.commit_asr(DEFENDANT, 900, 1000, "。", end_of_utterance=False)
    await actions.commit_asr(DEFENDANT, 1000, 1100, "", end_of_utterance=True)
    await actions.commit_asr(DEFENDANT, 2000, 2900, "还款期限未到。")
    assert [s.text for s in actions.doc.segments()] == ["我不同意。", "还款期限未到。"]


async def test_a_revision_that_takes_back_every_word_removes_the_segment() -> None:
    store = ListStore()
    actions = TranscriptActions(1, store, _sent().append)
    words = (WordView("谢", 0, 300, 0.2), WordView("谢", 300, 600, 0.2))
    await actions.commit_asr(DEFENDANT, 0, 600, "谢谢", words, end_of_utterance=False)
    assert await actions.revise_asr(DEFENDANT.key, words, (), "") is not None
    assert actions.doc.segments() == []
    assert (store.revisions[-1].field, store.revisions[-1].before) == (Field.DELETED, "谢谢")
    assert store.revisions[-1].author == "asr"


async def test_an_inserted_segment_needs_words() -> None:
    actions = TranscriptActions(1, ListStore(), _sent().append)
    with pytest.raises(EditRefusedError):
        await actions.insert_segment(CLERK, NewSegment("seg-x", DEFENDANT, 0, 900, "。"))
    assert actions.doc.segments() == []


async def _with_an_old_empty_row(store: ListStore) -> TranscriptActions:
    """A document written before the fix: an empty segment between two with words."""
    actions = TranscriptActions(1, store, _sent().append)
    await actions.commit_asr(DEFENDANT, 0, 900, "我不同意。")
    actions.doc.append_commit(NewSegment("seg-old", DEFENDANT, 1000, 1900, ""))
    return TranscriptActions(1, store, _sent().append, [*store.updates, *_persisted(actions)])


def _persisted(actions: TranscriptActions) -> list[Any]:
    from hearing_server.transcript.log import StoredUpdate

    update = actions.doc.encode_state()
    return [StoredUpdate(99, "asr", "ASR", update, datetime(2026, 1, 1, tzinfo=UTC))]


async def test_an_editor_removes_an_empty_row_and_the_revision_keeps_who_and_before() -> None:
    store = ListStore()
    actions = await _with_an_old_empty_row(store)
    assert [s.text for s in actions.doc.segments()] == ["我不同意。", ""]
    sent: list[dict[str, Any]] = []
    actions._broadcast = sent.append
    await actions.delete_blank_segment(RECORDER, "seg-old")
    assert [s.text for s in actions.doc.segments()] == ["我不同意。"]
    revision = store.revisions[-1]
    assert (revision.field, revision.author, revision.segment_id) == (
        Field.DELETED,
        "user-3",
        "seg-old",
    )
    assert sent and sent[-1]["type"] == "update"  # every editor's socket gets the removal


async def test_a_row_with_words_or_a_reader_cannot_delete() -> None:
    store = ListStore()
    actions = await _with_an_old_empty_row(store)
    first = actions.doc.segments()[0].id
    with pytest.raises(EditRefusedError, match="has words"):
        await actions.delete_blank_segment(CLERK, first)
    with pytest.raises(EditRefusedError):
        await actions.delete_blank_segment(PARTY, "seg-old")
    assert len(actions.doc.segments()) == 2


def _segment(segment_id: str, text: str) -> SegmentView:
    return SegmentView(
        segment_id, SegmentKind.SPEECH, DEFENDANT, 0, 900, text, SegmentStatus.COMMITTED
    )


def test_the_txt_record_never_prints_a_speaker_label_without_words() -> None:
    header = Header("某某人民法院", "(2026)京0105民初1号", "借款合同纠纷", None, "第一法庭", "", "")
    entries = [_segment("a", "我不同意。"), _segment("b", ""), _segment("c", "。")]
    text = to_txt(header, entries)
    assert "被告李娜：我不同意。" in text
    assert text.count("被告李娜") == 1
    assert [e.id for e in of_record(entries) if isinstance(e, SegmentView)] == ["a"]
