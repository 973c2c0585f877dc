"""Aligning re-transcribed words with the transcript's segments (pure; no model, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from asr.types import Word
from hearing_server.retranscribe.align import align_track, place_segments
from hearing_server.transcript.model import SegmentKind, SegmentStatus, SegmentView, SpeakerRef

ORIGIN = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
LIVE_OFFSET_MS = 5_000
"""The live session started 5 s before the recording's origin: document ms = recording ms + 5 s."""

PLAINTIFF = SpeakerRef("participant-1", "plaintiff", "张伟")
JUDGE = SpeakerRef("staff-2", "judge", "审判长")


def segment(
    segment_id: str,
    rec_start_ms: int,
    rec_end_ms: int,
    text: str,
    speaker: SpeakerRef = PLAINTIFF,
    *,
    edited: bool = False,
    kind: SegmentKind = SegmentKind.SPEECH,
    placed: bool = True,
) -> SegmentView:
    start_utc = (ORIGIN + timedelta(milliseconds=rec_start_ms)).isoformat() if placed else ""
    return SegmentView(
        id=segment_id,
        kind=kind,
        speaker=speaker,
        start_ms=rec_start_ms + LIVE_OFFSET_MS,
        end_ms=rec_end_ms + LIVE_OFFSET_MS,
        text=text,
        status=SegmentStatus.EDITED if edited else SegmentStatus.COMMITTED,
        start_utc=start_utc,
    )


def words(*items: tuple[str, int, int]) -> list[Word]:
    return [Word(text, start, end, 0.9) for text, start, end in items]


def test_words_inside_a_segment_propose_its_new_text_only_when_it_reads_differently() -> None:
    placed = place_segments(
        [
            segment("seg-1", 1000, 3000, "I want the loan back."),
            segment("seg-2", 4000, 6000, "The interest is six percent"),
        ],
        ORIGIN,
    )
    heard = words(
        (" I", 1000, 1200),
        (" want", 1200, 1500),
        (" the", 1500, 1600),
        (" loan", 1600, 2000),
        (" back", 2000, 2900),
        (" the", 4000, 4200),
        (" interest", 4200, 4800),
        (" is", 4800, 5000),
        (" five", 5000, 5400),
        (" percent.", 5400, 5900),
    )
    (proposal,) = align_track(placed, "participant-1", heard, "en", ORIGIN)
    assert proposal.segment_id == "seg-2"  # seg-1 differs only in punctuation: no suggestion
    assert proposal.current_text == "The interest is six percent"
    assert proposal.proposed_text == "the interest is five percent."
    assert (proposal.start_ms, proposal.end_ms) == (9000, 11000)  # the document's own times
    assert [w.text for w in proposal.words][-2:] == [" five", " percent."]


def test_a_speakers_words_never_go_to_another_speakers_segment() -> None:
    placed = place_segments(
        [
            segment("seg-1", 1000, 3000, "请原告陈述", JUDGE),
            segment("seg-2", 1500, 3500, "我要求还款", PLAINTIFF),
        ],
        ORIGIN,
    )
    heard = words(
        ("我", 1600, 1900), ("要求", 1900, 2400), ("归还", 2400, 2900), ("借款", 2900, 3400)
    )
    (proposal,) = align_track(placed, "participant-1", heard, "zh", ORIGIN)
    assert proposal.segment_id == "seg-2"
    assert proposal.proposed_text == "我要求归还借款"  # Chinese words joined without spaces
    assert align_track(placed, "staff-2", [], "zh", ORIGIN) == []


def test_words_outside_every_segment_become_new_segments_split_at_long_pauses() -> None:
    placed = place_segments([segment("seg-1", 1000, 2000, "hello")], ORIGIN)
    heard = words(
        (" hello", 1000, 1900),
        (" one", 10_000, 10_400),
        (" two", 10_500, 11_000),  # 100 ms pause: same group
        (" three", 20_000, 20_500),  # 9 s pause: a new group
    )
    first, second = align_track(placed, "participant-1", heard, "en", ORIGIN)
    assert first.segment_id is None and first.proposed_text == "one two"
    assert first.current_text == ""
    assert (first.start_ms, first.end_ms) == (15_000, 16_000)  # placed in document time
    assert first.start_utc == (ORIGIN + timedelta(seconds=10)).isoformat()
    assert second.proposed_text == "three" and second.start_ms == 25_000


def test_a_segment_that_heard_nothing_gets_no_suggestion_and_punctuation_alone_is_no_speech() -> (
    None
):
    placed = place_segments([segment("seg-1", 1000, 2000, "something was said")], ORIGIN)
    assert align_track(placed, "participant-1", words(("。", 8000, 8100)), "zh", ORIGIN) == []


def test_tolerance_takes_a_word_just_past_the_end_and_overlaps_go_to_the_nearest_middle() -> None:
    placed = place_segments(
        [segment("seg-1", 1000, 2000, "a"), segment("seg-2", 2100, 4000, "b")], ORIGIN
    )
    heard = words((" late", 2000, 2300), (" early", 900, 1100))
    proposals = align_track(placed, "participant-1", heard, "en", ORIGIN, tolerance_ms=300)
    by_id = {p.segment_id: p.proposed_text for p in proposals}
    # " late" (middle 2150 ms) lies in both spans (with tolerance); seg-1's middle is nearer.
    assert by_id == {"seg-1": "early late"}
    strict = align_track(placed, "participant-1", heard, "en", ORIGIN, tolerance_ms=0)
    assert {p.segment_id for p in strict} == {"seg-1", "seg-2"}


def test_notes_and_segments_without_a_place_in_the_recording_are_left_out() -> None:
    placed = place_segments(
        [
            segment(
                "note-1",
                1000,
                1000,
                "[原告出示证据]",
                SpeakerRef("", "", ""),
                kind=SegmentKind.NOTE,
            ),
            segment("seg-1", 1000, 2000, "no time", placed=False),
            segment("seg-2", 3000, 4000, "here", edited=True),
        ],
        ORIGIN,
    )
    assert [p.segment.id for p in placed] == ["seg-2"]
    (proposal,) = align_track(placed, "participant-1", words((" hear", 3100, 3600)), "en", ORIGIN)
    assert proposal.segment_id == "seg-2"  # touched segments get suggestions too (never applied
    # without a person's acceptance: that is decided elsewhere)
