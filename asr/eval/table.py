"""The evaluation report (``asr.eval.report.build_report``) as rich tables for the terminal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = ["render_table"]


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def render_table(report: Mapping[str, Any], console: Console) -> None:
    """Print a per-item table and the totals of ``report`` (a :func:`build_report` document)."""
    streaming = report["mode"] == "streaming"
    chunk = f", chunk {report['chunk_ms']} ms" if report.get("chunk_ms") is not None else ""
    title = escape(
        f"asr eval: {report['mode']}, model {report['model']} ({report['compute_type']}), "
        f"beam {report['beam_size']}{chunk}"
    )
    table = Table(title=title)
    table.add_column("file", overflow="fold")
    for name in ("lang", "kind", "metric"):
        table.add_column(name)
    for name in ("error rate", "S/D/I/N", "RTF"):
        table.add_column(name, justify="right")
    if streaming:
        for name in ("p50 ms", "p95 ms", "first partial ms", "end lag s", "unaccounted s"):
            table.add_column(name, justify="right")
    for item in report["items"]:
        counts = "/".join(
            str(item[k]) for k in ("substitutions", "deletions", "insertions", "reference_length")
        )
        row = [escape(item[k]) for k in ("audio", "language", "kind")] + [item["metric"].upper()]
        row += [_rate(item["error_rate"]), counts, _rate(item["rtf"])]
        if streaming:
            row += [_ms(item["latency_p50_ms"]), _ms(item["latency_p95_ms"])]
            row += [_ms(item["first_partial_ms"]), _seconds(item.get("end_lag_s"))]
            row += [_seconds(item.get("unaccounted_s"))]
        table.add_row(*row)
    console.print(table)

    totals = report["totals"]
    summary = Table(title="totals", show_header=False)
    summary.add_column("figure")
    summary.add_column("value", justify="right")
    summary.add_row("English WER", _rate(totals["wer"]))
    summary.add_row("Mandarin CER", _rate(totals["cer"]))
    summary.add_row("RTF", _rate(totals["rtf"]))
    summary.add_row(
        "audio / processing s", f"{totals['audio_s']:.1f} / {totals['processing_s']:.1f}"
    )
    if streaming:
        latency = "/".join(
            _ms(totals[k]) for k in ("latency_p50_ms", "latency_p95_ms", "latency_max_ms")
        )
        summary.add_row("latency p50/p95/max ms", latency)
        summary.add_row("first partial p50 ms", _ms(totals["first_partial_p50_ms"]))
        summary.add_row("end lag max s", _seconds(totals.get("end_lag_max_s")))
        voiced = f"{_seconds(totals.get('voiced_s'))} / {_seconds(totals.get('in_words_s'))}"
        summary.add_row("voiced / in words s", voiced)
        summary.add_row("unaccounted voiced s", _seconds(totals.get("unaccounted_s")))
    for kind, figures in totals["by_kind"].items():
        rates = f"WER {_rate(figures['wer'])}, CER {_rate(figures['cer'])}"
        count = figures["items"]
        summary.add_row(escape(f"{kind} ({count} item{'' if count == 1 else 's'})"), rates)
    console.print(summary)
