"""The court-format transcript (庭审笔录) as a PDF with embedded CJK fonts (reportlab).

    data = render_pdf(header, segments, version=7, font=find_cjk_font(settings_path))

Layout: the court's name and the title, a header block (case number, cause of action, time, place,
presiding judge, clerk, participants), then the dialogue, one paragraph per segment led by the
speaker's role and name, notes in parentheses, recording gaps in place as a centred grey line
("—— 原告张三 静音 14:03:05–14:03:40（35 秒）——"), and "第 N 页 共 M 页" with the transcript version
on every page. Output is reproducible (reportlab's invariant mode): the same transcript version
gives the same bytes, which the signing issue relies on.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from hearing_server.transcript.export import Header, gap_line, speaker_label
from hearing_server.transcript.model import Entry, GapView, SegmentKind
from tingshen_platform.fonts import FontNotFoundError, find_cjk_font

__all__ = ["FontNotFoundError", "court_time_span", "find_cjk_font", "render_pdf"]

FONT_NAME = "TingshenCJK"


def _register(font: Path) -> str:
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(font), subfontIndex=0))
    return FONT_NAME


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=12, leading=20, wordWrap="CJK")
    return {
        "court": ParagraphStyle("court", parent=base, fontSize=16, leading=24, alignment=1),
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=30, alignment=1),
        "meta": ParagraphStyle("meta", parent=base, leading=19),
        "body": ParagraphStyle("turn", parent=base, firstLineIndent=0, spaceAfter=4),
        "note": ParagraphStyle("note", parent=base, textColor=HexColor("#444444"), spaceAfter=4),
        "marker": ParagraphStyle(
            "marker", parent=base, fontSize=12.5, spaceBefore=8, spaceAfter=6, keepWithNext=1
        ),
        "gap": ParagraphStyle(
            "gap",
            parent=base,
            fontSize=10.5,
            textColor=HexColor("#666666"),
            alignment=1,
            spaceBefore=2,
            spaceAfter=6,
        ),
    }


def court_time_span(start: datetime | None, end: datetime | None) -> str:
    """ "2026年12月05日 08时17分至08时25分" (the end with its date when on another day); the
    datetimes are already in the court's time zone."""
    if start is None:
        return ""
    text = start.strftime("%Y年%m月%d日 %H时%M分")
    if end is not None:
        same_day = end.date() == start.date()
        text += "至" + end.strftime("%H时%M分" if same_day else "%Y年%m月%d日 %H时%M分")
    return text


def _story(
    header: Header, segments: Sequence[Entry], styles: dict[str, ParagraphStyle]
) -> list[Any]:
    when = court_time_span(header.started_at, header.ended_at)
    meta = [
        ("时间", when),
        ("地点", header.place),
        ("案号", header.case_number),
        ("案由", header.cause_of_action),
        ("审判长", header.presiding_judge),
        ("书记员", header.clerk),
    ]
    if header.participants:
        meta.append(("到庭人员", "；".join(f"{role}{name}" for role, name in header.participants)))
    story: list[Any] = [
        Paragraph(escape(header.court), styles["court"]),
        Paragraph("庭 审 笔 录", styles["title"]),
        Spacer(1, 6 * mm),
    ]
    story += [Paragraph(f"{escape(k)}：{escape(v)}", styles["meta"]) for k, v in meta]
    story.append(Spacer(1, 6 * mm))
    for segment in segments:
        if isinstance(segment, GapView):
            story.append(Paragraph(escape(gap_line(segment)), styles["gap"]))
            continue
        text = escape(segment.text.strip())
        if segment.kind is SegmentKind.NOTE:
            story.append(Paragraph(f"（{text}）", styles["note"]))
        elif segment.kind is SegmentKind.MARKER:  # a court stage or identity check: a heading
            story.append(Paragraph(text, styles["marker"]))
        elif text:
            story.append(
                Paragraph(f"{escape(speaker_label(segment) or '发言人')}：{text}", styles["body"])
            )
    return story


def _numbered_canvas(font: str, version: int, extra_pages: int) -> type[Canvas]:
    class NumberedCanvas(Canvas):
        """Defers each page so the footer can say how many pages there are."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # reportlab's page reset

        def save(self) -> None:
            total = len(self._pages) + extra_pages
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont(font, 9)
                width = A4[0]
                self.drawCentredString(width / 2, 12 * mm, f"第 {number} 页 共 {total} 页")
                self.drawRightString(width - 20 * mm, 12 * mm, f"笔录版本 {version}")
                super().showPage()
            super().save()

    return NumberedCanvas


def render_pdf(
    header: Header,
    segments: Sequence[Entry],
    *,
    version: int,
    font: Path,
    extra_pages: int = 0,
) -> bytes:
    """``extra_pages``: pages appended after these (the signature pages), counted in "共 M 页"."""
    name = _register(font)
    buffer = io.BytesIO()
    previous = rl_config.invariant
    rl_config.invariant = 1  # reproducible bytes: no creation date, fixed document id
    try:
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=25 * mm,
            rightMargin=20 * mm,
            topMargin=20 * mm,
            bottomMargin=22 * mm,
            title=f"{header.case_number} 庭审笔录",
            author=header.court,
            subject=f"transcript version {version}",
            # Every page starts in the embedded CJK font, not reportlab's Helvetica (never
            # embedded): an archived volume holding the record can then claim PDF/A.
            initialFontName=name,
        )
        document.build(
            _story(header, segments, _styles(name)),
            canvasmaker=_numbered_canvas(name, version, extra_pages),
        )
    finally:
        rl_config.invariant = previous
    return buffer.getvalue()
