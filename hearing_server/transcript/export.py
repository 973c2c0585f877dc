"""Plain exports of a transcript: TXT (the dialogue), JSON (everything), SRT and WebVTT (captions).

All functions are pure: segments in, text out. The court-format PDF (笔录) is
:mod:`hearing_server.transcript.pdf`.

Times in captions are from the start of the hearing's recording; notes appear in TXT and JSON
(they are part of the record) but not in captions (they were not spoken).

Recording gaps (:class:`GapView`, placed among the segments by :func:`model.interleave`) are
facts of the record: TXT and PDF show each as a line of its own in place ("—— 原告张三 静音
14:03:05–14:03:40（35 秒）——", times of day in court time, Asia/Shanghai), JSON lists them with
the segment each follows, WebVTT keeps them in place as ``NOTE`` blocks (comments: in the file,
never drawn over the video), and SRT, which has no comments, leaves them out: a caption drawn for
a gap would cover other speakers' words spoken meanwhile.

Markers (``SegmentKind.MARKER``: a court stage begins, a party's identity was checked) are headings
of their own in TXT and PDF, kind ``marker`` in JSON, ``NOTE`` blocks in WebVTT, not in SRT: they
were not spoken, and no speaker is named before them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from hearing_server.transcript.model import (
    Entry,
    GapView,
    SegmentKind,
    SegmentView,
    SpeakerRef,
    of_record,
)

__all__ = [
    "COURT_TZ",
    "GAP_REASONS",
    "Header",
    "gap_line",
    "role_label",
    "speaker_label",
    "to_json",
    "to_srt",
    "to_txt",
    "to_vtt",
]

COURT_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
"""Court time for a gap's times of day (China has no daylight saving: a fixed offset)."""


@dataclass(frozen=True, slots=True)
class Header:
    """What a transcript says about its hearing (the first lines of every export)."""

    court: str
    case_number: str
    cause_of_action: str
    started_at: datetime | None
    place: str
    presiding_judge: str
    clerk: str
    participants: tuple[tuple[str, str], ...] = ()
    """``(role label, name)`` of everyone present."""
    ended_at: datetime | None = None
    """When the hearing was closed; both times are in the court's time zone."""


ROLE_LABELS = {
    "presiding_judge": "审判长",
    "judge": "审判员",
    "clerk": "书记员",
    "recorder": "记录员",
    "court_admin": "法院工作人员",
    "plaintiff": "原告",
    "defendant": "被告",
    "third_party": "第三人",
    "agent": "诉讼代理人",
    "witness": "证人",
    "observer": "旁听人员",
    "interpreter": "翻译",
}
"""Court roles as a Chinese transcript names them (the document stores the stable codes)."""


GAP_REASONS = {
    "mute": "静音",
    "left": "离开",
    "removed": "被请出",
    "disconnect": "断线",
    "restart": "服务器重启",
    "overload": "录音过载",
}
"""Why a speaker's recording has a gap, as the transcript says it."""


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def _who(speaker: SpeakerRef) -> str:
    role, name = role_label(speaker.role), speaker.name
    return f"{role}{name}" if role and name and role != name else (role or name)


def speaker_label(segment: SegmentView) -> str:
    """``原告张三``: role and name as the transcript's dialogue shows them."""
    if segment.kind in (SegmentKind.NOTE, SegmentKind.MARKER):
        return ""
    return _who(segment.speaker)


def _time_of_day(iso_utc: str) -> str:
    try:
        return (
            datetime.fromisoformat(iso_utc.replace("Z", "+00:00"))
            .astimezone(COURT_TZ)
            .strftime("%H:%M:%S")
        )
    except ValueError:
        return "?"


def _duration(ms: int) -> str:
    seconds = round(ms / 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} 小时 {minutes} 分"
    return f"{minutes} 分 {seconds} 秒" if minutes else f"{seconds} 秒"


def gap_line(gap: GapView) -> str:
    """``—— 原告张三 静音 14:03:05–14:03:40（35 秒）——``."""
    span = f"{_time_of_day(gap.start_utc)}–{_time_of_day(gap.end_utc)}"
    reason = GAP_REASONS.get(gap.reason, gap.reason)
    return f"—— {_who(gap.speaker)} {reason} {span}（{_duration(gap.duration_ms)}）——"


