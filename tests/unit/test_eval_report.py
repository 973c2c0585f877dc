"""The evaluation result model, JSON document and table (asr.eval.report)."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from asr.eval.metrics import score
from asr.eval.report import (
    SCHEMA,
    ItemResult,
    build_report,
    compute_totals,
    real_time_factor,
    write_report,
)
from asr.eval.table import render_table

REPORT_KEYS = {
    "schema",
    "mode",
    "model",
    "compute_type",
    "chunk_ms",
    "beam_size",
    "items",
    "totals",
}
ITEM_KEYS = {
    "audio",
    "language",
    "kind",
    "seconds",
    "reference",
    "hypothesis",
    "metric",
    "error_rate",
    "substitutions",
    "deletions",
    "insertions",
    "reference_length",
    "processing_s",
    "rtf",
    "latency_p50_ms",
    "latency_p95_ms",
    "first_partial_ms",
    "committed_words",
    "end_lag_s",
    "voiced_s",
    "in_words_s",
    "gap_s",
    "unaccounted_s",
    "accounted_share",
}
TOTALS_KEYS = {
    "wer",
    "cer",
    "rtf",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_max_ms",
    "first_partial_p50_ms",
    "end_lag_max_s",
    "voiced_s",
    "in_words_s",
    "unaccounted_s",
    "accounted_share",
    "audio_s",
    "processing_s",
    "by_kind",
}


def item(
    audio: str,
    language: str,
    reference: str,
    hypothesis: str,
    *,
    kind: str = "real",
    seconds: float = 10.0,
    processing_s: float = 1.0,
    latencies_ms: Sequence[float] = (),
    first_partial_ms: float | None = None,
    end_lag_s: float | None = None,
) -> ItemResult:
    return ItemResult(
        audio=audio,
        language=language,
        kind=kind,
        seconds=seconds,
        reference=reference,
        hypothesis=hypothesis,
        errors=score(reference, hypothesis, language),
        processing_s=processing_s,
        rtf=real_time_factor(processing_s, seconds),
        latencies_ms=latencies_ms,
        first_partial_ms=first_partial_ms,
        end_lag_s=end_lag_s,
    )


def sample_items() -> list[ItemResult]:
    return [
        # English: 1 error in 2 words, and 0 in 8 words → WER 1/10.
        item(
            "en_a.wav",
            "en",
            "Hello world.",
            "hello word",
            latencies_ms=[100.0, 200.0, 300.0],
            first_partial_ms=400.0,
            end_lag_s=0.5,
        ),
        item(
            "en_b.wav",
            "en",
            "one two three four five six seven eight",
            "one two three four five six seven eight",
            kind="synthetic",
            seconds=5.0,
            processing_s=2.0,
            latencies_ms=[1000.0],
            first_partial_ms=600.0,
            end_lag_s=1.5,
        ),
        # Mandarin: 1 substitution in 4 characters → CER 1/4.
        item("zh_a.wav", "zh", "這個問題。", "那个问题", latencies_ms=[], first_partial_ms=None),
    ]


def report(mode: str, items: list[ItemResult] | None = None) -> dict[str, Any]:
    return build_report(
        sample_items() if items is None else items,
        mode=mode,
        model="base",
        compute_type="int8",
        chunk_ms=1000,
        beam_size=5,
    )


class TestSchema:
    @pytest.mark.parametrize("mode", ["offline", "streaming"])
    def test_fields_present(self, mode: str) -> None:
        document = report(mode)
        assert set(document) == REPORT_KEYS
        assert document["schema"] == SCHEMA == "tingshen.asr-eval/2"
        assert (document["mode"], document["model"], document["compute_type"]) == (
            mode,
            "base",
            "int8",
        )
        assert document["beam_size"] == 5
        assert all(set(i) == ITEM_KEYS for i in document["items"])
        assert set(document["totals"]) == TOTALS_KEYS

    def test_item_fields(self) -> None:
        en, _, zh = report("streaming")["items"]
        assert en["audio"] == "en_a.wav"
        assert (en["metric"], zh["metric"]) == ("wer", "cer")
        assert (en["substitutions"], en["deletions"], en["insertions"]) == (1, 0, 0)
        assert (en["reference_length"], en["error_rate"]) == (2, 0.5)
        assert (zh["reference_length"], zh["error_rate"]) == (4, 0.25)
        assert zh["reference"] == "這個問題。"  # texts are kept as given
        assert en["rtf"] == 0.1

    def test_json_serialisable_round_trip(self, tmp_path: Path) -> None:
        document = report("streaming")
        out = tmp_path / "out" / "eval.json"
        write_report(document, out)
        text = out.read_text(encoding="utf-8")
        assert "這個問題" in text  # not \\u-escaped
        assert json.loads(text) == document

    def test_unknown_mode_is_rejected(self) -> None:
        with pytest.raises(ValueError, match="mode"):
            report("batch")


class TestOffline:
    def test_latency_fields_are_null(self) -> None:
        document = report("offline")
        assert document["chunk_ms"] is None
        for entry in document["items"]:
            assert entry["latency_p50_ms"] is None
            assert entry["latency_p95_ms"] is None
            assert entry["first_partial_ms"] is None
            assert entry["committed_words"] is None
            assert entry["end_lag_s"] is None
        totals = document["totals"]
        for key in (
            "latency_p50_ms",
            "latency_p95_ms",
            "latency_max_ms",
            "first_partial_p50_ms",
            "end_lag_max_s",
        ):
            assert totals[key] is None

    def test_error_rates_still_reported(self) -> None:
        totals = report("offline")["totals"]
        assert totals["wer"] == pytest.approx(0.1)
        assert totals["cer"] == pytest.approx(0.25)


class TestStreaming:
    def test_item_latencies(self) -> None:
        en_a, en_b, zh = report("streaming")["items"]
        assert (en_a["latency_p50_ms"], en_a["latency_p95_ms"]) == (200.0, 290.0)
        assert (en_a["first_partial_ms"], en_a["committed_words"]) == (400.0, 3)
        assert en_b["latency_p50_ms"] == 1000.0
        assert (zh["latency_p50_ms"], zh["first_partial_ms"], zh["committed_words"]) == (
            None,
            None,
            0,
        )

    def test_totals_pool_every_word(self) -> None:
        totals = report("streaming")["totals"]
        assert totals["latency_p50_ms"] == 250.0  # of 100, 200, 300, 1000
        assert totals["latency_p95_ms"] == pytest.approx(895.0)
        assert totals["latency_max_ms"] == 1000.0
        assert totals["first_partial_p50_ms"] == 500.0  # items without a partial are left out
        assert report("streaming")["chunk_ms"] == 1000

    def test_end_lag(self) -> None:
        document = report("streaming")
        assert [i["end_lag_s"] for i in document["items"]] == [0.5, 1.5, None]
        assert document["totals"]["end_lag_max_s"] == 1.5


class TestTotals:
    def test_rates_are_weighted_by_reference_length(self) -> None:
        totals = compute_totals(sample_items(), mode="offline")
        assert totals.wer == pytest.approx(1 / 10)  # not the mean of 0.5 and 0.0
        assert totals.cer == pytest.approx(1 / 4)

    def test_rtf_is_total_processing_over_total_audio(self) -> None:
        totals = report("offline")["totals"]
        assert (totals["audio_s"], totals["processing_s"]) == (25.0, 4.0)
        assert totals["rtf"] == pytest.approx(4.0 / 25.0)

    def test_language_without_items_is_null(self) -> None:
        english_only = [i for i in sample_items() if i.language == "en"]
        totals = report("offline", english_only)["totals"]
        assert totals["wer"] == pytest.approx(0.1)
        assert totals["cer"] is None

    def test_by_kind(self) -> None:
        by_kind = report("offline")["totals"]["by_kind"]
        assert by_kind == {
            "real": {"items": 2, "wer": 0.5, "cer": 0.25},
            "synthetic": {"items": 1, "wer": 0.0, "cer": None},
        }

    def test_no_items(self) -> None:
        document = report("streaming", [])
        assert document["items"] == []
        totals = document["totals"]
        assert (totals["wer"], totals["cer"], totals["rtf"]) == (None, None, None)
        assert (totals["latency_p50_ms"], totals["first_partial_p50_ms"]) == (None, None)
        assert (totals["audio_s"], totals["processing_s"]) == (0, 0)
        assert totals["by_kind"] == {}

    def test_empty_reference_has_null_rate(self) -> None:
        entry = report("offline", [item("silence.wav", "en", "", "thank you")])["items"][0]
        assert entry["error_rate"] is None
        assert entry["insertions"] == 2


def test_real_time_factor() -> None:
    assert real_time_factor(1.0, 4.0) == 0.25
    assert real_time_factor(1.0, 0.0) is None


class TestRenderTable:
    def render(self, document: dict[str, Any]) -> str:
        console = Console(file=io.StringIO(), width=200, record=True, color_system=None)
        render_table(document, console)
        return console.export_text()

    def test_streaming_table(self) -> None:
        text = self.render(report("streaming"))
        for expected in ("en_a.wav", "zh_a.wav", "WER", "CER", "0.500", "0.250", "1/0/0/2"):
            assert expected in text
        assert "p50 ms" in text
        assert "latency p50/p95/max ms" in text
        assert "250/895/1000" in text
        assert "end lag max s" in text
        assert "1.5" in text  # the worst end lag, in s
        assert "English WER" in text
        assert "synthetic (1 item)" in text
        assert "real (2 items)" in text

    def test_markup_in_names_is_shown_verbatim(self) -> None:
        text = self.render(report("offline", [item("[bold]x[/bold].wav", "en", "a", "a")]))
        assert "[bold]x[/bold].wav" in text

    def test_offline_table_has_no_latency_columns(self) -> None:
        text = self.render(report("offline"))
        assert "en_a.wav" in text
        assert "p50 ms" not in text
        assert "first partial" not in text
        assert "end lag" not in text

    def test_renders_a_loaded_json_document(self, tmp_path: Path) -> None:
        path = tmp_path / "eval.json"
        write_report(report("offline"), path)
        assert "zh_a.wav" in self.render(json.loads(path.read_text(encoding="utf-8")))
