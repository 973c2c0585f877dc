"""``tingshen fees``: compute a litigation fee tier by tier, so anyone can check a notice.

    tingshen fees calc --kind property --amount 1234567.89 [--procedure simplified]
                       [--outcome mediation|withdrawal] [--claim counterclaim|third-party]
                       [--stage appeal --disputed YUAN] [--date 2024-05-01] [--json] [--lang en]
    tingshen fees kinds [--lang en]

The court's figures in the law's ranges and the rounding unit come from ``TINGSHEN_FEES_*``
(:class:`fees.settings.FeeSettings`), read when the command runs. The ``tingshen`` script loads
this module by name (``hearing_server.cli``), so the hearing server does not import ``fees``.
Every :class:`~fees.errors.FeesError` becomes one line on stderr and exit status 2, here only.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from fees.breakdown import breakdown_to_dict
from fees.engine import FeeRequest, compute_fee
from fees.errors import FeesError
from fees.loader import load_schedules
from fees.model import Schedule
from fees.money import parse_yuan
from fees.render import Lang, article_en, render_breakdown
from fees.settings import FeeSettings

__all__ = ["app"]

EXIT_ERROR = 2
_WIDTH = 120  # columns when stdout is not a terminal (CJK labels are two columns wide)


class LangOption(StrEnum):
    zh = "zh"
    en = "en"


@contextmanager
def _fees_errors(lang: LangOption) -> Iterator[None]:
    """The one place where the fee errors become one line on stderr and exit status 2."""
    try:
        yield
    except FeesError as exc:
        typer.echo(f"tingshen: error: {' '.join(exc.message(lang.value).split())}", err=True)
        raise typer.Exit(code=EXIT_ERROR) from None


app = typer.Typer(
    name="fees",
    help="Litigation fees (诉讼费): compute a fee under 诉讼费用交纳办法, tier by tier.",
    no_args_is_help=True,
    add_completion=False,
)


class Procedure(StrEnum):
    ordinary = "ordinary"
    simplified = "simplified"


class Outcome(StrEnum):
    judgment = "judgment"
    mediation = "mediation"
    withdrawal = "withdrawal"


class Claim(StrEnum):
    original = "original"
    counterclaim = "counterclaim"
    third_party = "third-party"


class StageOption(StrEnum):
    first = "first"
    appeal = "appeal"
    retrial = "retrial"


_STAGE_IDS = {StageOption.first: "first_instance", StageOption.appeal: "appeal",
              StageOption.retrial: "retrial"}  # fmt: skip


def _console() -> Console:
    return Console() if sys.stdout.isatty() else Console(width=_WIDTH)


def _settings() -> FeeSettings:
    try:
        return FeeSettings()
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
        raise FeesError(
            f"bad TINGSHEN_FEES_* setting: {problems}", f"TINGSHEN_FEES_* 设置有误：{problems}"
        ) from None


def _schedule(on: str | None) -> Schedule:
    try:
        day = date.today() if on is None else date.fromisoformat(on)
    except ValueError:
        raise FeesError(
            f"not a date (YYYY-MM-DD): {on!r}", f"日期格式应为 YYYY-MM-DD：{on!r}"
        ) from None
    return load_schedules().in_force(day)


LangOpt = Annotated[LangOption, typer.Option("--lang", help="Labels: zh (中文) or en.")]


@app.command()
def calc(
    kind: Annotated[str, typer.Option(help="What is charged (see `tingshen fees kinds`).")],
    amount: Annotated[
        str | None, typer.Option(help="Amount in yuan (claim, property divided, estate …).")
    ] = None,
    procedure: Annotated[
        Procedure, typer.Option(help="simplified: halved (art. 16).")
    ] = Procedure.ordinary,
    outcome: Annotated[
        Outcome, typer.Option(help="mediation or withdrawal: halved (art. 15).")
    ] = Outcome.judgment,
    claim: Annotated[
        Claim,
        typer.Option(help="counterclaim or third-party claim heard together: halved (art. 18)."),
    ] = Claim.original,
    stage: Annotated[
        StageOption,
        typer.Option(help="appeal (art. 17) or retrial (art. 19): on the disputed part."),
    ] = StageOption.first,
    disputed: Annotated[
        str | None, typer.Option(help="Appeal/retrial: the disputed part in yuan (default: all).")
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--date", help="The schedule in force on this date (default today)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the breakdown as JSON.")] = False,
    lang: LangOpt = LangOption.zh,
) -> None:
    """Compute a fee and print its breakdown tier by tier, with the article of every line."""
    with _fees_errors(lang):
        grounds = [
            ground
            for ground, wanted in (
                ("simplified", procedure is Procedure.simplified),
                (outcome.value, outcome is not Outcome.judgment),
                (claim.value.replace("-", "_"), claim is not Claim.original),
            )
            if wanted
        ]
        request = FeeRequest(
            kind=kind,
            amount_fen=None if amount is None else parse_yuan(amount),
            stage=_STAGE_IDS[stage],
            disputed_fen=None if disputed is None else parse_yuan(disputed),
            grounds=tuple(grounds),
        )
        breakdown = compute_fee(_schedule(on), request, _settings())
    if as_json:
        typer.echo(json.dumps(breakdown_to_dict(breakdown), ensure_ascii=False, indent=2))
        return
    _console().print(render_breakdown(breakdown, _lang(lang)))


@app.command()
def kinds(
    on: Annotated[
        str | None, typer.Option("--date", help="Schedule in force on this date.")
    ] = None,
    lang: LangOpt = LangOption.zh,
) -> None:
    """List what can be charged (the --kind values), with their articles."""
    with _fees_errors(lang):
        schedule = _schedule(on)
    zh = lang is LangOption.zh
    table = Table(title=schedule.title_zh if zh else schedule.title_en)
    for title in ("--kind", "名称" if zh else "Name", "费用" if zh else "Fee",
                  "金额" if zh else "Amount", "依据" if zh else "Article"):  # fmt: skip
        table.add_column(title)
    for kind in schedule.kinds.values():
        table.add_row(
            kind.id,
            kind.name_zh if zh else kind.name_en,
            kind.category.name_zh if zh else kind.category.name_en,
            kind.amount.value,
            kind.article if zh else article_en(kind.article),
        )
    _console().print(table)


def _lang(value: LangOption) -> Lang:
    return "en" if value is LangOption.en else "zh"