def _clock(ms: int, separator: str) -> str:
    ms = max(0, ms)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def to_txt(header: Header, segments: Sequence[Entry]) -> str:
    when = header.started_at.strftime("%Y-%m-%d %H:%M") if header.started_at else ""
    if header.started_at and header.ended_at:
        same_day = header.ended_at.date() == header.started_at.date()
        when += "–" + header.ended_at.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")
    lines = [
        header.court,
        f"案号：{header.case_number}",
        f"案由：{header.cause_of_action}",
        f"时间：{when}",
        f"地点：{header.place}",
        f"审判长：{header.presiding_judge}",
        f"书记员：{header.clerk}",
    ]
    if header.participants:
        lines.append(
            "到庭人员：" + "；".join(f"{role}{name}" for role, name in header.participants)
        )
    lines.append("")
    for segment in of_record(segments):  # never a speaker label with nothing after it
        if isinstance(segment, GapView):
            lines.append(gap_line(segment))
        elif segment.kind is SegmentKind.NOTE:
            lines.append(f"（{segment.text.strip()}）")
        elif segment.kind is SegmentKind.MARKER:  # a heading of its own, never an utterance
            lines += ["", segment.text.strip()]
        else:
            lines.append(f"{speaker_label(segment)}：{segment.text.strip()}")
    return "\n".join(lines) + "\n"


def _gaps_json(entries: Sequence[Entry]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    after: str | None = None
    for entry in entries:
        if not isinstance(entry, GapView):
            after = entry.id
            continue
        out.append(
            {
                "id": entry.id,
                "speaker": {
                    "key": entry.speaker.key,
                    "role": entry.speaker.role,
                    "name": entry.speaker.name,
                },
                "reason": entry.reason,
                "start_ms": entry.start_ms,
                "end_ms": entry.end_ms,
                "start_utc": entry.start_utc,
                "end_utc": entry.end_utc,
                "after_segment": after,
            }
        )
    return out


def to_json(header: Header, entries: Sequence[Entry], *, version: int) -> str:
    """Everything; ``gaps`` each name the segment they follow (``after_segment``, null: first)."""
    segments = [e for e in entries if isinstance(e, SegmentView)]
    payload = {
        "schema": "tingshen.transcript/1",
        "version": version,
        "header": {
            "court": header.court,
            "case_number": header.case_number,
            "cause_of_action": header.cause_of_action,
            "started_at": header.started_at.isoformat() if header.started_at else None,
            "ended_at": header.ended_at.isoformat() if header.ended_at else None,
            "place": header.place,
            "presiding_judge": header.presiding_judge,
            "clerk": header.clerk,
            "participants": [{"role": r, "name": n} for r, n in header.participants],
        },
        "segments": [
            {
                "id": s.id,
                "kind": s.kind.value,
                "speaker": {"key": s.speaker.key, "role": s.speaker.role, "name": s.speaker.name},
                "start_ms": s.start_ms,
                "end_ms": s.end_ms,
                "start_utc": s.start_utc,
                "text": s.text,
                "status": s.status.value,
                "asr_text": s.asr_text,
                "words": [
                    {
                        "text": w.text,
                        "start_ms": w.start_ms,
                        "end_ms": w.end_ms,
                        "confidence": w.confidence,
                    }
                    for w in s.words
                ],
            }
            for s in segments
        ],
        "gaps": _gaps_json(entries),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _cue(entry: Entry) -> tuple[int, int, str] | None:
    """A spoken segment as a caption cue; ``None`` for a note, an empty segment or a gap."""
    if isinstance(entry, GapView):
        return None
    text = entry.text.strip()
    if entry.kind in (SegmentKind.NOTE, SegmentKind.MARKER) or not text:
        return None
    end_ms = max(entry.end_ms, entry.start_ms + 500)
    return entry.start_ms, end_ms, f"{speaker_label(entry)}：{text}"


def to_srt(segments: Sequence[Entry]) -> str:
    cues = [cue for cue in map(_cue, segments) if cue is not None]
    blocks = [
        f"{n}\n{_clock(start, ',')} --> {_clock(end, ',')}\n{text}\n"
        for n, (start, end, text) in enumerate(cues, start=1)
    ]
    return "\n".join(blocks)


def to_vtt(segments: Sequence[Entry]) -> str:
    blocks: list[str] = []
    for entry in segments:
        cue = _cue(entry)
        if isinstance(entry, GapView):  # a comment in place: kept in the file, never drawn
            blocks.append(f"NOTE {gap_line(entry).replace('-->', '→')}\n")
        elif entry.kind is SegmentKind.MARKER:  # a stage or identity marker: a comment too
            blocks.append(f"NOTE {entry.text.strip().replace('-->', '→')}\n")
        elif cue is not None:
            start, end, text = cue
            timing = f"{_clock(start, '.')} --> {_clock(end, '.')}"
            blocks.append(f"{timing}\n{text.replace('-->', '→')}\n")
    return "WEBVTT\n\n" + "\n".join(blocks)
