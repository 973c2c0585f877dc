"""A computed :class:`~fees.breakdown.Breakdown` as the lines a notice prints.

    lines, basis = fee_lines(breakdown), basis_text(breakdown)

The notice's table shows what a person needs to check the fee by hand: each counting line with
how it is computed (the part of the amount in a tier × its rate, a sum per case, a halving …) and
a 小计 where the figure changes afterwards. The ``total`` line is left out: the notice prints
its own 合计 (the total due, which an adjusted version may set apart from the breakdown's).
The wording follows ``tingshen fees calc`` (:mod:`fees.render`) in Chinese.
"""

from __future__ import annotations

from fractions import Fraction

from fees.breakdown import Breakdown, Line, LineStep
from fees.documents.model import FeeLine
from fees.money import format_fraction, format_rate, format_ratio, format_yuan

__all__ = ["basis_text", "fee_lines"]

_UNIT = {1: "分", 10: "角", 100: "元"}


def _short(fen: int) -> str:
    """Tier bounds in whole yuan when they are whole: ``1000000`` → ``"10,000"``."""
    return f"{fen // 100:,}" if fen % 100 == 0 else format_yuan(fen)


def _tier(line: Line) -> FeeLine:
    over, up_to = line.over_fen or 0, line.up_to_fen
    if over == 0 and up_to is not None:
        span = f"不超过 {_short(up_to)} 元"
    elif up_to is None:
        span = f"超过 {_short(over)} 元的部分"
    else:
        span = f"超过 {_short(over)} 元至 {_short(up_to)} 元的部分"
    if line.rate is None:
        return FeeLine(span, "每件", line.amount_fen)
    return FeeLine(
        span, f"{format_yuan(line.base_fen or 0)} × {format_rate(line.rate)}", line.amount_fen
    )


def _line(line: Line, unit_fen: int) -> FeeLine:
    rate = format_ratio(line.rate or Fraction(0))
    base = format_yuan(line.base_fen or 0)
    match line.step:
        case LineStep.tier:
            return _tier(line)
        case LineStep.fixed:
            return FeeLine(line.label_zh, "每件", line.amount_fen)
        case LineStep.range:
            low, high = line.range_fen or (0, 0)
            return FeeLine(
                line.label_zh, f"本院标准（幅度 {_short(low)}–{_short(high)} 元）", line.amount_fen
            )
        case LineStep.rounding:
            exact = format_fraction((line.exact_fen or Fraction(0)) / 100)
            return FeeLine(f"四舍五入到{_UNIT[unit_fen]}", f"{exact} 元", line.amount_fen)
        case LineStep.subtotal:
            return FeeLine("小计", "", line.amount_fen, strong=True)
        case LineStep.multiplier:
            return FeeLine(f"按上述标准的 {rate}", f"{base} × {rate}", line.amount_fen)
        case LineStep.cap:
            cap = format_yuan(line.up_to_fen or 0)
            return FeeLine(f"最高不超过 {cap} 元", f"{base} → {cap}", line.amount_fen)
        case LineStep.reduction:
            return FeeLine(line.label_zh, f"{base} × {rate}", line.amount_fen)
        case LineStep.reduction_not_stacked:
            return FeeLine(f"{line.label_zh}（已减半，不再重复减半）", "", line.amount_fen)
        case LineStep.total:  # pragma: no cover - left out by fee_lines
            raise ValueError("the total is printed by the notice itself")


def fee_lines(breakdown: Breakdown) -> tuple[FeeLine, ...]:
    """The breakdown's lines for the notice's table: without the ``total`` line, and without
    a 小计 that only repeats the total just after it."""
    lines = breakdown.lines
    out: list[FeeLine] = []
    for index, line in enumerate(lines):
        if line.step is LineStep.total:
            continue
        following = lines[index + 1] if index + 1 < len(lines) else None
        if (
            line.step is LineStep.subtotal
            and following is not None
            and following.step is LineStep.total
            and following.amount_fen == line.amount_fen
        ):
            continue
        out.append(_line(line, breakdown.rounding_unit_fen))
    return tuple(out)


def basis_text(breakdown: Breakdown) -> str:
    """What the fee is computed on, for the table's caption: ``"财产案件（第十三条第（一）项），
    诉讼请求金额或者价额 123,457.00 元"``; on appeal the disputed part too."""
    b = breakdown
    text = f"{b.kind_zh}（{b.article}）"
    if b.claim_fen is not None:
        text += f"，{b.amount_zh} {format_yuan(b.claim_fen)} 元"
    if b.basis_fen is not None and b.basis_fen != b.claim_fen:
        text += f"，计费金额（不服部分，{b.stage_article}）{format_yuan(b.basis_fen)} 元"
    return text
