"""Issue 13, public broadcast: what observers may see behind the delay (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hearing_server.broadcast.observers import Viewers, delayed_lines
from hearing_server.broadcast.playlist import WINDOW, delayed_playlist, parse_playlist
from hearing_server.transcript.model import (
    SegmentKind,
    SegmentStatus,
    SegmentView,
    SpeakerRef,
    WordView,
)

LIVE_START = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
JUDGE = SpeakerRef("staff-1", "judge", "王立明")


def _segment(
    start_ms: int, words: list[tuple[str, int, int]], text: str | None = None
) -> SegmentView:
    asr = "".join(w for w, _, _ in words)
    return SegmentView(
        id=f"seg-{start_ms}",
        kind=SegmentKind.SPEECH,
        speaker=JUDGE,
        start_ms=start_ms,
        end_ms=words[-1][2],
        text=asr if text is None else text,
        status=SegmentStatus.COMMITTED,
        start_utc=(LIVE_START + timedelta(milliseconds=start_ms)).isoformat(),
        asr_text=asr,
        words=tuple(WordView(w, s, e, 0.9) for w, s, e in words),
    )


def test_only_words_older_than_the_delay_are_shown() -> None:
    growing = _segment(0, [("本庭", 0, 900), ("现在", 1000, 1900), ("开庭", 2000, 2900)])
    at = LIVE_START + timedelta(seconds=30 + 2)  # 2 s of the hearing are 30 s old
    lines = delayed_lines([growing], now=at, delay_s=30)
    assert [line.text for line in lines] == ["本庭现在"]
    assert delayed_lines([growing], now=at - timedelta(seconds=2), delay_s=30) == []
    later = delayed_lines([growing], now=at + timedelta(seconds=1), delay_s=30)
    assert [line.text for line in later] == ["本庭现在开庭"]
    assert later[0].role == "judge" and later[0].display_name == "王立明"


def test_a_corrected_segment_shows_whole_once_it_is_old_enough() -> None:
    corrected = _segment(0, [("本庭", 0, 900), ("现在", 1000, 1900)], text="本庭现在开庭。")
    assert delayed_lines([corrected], now=LIVE_START + timedelta(seconds=31), delay_s=30) == []
    shown = delayed_lines([corrected], now=LIVE_START + timedelta(seconds=32), delay_s=30)
    assert [line.text for line in shown] == ["本庭现在开庭。"]


def test_notes_are_not_broadcast() -> None:
    note = SegmentView(
        id="note-1",
        kind=SegmentKind.NOTE,
        speaker=SpeakerRef("", "", ""),
        start_ms=0,
        end_ms=0,
        text="书记员备注",
        status=SegmentStatus.EDITED,
    )
    assert delayed_lines([note], now=LIVE_START + timedelta(hours=1), delay_s=0) == []


def _ffmpeg_playlist(count: int, *, ended: bool = False) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-TARGETDURATION:2", "#EXT-X-MEDIA-SEQUENCE:0"]
    for n in range(count):
        at = LIVE_START + timedelta(seconds=2 * n)
        lines += [
            "#EXTINF:2.000000,",
            f"#EXT-X-PROGRAM-DATE-TIME:{at.strftime('%Y-%m-%dT%H:%M:%S.000+0000')}",
            f"seg{n:05d}.ts",
        ]
    return "\n".join([*lines, *(["#EXT-X-ENDLIST"] if ended else [])]) + "\n"


def test_the_playlist_lists_only_segments_that_ended_a_delay_ago_in_a_live_window() -> None:
    source = parse_playlist(_ffmpeg_playlist(20))
    assert len(source.segments) == 20 and not source.ended
    assert delayed_playlist(source, now=LIVE_START + timedelta(seconds=31), delay_s=30) is None
    text = delayed_playlist(
        source, now=LIVE_START + timedelta(seconds=30 + 20), delay_s=30, prefix="media/1/"
    )
    assert text is not None
    uris = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert uris == [f"media/1/seg{n:05d}.ts" for n in range(10 - WINDOW, 10)]
    assert f"#EXT-X-MEDIA-SEQUENCE:{10 - WINDOW}" in text and "#EXT-X-ENDLIST" not in text


def test_an_ended_broadcast_ends_the_playlist_once_all_of_it_is_old_enough() -> None:
    source = parse_playlist(_ffmpeg_playlist(3, ended=True))
    early = delayed_playlist(source, now=LIVE_START + timedelta(seconds=34), delay_s=30)
    assert early is not None and "#EXT-X-ENDLIST" not in early
    done = delayed_playlist(source, now=LIVE_START + timedelta(seconds=36), delay_s=30)
    assert done is not None and done.rstrip().endswith("#EXT-X-ENDLIST")


def test_viewers_count_while_they_poll() -> None:
    viewers = Viewers(ttl_s=15)
    viewers.seen("a" * 16, at=0.0)
    viewers.seen("b" * 16, at=10.0)
    viewers.seen("a" * 16, at=12.0)
    assert viewers.count(at=20.0) == 2
    assert viewers.count(at=26.0) == 1


def test_made_up_viewer_ids_cannot_grow_the_table_without_bound() -> None:
    viewers = Viewers(ttl_s=15, limit=3)
    for n in range(10):
        viewers.seen(f"viewer{n:08d}", at=0.0)
    assert viewers.count(at=1.0) == 3
    viewers.seen("late0000000", at=20.0)  # the others went stale: room again
    assert viewers.count(at=20.0) == 1


def test_an_interpreters_line_names_whom_they_interpret() -> None:
    line = _segment(0, [("我", 0, 500)])
    shown = delayed_lines(
        [line],
        now=LIVE_START + timedelta(seconds=40),
        delay_s=30,
        interpreters={"staff-1": ("defendant", "李娜")},
    )
    assert (shown[0].interprets_role, shown[0].interprets_name) == ("defendant", "李娜")
