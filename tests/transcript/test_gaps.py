"""Recording gaps in the transcript: placed among the segments, written by the server only, in
every export; editors' updates that touch a gap are refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pycrdt import Array, Doc, Map

from hearing_server.live.hub import Speaker
from hearing_server.live.recorder import RecordedGap
from hearing_server.transcript.actions import (
    SERVER_AUTHOR,
    Author,
    EditRefusedError,
    TranscriptActions,
)
from hearing_server.transcript.bridge import gap_view
from hearing_server.transcript.export import gap_line, to_json, to_srt, to_txt, to_vtt
from hearing_server.transcript.model import Field, GapView, SpeakerRef, interleave
from hearing_server.transcript.policy import EditorRole, check_changes, gap_in_transcript
from hearing_server.transcript.ydoc import NewSegment, TranscriptDoc, TranscriptDocError, gap_map
from tests.transcript.test_actions import ListStore
from tests.transcript.test_documents import HEADER

JUDGE = SpeakerRef("staff-1", "presiding_judge", "李审判")
PLAINTIFF = SpeakerRef("participant-1", "plaintiff", "张三")
CLERK = Author("user-2", "王书记", EditorRole.CLERK)
JUDGE_AUTHOR = Author("user-1", "李审判", EditorRole.JUDGE)


def _gap(gap_id: str = "gap-1", start_ms: int = 2500, end_ms: int = 37_500) -> GapView:
    # 06:03:05Z is 14:03:05 in court time (UTC+8).
    start = datetime(2026, 11, 28, 6, 3, 5, tzinfo=UTC) + timedelta(milliseconds=start_ms - 2500)
    end = start + timedelta(milliseconds=end_ms - start_ms)
    return GapView(
        gap_id,
        PLAINTIFF,
        "mute",
        start_ms,
        end_ms,
        start.isoformat().replace("+00:00", "Z"),
        end.isoformat().replace("+00:00", "Z"),
    )


def _doc_with_gap() -> TranscriptDoc:
    doc = TranscriptDoc()
    doc.append_commit(NewSegment("a", JUDGE, 0, 1800, "现在开庭。"))
    doc.append_commit(NewSegment("b", PLAINTIFF, 40_000, 41_500, "我回来了。"))
    doc.append_gap(_gap())
    return doc


def _editor_update(doc_state: bytes, change: Any) -> bytes:
    client: Doc[Any] = Doc()
    client.apply_update(doc_state)
    state = client.get_state()
    change(client)
    return bytes(client.get_update(state))


def test_gaps_sit_before_the_first_segment_that_starts_after_them() -> None:
    doc = TranscriptDoc()
    for segment_id, start_ms in (("a", 0), ("b", 5000), ("c", 9000)):
        doc.append_commit(NewSegment(segment_id, PLAINTIFF, start_ms, start_ms + 1000, "话"))
    early, middle, late = _gap("g0", 0, 100), _gap("g1", 6000, 8000), _gap("g2", 20_000, 21_000)
    placed = interleave(doc.segments(), [late, middle, early])
    assert [e.id for e in placed] == ["a", "g0", "b", "g1", "c", "g2"]
    assert [e.id for e in interleave([], [late, early])] == ["g0", "g2"]


def test_a_gap_is_in_the_document_and_survives_a_reload() -> None:
    doc = _doc_with_gap()
    assert doc.gaps() == (_gap(),)
    assert [e.id for e in doc.entries()] == ["a", "gap-1", "b"]
    again = TranscriptDoc([doc.encode_state()])
    assert again.gaps() == (_gap(),) and len(again) == 2
    with pytest.raises(TranscriptDocError):
        doc.append_gap(_gap())


@pytest.mark.parametrize("how", ["change", "delete", "insert"])
def test_an_editor_update_touching_the_gaps_is_a_gap_change_nobody_may_make(how: str) -> None:
    doc = _doc_with_gap()

    def touch(client: Doc[Any]) -> None:
        gaps: Array[Any] = client.get("gaps", type=Array)
        if how == "change":
            entry = gaps[0]
            assert isinstance(entry, Map)
            entry["end_ms"] = 3000  # shorten the mute
        elif how == "delete":
            del gaps[0]
        else:
            gaps.append(gap_map(_gap("gap-forged", 100, 9000)))

    patch = doc.apply_update(_editor_update(doc.encode_state(), touch))
    assert any(c.field is Field.GAP for c in patch.changes)
    for role in EditorRole:
        verdict = check_changes(role, patch.changes, patch.before, patch.after)
        assert not verdict.allowed
    assert "server only" in check_changes(EditorRole.JUDGE, patch.changes, patch.before).reason


def test_a_stray_entry_in_the_gaps_array_is_refused_too() -> None:
    doc = _doc_with_gap()

    def stray(client: Doc[Any]) -> None:
        client.get("gaps", type=Array).append("not a gap")

    patch = doc.apply_update(_editor_update(doc.encode_state(), stray))
    assert doc.gaps() == (_gap(),)
    assert not check_changes(EditorRole.CLERK, patch.changes, patch.before).allowed


def test_editing_text_next_to_a_gap_is_still_allowed() -> None:
    doc = _doc_with_gap()

    def typing(client: Doc[Any]) -> None:
        segment = client.get("segments", type=Array)[1]
        assert isinstance(segment, Map)
        segment["text"].insert(0, "报告，")

    patch = doc.apply_update(_editor_update(doc.encode_state(), typing))
    assert [c.field for c in patch.changes] == [Field.TEXT]
    assert check_changes(EditorRole.CLERK, patch.changes, patch.before, patch.after).allowed


async def test_commit_gap_is_durable_attributed_to_the_server_and_written_once() -> None:
    store, sent = ListStore(), list[dict[str, Any]]()
    actions = await TranscriptActions.load(7, store, sent.append)
    await actions.commit_asr(PLAINTIFF, 0, 1000, "我是原告。")
    seq = await actions.commit_gap(_gap())
    assert seq == 2 and actions.doc.gaps() == (_gap(),)
    assert store.updates[-1].author_key == SERVER_AUTHOR.key == "server"
    (revision,) = [r for r in store.revisions if r.field is Field.GAP]
    assert revision.segment_id == "gap-1" and revision.author == "server"
    assert "mute" in revision.after and revision.seq == 2
    assert sent[-1]["type"] == "update" and sent[-1]["seq"] == 2
    assert await actions.commit_gap(_gap()) is None  # reported twice: written once
    assert len(store.updates) == 2
    reloaded = await TranscriptActions.load(7, store, sent.append)
    assert reloaded.doc.gaps() == (_gap(),)


async def test_an_edit_that_alters_a_gap_is_refused_and_forgotten() -> None:
    store, sent = ListStore(), list[dict[str, Any]]()
    actions = await TranscriptActions.load(7, store, sent.append)
    await actions.commit_gap(_gap())

    def shorten(client: Doc[Any]) -> None:
        entry = client.get("gaps", type=Array)[0]
        assert isinstance(entry, Map)
        entry["reason"] = "left"

    update = _editor_update(actions.snapshot()[1], shorten)
    with pytest.raises(EditRefusedError, match="server only"):
        await actions.edit(JUDGE_AUTHOR, update)
    assert actions.doc.gaps() == (_gap(),) and actions.seq == 1 and len(store.updates) == 1


def test_short_mutes_stay_out_of_the_transcript_other_gaps_do_not() -> None:
    assert not gap_in_transcript("mute", 1999)
    assert gap_in_transcript("mute", 2000)
    assert gap_in_transcript("disconnect", 300)
    assert gap_in_transcript("restart", 1)
    assert not gap_in_transcript("left", 0)


def test_a_recorded_gap_is_placed_on_the_segments_clock() -> None:
    live_start = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    gap = RecordedGap(
        "participant-1",
        live_start + timedelta(seconds=185),
        live_start + timedelta(seconds=220),
        "mute",
    )
    view = gap_view(Speaker("participant-1", 1, "plaintiff", "张三"), gap, live_start)
    assert (view.start_ms, view.end_ms, view.duration_ms) == (185_000, 220_000, 35_000)
    assert view.speaker == PLAINTIFF and view.reason == "mute"
    assert view.start_utc == "2026-11-28T06:03:05.000000Z"
    assert view.id == gap_view(Speaker("participant-1", 1, "plaintiff", "张三"), gap, live_start).id
    assert len(view.id) <= 64


def test_exports_show_the_gap_in_place() -> None:
    doc = _doc_with_gap()
    line = "—— 原告张三 静音 14:03:05–14:03:40（35 秒）——"
    assert gap_line(_gap()) == line
    txt = to_txt(HEADER, doc.entries()).splitlines()
    at = txt.index(line)
    assert txt[at - 1].endswith("现在开庭。") and txt[at + 1] == "原告张三：我回来了。"
    data = json.loads(to_json(HEADER, doc.entries(), version=3))
    assert [s["id"] for s in data["segments"]] == ["a", "b"]
    (gap,) = data["gaps"]
    assert gap["after_segment"] == "a" and gap["reason"] == "mute"
    assert (gap["start_ms"], gap["end_ms"]) == (2500, 37_500)
    vtt = to_vtt(doc.entries())
    assert vtt.index("现在开庭") < vtt.index(f"NOTE {line}") < vtt.index("我回来了")
    assert "静音" not in to_srt(doc.entries()) and "我回来了" in to_srt(doc.entries())


def test_gap_durations_read_naturally() -> None:
    assert gap_line(_gap(end_ms=2500 + 125_000)).endswith("（2 分 5 秒）——")
    assert gap_line(_gap(end_ms=2500 + 3_720_000)).endswith("（1 小时 2 分）——")
    odd = GapView("g", SpeakerRef("k", "unknown", "k"), "unplugged", 0, 1000, "bad", "")
    assert gap_line(odd) == "—— unknownk unplugged ?–?（1 秒）——"  # shown, not dropped


def test_the_pdf_shows_the_gap_in_place() -> None:
    import pypdfium2 as pdfium

    from hearing_server.transcript.pdf import find_cjk_font, render_pdf

    doc = _doc_with_gap()
    data = render_pdf(HEADER, doc.entries(), version=3, font=find_cjk_font())
    text = pdfium.PdfDocument(data)[0].get_textpage().get_text_range()
    assert text.index("现在开庭") < text.index("静音 14:03:05–14:03:40") < text.index("我回来了")
