"""The pure transcript pieces: the CRDT document, the edit rules, the exports and the PDF."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from pycrdt import Array, Doc, Map, Text

from hearing_server.transcript.export import Header, to_json, to_srt, to_txt, to_vtt
from hearing_server.transcript.model import (
    Field,
    SegmentKind,
    SegmentStatus,
    SpeakerRef,
    WordView,
)
from hearing_server.transcript.policy import EditorRole, asr_may_replace, check_changes
from hearing_server.transcript.ydoc import NewSegment, TranscriptDoc, TranscriptDocError

JUDGE = SpeakerRef("staff-1", "审判长", "李审判")
PLAINTIFF = SpeakerRef("participant-1", "原告", "张三")
HEADER = Header(
    court="广州市越秀区人民法院",
    case_number="(2026)粤0104民初123号",
    cause_of_action="民间借贷纠纷",
    started_at=datetime(2026, 11, 28, 9, 30),
    place="第三法庭（在线）",
    presiding_judge="李审判",
    clerk="王书记",
    participants=(("原告", "张三"), ("被告", "李四")),
)


def _doc() -> TranscriptDoc:
    doc = TranscriptDoc()
    doc.append_commit(NewSegment("a", JUDGE, 0, 1800, "现在开庭。"))
    doc.append_commit(
        NewSegment(
            "b", PLAINTIFF, 2000, 3500, "我要求被告还款。", (WordView("还款", 3000, 3400, 0.3),)
        )
    )
    return doc


def _client_edit(doc: TranscriptDoc, index: int, at_char: int, text: str) -> bytes:
    client: Doc[Any] = Doc()
    client.apply_update(doc.encode_state())
    state = client.get_state()
    segment = client.get("segments", type=Array)[index]
    assert isinstance(segment, Map)
    target: Text = segment["text"]
    target.insert(len(str(target)[:at_char].encode()), text)
    return bytes(client.get_update(state))


def test_commits_are_kept_in_time_order_even_when_they_arrive_late() -> None:
    doc = _doc()
    doc.append_commit(NewSegment("late", JUDGE, 1900, 1990, "嗯。"))
    assert [s.id for s in doc.segments()] == ["a", "late", "b"]
    with pytest.raises(TranscriptDocError):
        doc.append_commit(NewSegment("a", JUDGE, 5000, 6000, "重复"))


def test_an_editors_update_is_reported_as_a_text_change_and_marks_the_segment_edited() -> None:
    doc = _doc()
    update = _client_edit(doc, 1, 7, "全部")
    changes = doc.apply_update(update).changes
    assert [(c.segment_id, c.field, c.before) for c in changes] == [
        ("b", Field.TEXT, "我要求被告还款。")
    ]
    doc.mark_edited(["b"])
    segment = doc.by_id()["b"]
    assert segment.status is SegmentStatus.EDITED and segment.asr_text == "我要求被告还款。"
    assert segment.words[0].low_confidence
    assert not asr_may_replace(segment)


def test_a_note_goes_after_the_chosen_segment_and_a_snapshot_round_trips() -> None:
    doc = _doc()
    doc.insert_note(NewSegment("n", SpeakerRef("", "", ""), 0, 0, "原告出示证据三"), after_id="a")
    copy = TranscriptDoc([doc.encode_state()])
    assert [(s.id, s.kind) for s in copy.segments()] == [
        ("a", SegmentKind.SPEECH),
        ("n", SegmentKind.NOTE),
        ("b", SegmentKind.SPEECH),
    ]
    assert copy.by_id()["n"].start_ms == 1800
    assert doc.update_since(copy.state_vector()) in (b"\x00\x00", b"\x00")


def test_garbage_is_refused_with_a_clear_error() -> None:
    with pytest.raises(TranscriptDocError):
        _doc().apply_update(b"\xff\x00garbage")
    with pytest.raises(TranscriptDocError):
        _doc().update_since(b"\xff\xff\xff")


def test_only_editors_edit_and_only_the_judge_locks() -> None:
    doc = _doc()
    before = doc.by_id()
    changes = (
        TranscriptDoc([doc.encode_state()]).apply_update(_client_edit(doc, 0, 0, "好，")).changes
    )
    assert check_changes(EditorRole.CLERK, changes, before).allowed
    assert check_changes(EditorRole.RECORDER, changes, before).allowed
    assert not check_changes(EditorRole.READER, changes, before).allowed
    lock = TranscriptDoc([doc.encode_state()])
    state = lock.state_vector()
    lock.set_locked("a", True)
    lock_changes = (
        TranscriptDoc([doc.encode_state()]).apply_update(lock.update_since(state)).changes
    )
    assert [c.field for c in lock_changes] == [Field.LOCKED]
    assert not check_changes(EditorRole.CLERK, lock_changes, before).allowed
    assert check_changes(EditorRole.JUDGE, lock_changes, before).allowed
    doc.set_locked("a", True)
    locked_before = doc.by_id()
    changes = doc.apply_update(_client_edit(doc, 0, 0, "好，")).changes
    verdict = check_changes(EditorRole.JUDGE, changes, locked_before)
    assert not verdict.allowed and "locked" in verdict.reason


def test_exports_carry_speakers_times_and_notes() -> None:
    doc = _doc()
    doc.insert_note(NewSegment("n", SpeakerRef("", "", ""), 0, 0, "原告出示证据三"), after_id="a")
    segments = doc.segments()
    txt = to_txt(HEADER, segments)
    assert "案号：(2026)粤0104民初123号" in txt
    assert "审判长李审判：现在开庭。\n（原告出示证据三）\n原告张三：我要求被告还款。" in txt
    srt = to_srt(segments)
    assert srt.startswith("1\n00:00:00,000 --> 00:00:01,800\n审判长李审判：现在开庭。\n")
    assert "原告出示证据三" not in srt
    vtt = to_vtt(segments)
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.800\n")
    data = json.loads(to_json(HEADER, segments, version=4))
    assert data["version"] == 4 and data["segments"][2]["words"][0]["confidence"] == 0.3
    assert [s["kind"] for s in data["segments"]] == ["speech", "note", "speech"]


def test_the_pdf_embeds_a_cjk_font_numbers_its_pages_and_is_reproducible() -> None:
    import pypdfium2 as pdfium

    from hearing_server.transcript.pdf import find_cjk_font, render_pdf

    doc = _doc()
    for n in range(80):
        doc.append_commit(
            NewSegment(
                f"s{n}", PLAINTIFF, 4000 + n * 1000, 4900 + n * 1000, "借款五万元已经到期。" * 3
            )
        )
    font = find_cjk_font()
    first = render_pdf(HEADER, doc.segments(), version=2, font=font)
    assert first == render_pdf(HEADER, doc.segments(), version=2, font=font)
    assert first != render_pdf(HEADER, doc.segments(), version=3, font=font)
    assert b"/FontFile2" in first  # the TrueType font is embedded, not referenced
    assert b"/Helvetica" not in first  # no page starts in a font that is not embedded (PDF/A)
    pdf = pdfium.PdfDocument(first)
    pages = len(pdf)
    assert pages > 2
    first_page = pdf[0].get_textpage().get_text_range()
    last_page = pdf[pages - 1].get_textpage().get_text_range()
    assert "庭 审 笔 录" in first_page and "(2026)粤0104民初123号" in first_page
    assert "审判长李审判：现在开庭。" in first_page
    assert f"第 {pages} 页 共 {pages} 页" in last_page
