"""Evaluation results: per-item model, totals and the JSON document (the table: ``asr.eval.table``).

JSON document (``schema`` = ``tingshen.asr-eval/2``; times in seconds ``_s`` or milliseconds
``_ms``)::

    {
      "schema": "tingshen.asr-eval/2",
      "mode": "offline" | "streaming",
      "model": str, "compute_type": str,       # e.g. "base", "int8"
      "chunk_ms": int | null,                  # streaming chunk size; null in offline mode
      "beam_size": int,
      "items": [{
        "audio": str, "language": "zh" | "en", "kind": str, "seconds": float,
        "reference": str, "hypothesis": str,   # as given, before normalisation
        "metric": "wer" | "cer",               # cer for zh, wer for en
        "error_rate": float | null,            # (S+D+I)/N; null if the normalised reference is ""
        "substitutions": int, "deletions": int, "insertions": int, "reference_length": int,
        "processing_s": float, "rtf": float | null,
        "latency_p50_ms": float | null,        # per committed word; null in offline mode
        "latency_p95_ms": float | null,        # or when nothing was committed
        "first_partial_ms": float | null,      # null in offline mode
        "committed_words": int | null,         # number of latency samples; null in offline mode
        "end_lag_s": float | null,             # last text after the audio ended; null offline
        "voiced_s": float | null,              # accounted audio (asr.coverage), streaming only:
        "in_words_s": float | null,            #   voiced audio (by VAD) that ended in words,
        "gap_s": {reason: float} | null,       #   in gaps, by reason ("backlog", "unrecognised"),
        "unaccounted_s": float | null,         #   in neither (should be 0),
        "accounted_share": float | null        #   1 - unaccounted / voiced
      }, ...],
      "totals": {
        "wer": float | null,                   # English items only, weighted by reference length
        "cer": float | null,                   # Mandarin items only, weighted by reference length
        "rtf": float | null,                   # total processing_s / total audio_s
        "latency_p50_ms": float | null,        # pooled over every committed word of every item;
        "latency_p95_ms": float | null,        # null in offline mode
        "latency_max_ms": float | null,
        "first_partial_p50_ms": float | null,  # median over items; null in offline mode
        "end_lag_max_s": float | null,         # worst item's end lag; null in offline mode
        "voiced_s": float | null, "in_words_s": float | null,   # summed over items; null
        "unaccounted_s": float | null, "accounted_share": float | null,  # offline
        "audio_s": float, "processing_s": float,
        "by_kind": {kind: {"items": int, "wer": float | null, "cer": float | null}}
      }
    }

A null means "not applicable": no item of that language, an empty reference, offline mode.
Percentiles interpolate linearly (as ``numpy.percentile``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asr.coverage import Accounting
from asr.eval.metrics import ErrorCounts, combine, metric_name, percentile

__all__ = [
    "MODES",
    "SCHEMA",
    "ItemResult",
    "KindTotals",
    "Totals",
    "build_report",
    "compute_totals",
    "real_time_factor",
    "write_report",
]

SCHEMA = "tingshen.asr-eval/2"
MODES = frozenset({"offline", "streaming"})


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The outcome of recognising one manifest item."""

    audio: str
    language: str
    kind: str
    seconds: float
    reference: str
    hypothesis: str
    errors: ErrorCounts
    processing_s: float
    rtf: float | None
    latencies_ms: Sequence[float] = ()
    """Streaming only: per committed word, how long after its audio it was committed."""
    first_partial_ms: float | None = None
    """Streaming only: when the first partial appeared, from the start of its first word."""
    end_lag_s: float | None = None
    """Streaming only: how long after the end of the audio the stream had finished (last text)."""
    accounting: Accounting | None = None
    """Streaming only: where the voiced audio went (words, gaps, nowhere)."""


@dataclass(frozen=True, slots=True)
class KindTotals:
    """Error rates over the items of one kind (``real``, ``synthetic`` …)."""

    items: int
    wer: float | None
    cer: float | None


@dataclass(frozen=True, slots=True)
class Totals:
    """Figures over all items (see the module docstring for each field)."""

    wer: float | None
    cer: float | None
    rtf: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    latency_max_ms: float | None
    first_partial_p50_ms: float | None
    end_lag_max_s: float | None
    accounting: Accounting | None
    audio_s: float
    processing_s: float
    by_kind: Mapping[str, KindTotals]


def real_time_factor(processing_s: float, audio_s: float) -> float | None:
    """Processing time / audio duration; None for zero-length audio."""
    return processing_s / audio_s if audio_s > 0 else None


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {sorted(MODES)}, got {mode!r}")


def _rate_for(items: Sequence[ItemResult], metric: str) -> float | None:
    return combine(i.errors for i in items if metric_name(i.language) == metric).rate


