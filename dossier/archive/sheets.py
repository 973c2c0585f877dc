"""The generated sheets of an archive volume (reportlab, the CJK font embedded): the cover
(案卷封面), the catalogue (卷内目录) and the reference sheet (备考表), after the paper practice of
《人民法院诉讼文书立卷归档办法》 that 《人民法院电子诉讼档案管理暂行办法》 keeps for e-volumes."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

__all__ = ["FONT_NAME", "CatalogueRow", "VolumeSheet", "back_pdf", "font_name", "front_pdf"]

FONT_NAME = "TingshenArchiveCJK"
SYSTEM_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)


def font_name() -> str:
    """The embedded CJK TrueType font, registered once (a system one, else the packaged one)."""
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        packaged = resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"
        candidates = [*SYSTEM_FONTS, Path(str(packaged))]
        path = next(p for p in candidates if p.is_file())
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
    return FONT_NAME


@dataclass(frozen=True, slots=True)
class CatalogueRow:
    number: int
    title: str
    author: str
    """责任者: who made or brought it (a party, the court, the system)."""
    on: date
    first_page: int
    last_page: int


@dataclass(frozen=True, slots=True)
class VolumeSheet:
    court_name: str
    case_number: str
    cause: str
    parties: list[str]
    """``原告：张三`` …"""
    judge: str
    clerk: str
    filed_on: date
    closed_on: date | None
    retention: str
    archive_number: str | None
    """None in a preview (numbered at submission)."""
    volume: int
    volumes: int
    rows: list[CatalogueRow]
    arranged_by: str
    arranged_on: date
    checked_by: str | None
    checked_on: date | None


def _day(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


def _styles() -> dict[str, ParagraphStyle]:
    font = font_name()
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=16, wordWrap="CJK")
    return {
        "body": body,
        "big": ParagraphStyle("big", parent=body, fontSize=14, leading=24),
        "title": ParagraphStyle("title", parent=body, fontSize=24, leading=36, alignment=1),
        "court": ParagraphStyle("court", parent=body, fontSize=16, leading=26, alignment=1),
    }


def _grid(data: list[list[object]], widths: list[float], font: str) -> Table:
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _render(story: list[object], title: str) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=25 * mm, rightMargin=20 * mm,
        topMargin=20 * mm, bottomMargin=20 * mm, title=title, author="Tingshen",
        initialFontName=font_name(),  # not reportlab's Helvetica, which it does not embed
    )  # fmt: skip
    doc.build(story)  # type: ignore[arg-type]
    return out.getvalue()


def front_pdf(sheet: VolumeSheet) -> bytes:
    """The cover, then the catalogue (as many pages as it takes)."""
    s, font = _styles(), font_name()
    p = Paragraph
    number = sheet.archive_number or "（提交归档时编号）"
    parties = p("<br/>".join(map(_escape, sheet.parties)) or "—", s["big"])
    cover_rows: list[tuple[str, str | Paragraph]] = [
        ("档号", number),
        ("案号", sheet.case_number),
        ("案由", sheet.cause),
        ("当事人", parties),
        ("审判人员", sheet.judge),
        ("书记员", sheet.clerk),
        ("立案日期", _day(sheet.filed_on)),
        ("结案日期", _day(sheet.closed_on)),
        ("保管期限", sheet.retention),
        ("本卷", f"共{sheet.volumes}卷 第{sheet.volume}卷"),
    ]
    cover = _grid(
        [[p(a, s["big"]), b if isinstance(b, Paragraph) else p(_escape(b), s["big"])]
         for a, b in cover_rows],
        [35 * mm, 125 * mm], font,
    )  # fmt: skip
    story: list[object] = [
        p(sheet.court_name, s["court"]),
        Spacer(1, 10 * mm),
        p("诉 讼 档 案", s["title"]),
        p("（电子档案 · 正卷）", s["court"]),
        Spacer(1, 14 * mm),
        cover,
        PageBreak(),
        p("卷 内 目 录", s["title"]),
        Spacer(1, 6 * mm),
    ]
    head = ["序号", "文件名称", "责任者", "日期", "页号"]
    rows: list[list[object]] = [[p(h, s["body"]) for h in head]]
    for row in sheet.rows:
        pages = (
            str(row.first_page)
            if row.first_page == row.last_page
            else f"{row.first_page}–{row.last_page}"
        )
        rows.append(
            [
                p(str(row.number), s["body"]),
                p(_escape(row.title), s["body"]),
                p(_escape(row.author), s["body"]),
                p(row.on.strftime("%Y.%m.%d"), s["body"]),
                p(pages, s["body"]),
            ]
        )
    story.append(_grid(rows, [14 * mm, 70 * mm, 34 * mm, 24 * mm, 20 * mm], font))
    return _render(story, f"{sheet.case_number} 案卷封面、卷内目录")


def back_pdf(sheet: VolumeSheet) -> bytes:
    """The reference sheet (备考表): how many items and pages, who arranged and checked it."""
    s = _styles()
    p = Paragraph
    pages = sheet.rows[-1].last_page if sheet.rows else 0
    text = (
        f"本卷情况说明：本卷共有文件材料 {len(sheet.rows)} 件，共 {pages} 页"
        "（卷内目录所列页号；封面、卷内目录和备考表不编页号）。"
        "本卷为电子档案，以法院电子印章签章。"
    )
    story: list[object] = [
        p("卷 内 备 考 表", s["title"]),
        Spacer(1, 10 * mm),
        p(text, s["big"]),
        Spacer(1, 12 * mm),
        p(f"立卷人：{_escape(sheet.arranged_by)}　　{_day(sheet.arranged_on)}", s["big"]),
        Spacer(1, 6 * mm),
        p(f"检查人：{_escape(sheet.checked_by or '—')}　　{_day(sheet.checked_on)}", s["big"]),
    ]
    return _render(story, f"{sheet.case_number} 备考表")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
