"""The fee of one request under one schedule, as a :class:`~fees.breakdown.Breakdown`. Pure.

The steps, each shown as lines of the breakdown:

1. The amount the fee is computed on: the claim, or at a stage computed on the disputed part
   (appeal, art. 17; retrial, art. 19) the disputed part if given.
2. The kind's components that apply (with or without an amount): each tier the amount reaches
   (the part inside it × its rate, or its sum per case), fixed sums, the court's figure in a
   range (from :class:`~fees.settings.FeeSettings`, refused outside the range).
3. Their exact sum rounded once (the *subtotal*).
4. The kind's multiplier (支付令 1/3, 破产 1/2), then its cap (保全 5,000 yuan, 破产 300,000).
5. Halving grounds (art. 15, 16, 18), for the categories and stages they name; with
   ``stack_reductions`` off (default) only the most favourable is applied, once.

Rounding rule: every figure is exact (fractions of a fen) within a step and rounded half up
(四舍五入) to ``rounding_unit_fen`` (default the fen) at the end of each step that can make
fractions: the subtotal (3), the multiplier (4), each halving (5). Later steps work on the
rounded figure of the step before, as a notice states it ("案件受理费2,769.15元，减半收取计
1,384.58元"). Tier lines show their own part rounded to the fen; when the rounded subtotal
differs from their sum (possible only with a coarser unit or data with several fractional
tiers: in the 2007 schedule only the top, partial tier can end in a fraction of a fen) a
``rounding`` line shows the difference, so the counting lines always add up to the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from fees.breakdown import Breakdown, Line, LineStep
from fees.errors import FeeInputError, FeeSettingError
from fees.model import (
    AmountBasis,
    AmountUse,
    Component,
    FixedComponent,
    Kind,
    RangeComponent,
    Reduction,
    Schedule,
    Stage,
    TierComponent,
)
from fees.money import format_yuan, round_half_up
from fees.settings import FeeSettings

__all__ = ["FeeRequest", "compute_fee"]


@dataclass(frozen=True, slots=True)
class FeeRequest:
    kind: str
    amount_fen: int | None = None
    """The claim (or property divided, amount to execute …); ``None``: no amount."""
    stage: str = "first_instance"
    disputed_fen: int | None = None
    """At a stage computed on the disputed part: the part of the judgment appealed."""
    grounds: tuple[str, ...] = ()
    """Halving grounds (``simplified``, ``mediation``, ``withdrawal``, ``counterclaim`` …)."""


def compute_fee(schedule: Schedule, request: FeeRequest, settings: FeeSettings) -> Breakdown:
    """The breakdown of ``request``'s fee; :class:`FeeInputError` for a request that cannot be
    computed, :class:`FeeSettingError` for a court figure outside its range."""
    kind = _kind(schedule, request.kind)
    stage = _stage(schedule, request.stage, kind)
    claim, basis = _basis(kind, stage, request)
    reductions = _reductions(schedule, request.grounds, kind, stage)
    unit = settings.rounding_unit_fen

    lines: list[Line] = []
    exact = Fraction(0)
    for component in kind.components:
        if component.when.applies(has_amount=basis is not None):
            for line, part in _component_lines(component, basis, settings):
                lines.append(line)
                exact += part
    running = round_half_up(exact, unit)
    shown = sum(line.amount_fen for line in lines)
    if running != shown:
        lines.append(Line(LineStep.rounding, "", running - shown, exact_fen=exact))
    lines.append(Line(LineStep.subtotal, kind.article, running))

    if kind.multiplier is not None:
        m = kind.multiplier
        after = round_half_up(running * m.fraction, unit)
        lines.append(
            Line(LineStep.multiplier, m.article, after - running, base_fen=running, rate=m.fraction)
        )
        running = after
    if kind.cap is not None and running > kind.cap.max_fen:
        cap = kind.cap
        lines.append(
            Line(LineStep.cap, cap.article, cap.max_fen - running, base_fen=running,
                 up_to_fen=cap.max_fen)
        )  # fmt: skip
        running = cap.max_fen

    applied = list(reductions)
    if not settings.stack_reductions and applied:
        best = min(applied, key=lambda r: r.factor)  # the first of equals: data order
        applied = [best]
    for reduction in applied:
        after = round_half_up(running * reduction.factor, unit)
        lines.append(_reduction_line(LineStep.reduction, reduction, after - running, running))
        running = after
    for reduction in reductions:
        if reduction not in applied:
            lines.append(_reduction_line(LineStep.reduction_not_stacked, reduction, 0, None))
    lines.append(Line(LineStep.total, kind.article, running))

    return Breakdown(
        schedule.id, schedule.title_zh, schedule.title_en, schedule.instrument,
        schedule.effective, kind.id, kind.name_zh, kind.name_en, kind.category.id,
        kind.category.name_zh, kind.category.name_en, kind.article, stage.id, stage.name_zh,
        stage.name_en, stage.article, kind.amount_zh, kind.amount_en, claim, basis,
        tuple(r.id for r in reductions), unit, tuple(lines), running,
    )  # fmt: skip


def _reduction_line(
    step: LineStep, reduction: Reduction, amount_fen: int, base_fen: int | None
) -> Line:
    return Line(
        step, reduction.article, amount_fen, reduction.name_zh, reduction.name_en,
        base_fen=base_fen, rate=reduction.factor,
    )  # fmt: skip


def _component_lines(
    component: Component, basis: int | None, settings: FeeSettings
) -> list[tuple[Line, Fraction]]:
    if isinstance(component, TierComponent):
        assert basis is not None  # a tier component applies with an amount only (loader)
        table = component.table
        out: list[tuple[Line, Fraction]] = []
        for tier in table.tiers:
            if basis <= tier.over_fen:
                break
            top = basis if tier.up_to_fen is None else min(basis, tier.up_to_fen)
            portion = top - tier.over_fen
            if tier.per_case_fen is not None:
                part = Fraction(tier.per_case_fen)
            else:
                assert tier.rate is not None  # exactly one of the two (loader)
                part = portion * tier.rate
            line = Line(
                LineStep.tier, tier.article, round_half_up(part), table.name_zh, table.name_en,
                over_fen=tier.over_fen, up_to_fen=tier.up_to_fen, base_fen=portion,
                rate=tier.rate, exact_fen=part,
            )  # fmt: skip
            out.append((line, part))
        return out
    if isinstance(component, FixedComponent):
        line = Line(
            LineStep.fixed, component.article, component.amount_fen,
            component.name_zh, component.name_en,
        )  # fmt: skip
        return [(line, Fraction(component.amount_fen))]
    return [_range_line(component, settings)]


def _range_line(component: RangeComponent, settings: FeeSettings) -> tuple[Line, Fraction]:
    chosen = settings.range_choice_fen(component.setting)
    low, high = component.min_fen, component.max_fen
    if not low <= chosen <= high:
        variable = f"TINGSHEN_FEES_{component.setting.upper()}"
        span = f"{format_yuan(low)}–{format_yuan(high)}"
        raise FeeSettingError(
            f"the court's figure {variable} = {chosen} fen ({format_yuan(chosen)} yuan) is "
            f"outside the range of {component.article}: {span} yuan",
            f"法院设定的 {variable} = {chosen} 分（{format_yuan(chosen)} 元）超出"
            f"{component.article}规定的幅度 {span} 元",
        )
    line = Line(
        LineStep.range, component.article, chosen, component.name_zh, component.name_en,
        range_fen=(low, high), setting=component.setting,
    )  # fmt: skip
    return line, Fraction(chosen)


def _kind(schedule: Schedule, kind_id: str) -> Kind:
    if kind_id not in schedule.kinds:
        known = ", ".join(schedule.kinds)
        raise FeeInputError(
            f"unknown kind {kind_id!r}; the kinds are: {known}",
            f"未知的收费类别 {kind_id!r}；可选：{known}",
        )
    return schedule.kinds[kind_id]


def _stage(schedule: Schedule, stage_id: str, kind: Kind) -> Stage:
    if stage_id not in schedule.stages:
        known = ", ".join(schedule.stages)
        raise FeeInputError(
            f"unknown stage {stage_id!r}; the stages are: {known}",
            f"未知的审级 {stage_id!r}；可选：{known}",
        )
    stage = schedule.stages[stage_id]
    if kind.category.id not in stage.categories:
        raise FeeInputError(
            f"{kind.name_en} ({kind.category.name_en}) has no {stage.name_en} fee",
            f"{kind.name_zh}（{kind.category.name_zh}）没有{stage.name_zh}的收费",
        )
    return stage


def _basis(kind: Kind, stage: Stage, request: FeeRequest) -> tuple[int | None, int | None]:
    """(the amount asked about, the amount the fee is computed on)."""
    amount, disputed = request.amount_fen, request.disputed_fen
    for value in (amount, disputed):
        if value is not None and value <= 0:
            raise FeeInputError(
                f"an amount must be more than 0 (got {format_yuan(value)} yuan)",
                f"金额必须大于 0（输入为 {format_yuan(value)} 元）",
            )
    if kind.amount is AmountUse.none:
        if amount is not None or disputed is not None:
            raise FeeInputError(
                f"{kind.name_en} is charged per case, not on an amount: leave out the amount",
                f"{kind.name_zh}按件收费，不按金额计算：请不要输入金额",
            )
        return None, None
    basis = amount
    if disputed is not None:
        if stage.amount_basis is not AmountBasis.disputed:
            raise FeeInputError(
                f"a disputed part is only for a stage charged on it (appeal, retrial), "
                f"not {stage.name_en}",
                f"争议部分金额只用于按不服部分计费的审级（上诉、再审），不用于{stage.name_zh}",
            )
        if amount is not None and disputed > amount:
            raise FeeInputError(
                f"the disputed part ({format_yuan(disputed)} yuan) is more than the amount "
                f"({format_yuan(amount)} yuan)",
                f"争议部分（{format_yuan(disputed)} 元）超过了金额（{format_yuan(amount)} 元）",
            )
        basis = disputed
    if basis is None and kind.amount is AmountUse.required:
        raise FeeInputError(
            f"{kind.name_en} is charged on the {kind.amount_en}: give the amount",
            f"{kind.name_zh}按{kind.amount_zh}计算：请输入金额",
        )
    return amount, basis


def _reductions(
    schedule: Schedule, grounds: tuple[str, ...], kind: Kind, stage: Stage
) -> list[Reduction]:
    """The requested grounds (each checked to apply), in the data's order."""
    for ground in grounds:
        if ground not in schedule.reductions:
            known = ", ".join(schedule.reductions)
            raise FeeInputError(
                f"unknown halving ground {ground!r}; the grounds are: {known}",
                f"未知的减半事由 {ground!r}；可选：{known}",
            )
        reduction = schedule.reductions[ground]
        if kind.category.id not in reduction.categories:
            raise FeeInputError(
                f"{reduction.article} ({reduction.name_en}) does not apply to "
                f"{kind.name_en} ({kind.category.name_en})",
                f"{reduction.article}（{reduction.name_zh}）不适用于{kind.name_zh}"
                f"（{kind.category.name_zh}）",
            )
        if stage.id not in reduction.stages:
            raise FeeInputError(
                f"{reduction.article} ({reduction.name_en}) does not apply at the stage "
                f"{stage.name_en}",
                f"{reduction.article}（{reduction.name_zh}）不适用于{stage.name_zh}",
            )
    return [r for r in schedule.reductions.values() if r.id in grounds]