def compute_totals(items: Sequence[ItemResult], *, mode: str) -> Totals:
    """Totals over ``items``: WER/CER weighted by reference length, pooled latencies."""
    _check_mode(mode)
    streaming = mode == "streaming"
    audio_s = sum(i.seconds for i in items)
    processing_s = sum(i.processing_s for i in items)
    latencies_ms = [ms for i in items for ms in i.latencies_ms] if streaming else []
    first_partials_ms = [i.first_partial_ms for i in items if i.first_partial_ms is not None]
    end_lags_s = [i.end_lag_s for i in items if i.end_lag_s is not None] if streaming else []
    by_kind: dict[str, KindTotals] = {}
    for kind in sorted({i.kind for i in items}):
        of_kind = [i for i in items if i.kind == kind]
        by_kind[kind] = KindTotals(
            len(of_kind), _rate_for(of_kind, "wer"), _rate_for(of_kind, "cer")
        )
    return Totals(
        wer=_rate_for(items, "wer"),
        cer=_rate_for(items, "cer"),
        rtf=real_time_factor(processing_s, audio_s),
        latency_p50_ms=percentile(latencies_ms, 50),
        latency_p95_ms=percentile(latencies_ms, 95),
        latency_max_ms=max(latencies_ms) if latencies_ms else None,
        first_partial_p50_ms=percentile(first_partials_ms, 50) if streaming else None,
        end_lag_max_s=max(end_lags_s) if end_lags_s else None,
        accounting=_sum_accounting([i.accounting for i in items if i.accounting is not None]),
        audio_s=audio_s,
        processing_s=processing_s,
        by_kind=by_kind,
    )


def _item_json(item: ItemResult, *, streaming: bool) -> dict[str, Any]:
    return {
        "audio": item.audio,
        "language": item.language,
        "kind": item.kind,
        "seconds": item.seconds,
        "reference": item.reference,
        "hypothesis": item.hypothesis,
        "metric": metric_name(item.language),
        "error_rate": item.errors.rate,
        "substitutions": item.errors.substitutions,
        "deletions": item.errors.deletions,
        "insertions": item.errors.insertions,
        "reference_length": item.errors.reference_length,
        "processing_s": item.processing_s,
        "rtf": item.rtf,
        "latency_p50_ms": percentile(item.latencies_ms, 50) if streaming else None,
        "latency_p95_ms": percentile(item.latencies_ms, 95) if streaming else None,
        "first_partial_ms": item.first_partial_ms if streaming else None,
        "committed_words": len(item.latencies_ms) if streaming else None,
        "end_lag_s": item.end_lag_s if streaming else None,
        **_accounting_json(item.accounting, per_reason=True),
    }


def _sum_accounting(parts: Sequence[Accounting]) -> Accounting | None:
    if not parts:
        return None
    reasons: dict[str, int] = {}
    for part in parts:
        for reason, ms in part.gap_ms_by_reason.items():
            reasons[reason] = reasons.get(reason, 0) + ms
    return Accounting(
        voiced_ms=sum(p.voiced_ms for p in parts),
        in_words_ms=sum(p.in_words_ms for p in parts),
        gap_ms_by_reason=reasons,
        unaccounted_ms=sum(p.unaccounted_ms for p in parts),
    )


def _accounting_json(accounting: Accounting | None, *, per_reason: bool) -> dict[str, Any]:
    a = accounting
    figures: dict[str, Any] = {
        "voiced_s": a.voiced_ms / 1000 if a else None,
        "in_words_s": a.in_words_ms / 1000 if a else None,
        "unaccounted_s": a.unaccounted_ms / 1000 if a else None,
        "accounted_share": a.accounted_share if a else None,
    }
    if per_reason:
        figures["gap_s"] = {r: ms / 1000 for r, ms in a.gap_ms_by_reason.items()} if a else None
    return figures


def _totals_json(totals: Totals) -> dict[str, Any]:
    return {
        "wer": totals.wer,
        "cer": totals.cer,
        "rtf": totals.rtf,
        "latency_p50_ms": totals.latency_p50_ms,
        "latency_p95_ms": totals.latency_p95_ms,
        "latency_max_ms": totals.latency_max_ms,
        "first_partial_p50_ms": totals.first_partial_p50_ms,
        "end_lag_max_s": totals.end_lag_max_s,
        **_accounting_json(totals.accounting, per_reason=False),
        "audio_s": totals.audio_s,
        "processing_s": totals.processing_s,
        "by_kind": {
            kind: {"items": k.items, "wer": k.wer, "cer": k.cer}
            for kind, k in totals.by_kind.items()
        },
    }


def build_report(
    items: Iterable[ItemResult],
    *,
    mode: str,
    model: str,
    compute_type: str,
    chunk_ms: int | None,
    beam_size: int,
) -> dict[str, Any]:
    """The JSON document described in the module docstring (``chunk_ms`` is dropped offline)."""
    _check_mode(mode)
    streaming = mode == "streaming"
    item_list = list(items)
    return {
        "schema": SCHEMA,
        "mode": mode,
        "model": model,
        "compute_type": compute_type,
        "chunk_ms": chunk_ms if streaming else None,
        "beam_size": beam_size,
        "items": [_item_json(i, streaming=streaming) for i in item_list],
        "totals": _totals_json(compute_totals(item_list, mode=mode)),
    }


def write_report(report: Mapping[str, Any], path: Path) -> None:
    """Write ``report`` as UTF-8 JSON (Chinese unescaped, no NaN), creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
