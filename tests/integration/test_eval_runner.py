"""``asr.eval.runner.evaluate`` and ``tingshen asr eval`` with the real base model, on two short
corpus items (one English, one Mandarin)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from asr import cli
from asr.engine import Engine
from asr.eval.manifest import ManifestItem, load_manifest
from asr.eval.report import SCHEMA, ItemResult, build_report
from asr.eval.runner import evaluate
from tests.unit.test_eval_report import ITEM_KEYS, REPORT_KEYS, TOTALS_KEYS

pytestmark = pytest.mark.model

ITEMS = ("en_jfk.wav", "zh_aishell1_BAC009S0764W0121.wav")
LATENCY_KEYS = ("latency_p50_ms", "latency_p95_ms", "first_partial_ms", "end_lag_s")


@pytest.fixture(scope="module")
def manifest(speech_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A manifest of the two items, with absolute audio paths, outside the corpus folder."""
    lines = (speech_corpus / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    kept = []
    for line in lines:
        if line.strip() and (record := json.loads(line))["audio"] in ITEMS:
            record["audio"] = str((speech_corpus / record["audio"]).resolve())
            kept.append(json.dumps(record, ensure_ascii=False))
    assert len(kept) == len(ITEMS)
    path = tmp_path_factory.mktemp("manifest") / "manifest.jsonl"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def items(manifest: Path) -> list[ManifestItem]:
    return load_manifest(manifest)


@pytest.fixture(scope="module")
def offline(engine: Engine, items: list[ManifestItem]) -> list[ItemResult]:
    return evaluate(engine, items, mode="offline")


@pytest.fixture(scope="module")
def streaming(engine: Engine, items: list[ManifestItem]) -> list[ItemResult]:
    return evaluate(engine, items, mode="streaming", chunk_ms=100)


def report(results: list[ItemResult], mode: str) -> dict[str, Any]:
    return build_report(
        results, mode=mode, model="base", compute_type="int8", chunk_ms=100, beam_size=5
    )


def test_offline(offline: list[ItemResult]) -> None:
    document = report(offline, "offline")
    totals = document["totals"]
    assert totals["wer"] is not None and totals["wer"] <= 0.15
    assert totals["cer"] is not None and totals["cer"] <= 0.25
    for item in document["items"]:
        assert item["hypothesis"]
        assert item["rtf"] is not None and item["rtf"] > 0
        assert all(item[key] is None for key in LATENCY_KEYS)
    assert totals["latency_p50_ms"] is None and totals["end_lag_max_s"] is None
    english, mandarin = document["items"]
    assert "  " not in english["hypothesis"] and " " in english["hypothesis"]
    assert " " not in mandarin["hypothesis"]


def test_streaming(streaming: list[ItemResult]) -> None:
    document = report(streaming, "streaming")
    totals = document["totals"]
    assert totals["wer"] is not None and totals["wer"] <= 0.3
    assert totals["cer"] is not None and totals["cer"] <= 0.35
    for item in document["items"]:
        assert item["committed_words"] > 0
        assert all(item[key] is not None for key in LATENCY_KEYS), item
        assert item["latency_p50_ms"] > 0
        assert item["first_partial_ms"] > 0
        assert item["end_lag_s"] >= 0
    for key in ("latency_p50_ms", "latency_p95_ms", "latency_max_ms", "first_partial_p50_ms"):
        assert totals[key] is not None
    assert totals["end_lag_max_s"] is not None


def test_cli_eval_writes_the_documented_json(
    manifest: Path, tmp_path: Path, cli_engine: list[dict[str, Any]]
) -> None:
    out = tmp_path / "reports" / "eval.json"
    args = ["asr", "eval", manifest, "--mode", "streaming", "--language", "zh"]
    args += ["--chunk-ms", "200", "--beam-size", "3", "--json", out]
    result = CliRunner().invoke(cli.app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    assert "Mandarin CER" in result.stdout
    document = json.loads(out.read_text(encoding="utf-8"))
    assert set(document) == REPORT_KEYS
    assert document["schema"] == SCHEMA
    assert (document["mode"], document["model"], document["compute_type"]) == (
        "streaming",
        "base",
        "int8",
    )
    assert (document["chunk_ms"], document["beam_size"]) == (200, 3)
    (item,) = document["items"]  # --language zh kept only the Mandarin item
    assert set(item) == ITEM_KEYS
    assert set(document["totals"]) == TOTALS_KEYS
    assert item["audio"] == "zh_aishell1_BAC009S0764W0121.wav"
    assert item["metric"] == "cer" and item["latency_p50_ms"] is not None
    assert document["totals"]["wer"] is None and document["totals"]["cer"] is not None
