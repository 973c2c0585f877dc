"""A breakdown as a table for people, in Chinese (default) or English.

Kept apart from the engine so that the computation has no idea of labels or layout: the notice
PDF and the pages will render the same :class:`~fees.breakdown.Breakdown` their own way.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Literal

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from fees.breakdown import Breakdown, Line, LineStep
from fees.money import format_fraction, format_rate, format_ratio, format_yuan

__all__ = ["Lang", "article_en", "render_breakdown"]

Lang = Literal["zh", "en"]

_DIGITS = {c: n for n, c in enumerate("〇一二三四五六七八九")}


def _chinese_number(text: str) -> int:
    """``"十三"`` → 13 (numbers below 100, as articles are numbered)."""
    if "十" not in text:
        return _DIGITS[text]
    tens, _, ones = text.partition("十")
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def article_en(article: str) -> str:
    """``"第十三条第（一）项第2目"`` → ``"Art. 13(1) item 2"``; other text unchanged."""
    out = re.sub(
        r"第([〇一二三四五六七八九十]+)条", lambda m: f"Art. {_chinese_number(m[1])}", article
    )
    out = re.sub(
        r"第（([〇一二三四五六七八九十]+)）项", lambda m: f"({_chinese_number(m[1])})", out
    )
    return re.sub(r"第([0-9]+)目", r" item \1", out)


def _short(fen: int) -> str:
    """Whole yuan without decimals (tier bounds): ``1000000`` → ``"10,000"``."""
    return f"{fen // 100:,}" if fen % 100 == 0 else format_yuan(fen)


def _tier_label(line: Line, lang: Lang) -> str:
    over, up_to = line.over_fen or 0, line.up_to_fen
    per_case = line.rate is None
    if lang == "zh":
        if over == 0 and up_to is not None:
            span = f"不超过 {_short(up_to)} 元"
        elif up_to is None:
            span = f"超过 {_short(over)} 元的部分"
        else:
            span = f"超过 {_short(over)} 元至 {_short(up_to)} 元的部分"
        return f"{span}（每件）" if per_case else span
    if over == 0 and up_to is not None:
        span = f"up to {_short(up_to)} yuan"
    elif up_to is None:
        span = f"over {_short(over)} yuan"
    else:
        span = f"over {_short(over)} up to {_short(up_to)} yuan"
    return f"{span} (per case)" if per_case else span


def _label(line: Line, b: Breakdown, lang: Lang) -> str:
    zh = lang == "zh"
    named = line.label_zh if zh else line.label_en
    unit = {1: ("分", "fen"), 10: ("角", "jiao"), 100: ("元", "yuan")}[b.rounding_unit_fen]
    match line.step:
        case LineStep.tier:
            return _tier_label(line, lang)
        case LineStep.fixed | LineStep.range | LineStep.reduction:
            return named
        case LineStep.reduction_not_stacked:
            return (
                f"{named}（已减半，不再重复减半）" if zh else f"{named} (already halved: not again)"
            )
        case LineStep.rounding:
            return f"四舍五入到{unit[0]}" if zh else f"rounded half up to the {unit[1]}"
        case LineStep.subtotal:
            return "小计" if zh else "subtotal"
        case LineStep.multiplier:
            fraction = format_ratio(line.rate or Fraction(0))
            return f"按上述标准的 {fraction}" if zh else f"{fraction} of the above"
        case LineStep.cap:
            cap = format_yuan(line.up_to_fen or 0)
            return f"最高不超过 {cap} 元" if zh else f"capped at {cap} yuan"
        case LineStep.total:
            return "应交纳" if zh else "fee due"


def _computation(line: Line, lang: Lang) -> str:
    zh = lang == "zh"
    match line.step:
        case LineStep.tier if line.rate is None:
            return "每件" if zh else "per case"
        case LineStep.tier:
            return f"{format_yuan(line.base_fen or 0)} × {format_rate(line.rate or Fraction(0))}"
        case LineStep.fixed:
            return "每件" if zh else "per case"
        case LineStep.range:
            low, high = line.range_fen or (0, 0)
            span = f"{_short(low)}–{_short(high)}"
            return f"幅度 {span} 元，本院标准" if zh else f"range {span} yuan, court's figure"
        case LineStep.rounding:
            exact = format_fraction((line.exact_fen or Fraction(0)) / 100)
            return f"{exact} 元" if zh else f"{exact} yuan"
        case LineStep.multiplier | LineStep.reduction:
            return f"{format_yuan(line.base_fen or 0)} × {format_ratio(line.rate or Fraction(0))}"
        case LineStep.cap:
            return f"{format_yuan(line.base_fen or 0)} → {format_yuan(line.up_to_fen or 0)}"
        case _:
            return ""


def _header(b: Breakdown, lang: Lang) -> list[str]:
    basis_differs = b.basis_fen is not None and b.basis_fen != b.claim_fen
    if lang == "zh":
        lines = [
            f"{b.schedule_title_zh}（{b.instrument}，自 {b.effective.isoformat()} 起施行）",
            f"类别：{b.kind_zh}（{b.category_zh}，{b.article}）",
            f"审级：{b.stage_zh}（{b.stage_article}）",
        ]
        if b.claim_fen is not None:
            lines.append(f"{b.amount_zh}：{format_yuan(b.claim_fen)} 元")
        if basis_differs and b.basis_fen is not None:
            lines.append(f"计费金额（不服部分，{b.stage_article}）：{format_yuan(b.basis_fen)} 元")
        return lines
    lines = [
        f"{b.schedule_title_en} ({b.instrument}, in force from {b.effective.isoformat()})",
        f"Kind: {b.kind_en} ({b.category_en}, {article_en(b.article)})",
        f"Stage: {b.stage_en} ({article_en(b.stage_article)})",
    ]
    if b.claim_fen is not None:
        lines.append(f"{b.amount_en.capitalize()}: {format_yuan(b.claim_fen)} yuan")
    if basis_differs and b.basis_fen is not None:
        lines.append(
            f"Charged on (disputed part, {article_en(b.stage_article)}): "
            f"{format_yuan(b.basis_fen)} yuan"
        )
    return lines


def render_breakdown(b: Breakdown, lang: Lang = "zh") -> RenderableType:
    """The header, the table of lines (item, computation, amount, article) and the total."""
    zh = lang == "zh"
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("项目" if zh else "Item")
    table.add_column("计算" if zh else "Computation")
    table.add_column("金额（元）" if zh else "Amount (yuan)", justify="right")
    table.add_column("依据" if zh else "Article")
    for line in b.lines:
        article = line.article if zh else article_en(line.article)
        style = "bold" if line.step in (LineStep.subtotal, LineStep.total) else None
        if line.step is LineStep.total:
            table.add_section()
        table.add_row(
            _label(line, b, lang), _computation(line, lang), format_yuan(line.amount_fen),
            article or "—", style=style,
        )  # fmt: skip
    header = Text("\n".join(_header(b, lang)))
    return Group(header, Text(""), table)
