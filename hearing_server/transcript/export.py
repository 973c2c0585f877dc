"""Plain exports of a transcript: TXT (the dialogue), JSON (everything), SRT and WebVTT (captions).

All functions are pure: segments in, text out. The court-format PDF (笔录) is
:mod:`hearing_server.transcript.pdf`.

Times in captions are from the start of the hearing's recording; notes appear in TXT and JSON
(they are part of the record) but not in captions (they were not spoken).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hearing_server.transcript.model import SegmentKind, SegmentView

__all__ = ["Header", "role_label", "speaker_label", "to_json", "to_srt", "to_txt", "to_vtt"]


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
}
"""Court roles as a Chinese transcript names them (the document stores the stable codes)."""


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def speaker_label(segment: SegmentView) -> str:
    """``原告张三``: role and name as the transcript's dialogue shows them."""
    if segment.kind is SegmentKind.NOTE:
        return ""
    role, name = role_label(segment.speaker.role), segment.speaker.name
    return f"{role}{name}" if role and name and role != name else (role or name)


def _clock(ms: int, separator: str) -> str:
    ms = max(0, ms)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def to_txt(header: Header, segments: Sequence[SegmentView]) -> str:
    when = header.started_at.strftime("%Y-%m-%d %H:%M") if header.started_at else ""
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
    for segment in segments:
        if segment.kind is SegmentKind.NOTE:
            lines.append(f"（{segment.text.strip()}）")
        else:
            lines.append(f"{speaker_label(segment)}：{segment.text.strip()}")
    return "\n".join(lines) + "\n"


def to_json(header: Header, segments: Sequence[SegmentView], *, version: int) -> str:
    payload = {
        "schema": "tingshen.transcript/1",
        "version": version,
        "header": {
            "court": header.court,
            "case_number": header.case_number,
            "cause_of_action": header.cause_of_action,
            "started_at": header.started_at.isoformat() if header.started_at else None,
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
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _cues(segments: Sequence[SegmentView]) -> list[tuple[int, int, str]]:
    cues = []
    for segment in segments:
        text = segment.text.strip()
        if segment.kind is SegmentKind.NOTE or not text:
            continue
        end_ms = max(segment.end_ms, segment.start_ms + 500)
        cues.append((segment.start_ms, end_ms, f"{speaker_label(segment)}：{text}"))
    return cues


def to_srt(segments: Sequence[SegmentView]) -> str:
    blocks = [
        f"{n}\n{_clock(start, ',')} --> {_clock(end, ',')}\n{text}\n"
        for n, (start, end, text) in enumerate(_cues(segments), start=1)
    ]
    return "\n".join(blocks)


def to_vtt(segments: Sequence[SegmentView]) -> str:
    blocks = [
        f"{_clock(start, '.')} --> {_clock(end, '.')}\n{text.replace('-->', '→')}\n"
        for start, end, text in _cues(segments)
    ]
    return "WEBVTT\n\n" + "\n".join(blocks)
