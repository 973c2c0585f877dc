"""``tingshen transcribe`` and ``tingshen stream`` with the real base model (asr.cli, asr.offline)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from asr import cli
from asr.engine import Engine
from asr.eval.manifest import load_manifest
from asr.eval.metrics import score
from asr.formats import segments_from_json
from asr.models import ModelSpec
from asr.offline import transcribe_file
from asr.text import to_simplified
from tests.conftest import MakeSpeech

pytestmark = pytest.mark.model

runner = CliRunner()
SENTENCE = "The court will now hear the case about the unpaid invoice."
KEY_WORDS = ("court", "case", "unpaid", "invoice")
AISHELL = "zh_aishell1_BAC009S0764W0121.wav"
SRT_TIME = r"\d{2}:\d{2}:\d{2},\d{3} --> \d{2}:\d{2}:\d{2},\d{3}"
VTT_TIME = r"\d{2}:\d{2}:\d{2}\.\d{3} --> \d{2}:\d{2}:\d{2}\.\d{3}"


def run(*args: Any) -> str:
    result = runner.invoke(cli.app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def english_wav(espeak_wav: MakeSpeech) -> Path:
    return espeak_wav(SENTENCE)


@pytest.fixture(scope="module")
def aishell(speech_corpus: Path) -> tuple[Path, str]:
    (item,) = [
        i for i in load_manifest(speech_corpus / "manifest.jsonl") if i.audio.name == AISHELL
    ]
    return item.audio, item.text


def test_transcribe_english_txt_loads_the_model(
    english_wav: Path, base_model_spec: ModelSpec
) -> None:
    """The one test that loads the model through the CLI itself."""
    text = run(
        "transcribe", english_wav, "--language", "en", "--model-dir", base_model_spec.path.parent
    ).lower()
    for key in KEY_WORDS:
        assert key in text


def _times_ms(stamp: str) -> list[int]:
    out = []
    for part in stamp.split(" --> "):
        h, m, rest = part.replace(",", ".").split(":")
        out.append(round((int(h) * 3600 + int(m) * 60 + float(rest)) * 1000))
    return out


def test_transcribe_srt(english_wav: Path, cli_engine: list[dict[str, Any]]) -> None:
    blocks = run("transcribe", english_wav, "--language", "en", "--format", "srt").split("\n\n")
    assert blocks
    previous_end = 0
    for n, block in enumerate(blocks, start=1):
        index, stamp, *lines = block.strip().split("\n")
        assert int(index) == n
        assert re.fullmatch(SRT_TIME, stamp)
        start, end = _times_ms(stamp)
        assert previous_end <= start <= end
        previous_end = end
        assert lines and all(line.strip() for line in lines)
    assert "invoice" in "\n".join(blocks).lower()


def test_transcribe_vtt(english_wav: Path, cli_engine: list[dict[str, Any]]) -> None:
    out = run("transcribe", english_wav, "--language", "en", "--format", "vtt")
    header, *cues = out.split("\n\n")
    assert header.strip() == "WEBVTT"
    assert cues
    for cue in cues:
        stamp, *lines = cue.strip().split("\n")
        assert re.fullmatch(VTT_TIME, stamp)
        assert lines
    assert "court" in out.lower()


def test_transcribe_json_to_file(
    english_wav: Path, tmp_path: Path, cli_engine: list[dict[str, Any]]
) -> None:
    path = tmp_path / "out.json"
    assert run("transcribe", english_wav, "--format", "json", "--output", path) == ""
    text = path.read_text(encoding="utf-8")
    document = json.loads(text)
    assert (document["language"], document["model"]) == ("en", "base")  # auto-detected
    assert document["duration_s"] > 1
    segments = segments_from_json(text)
    assert segments
    for segment in segments:
        assert 0 <= segment.start_ms <= segment.end_ms <= document["duration_s"] * 1000 + 500
        assert segment.words
        assert all(segment.start_ms <= w.start_ms <= w.end_ms for w in segment.words)
    assert cli_engine[0]["cpu_threads"] >= 1


def test_transcribe_mandarin(aishell: tuple[Path, str], cli_engine: list[dict[str, Any]]) -> None:
    audio, reference = aishell
    text = run("transcribe", audio, "--language", "zh").strip()
    assert text
    assert to_simplified(text) == text
    assert " " not in text
    errors = score(reference, text, "zh")
    assert errors.rate is not None and errors.rate <= 0.25, (text, errors)


def test_transcribe_file_reports_progress(aishell: tuple[Path, str], engine: Engine) -> None:
    seen: list[float] = []
    language, segments = transcribe_file(engine, aishell[0], language="zh", progress=seen.append)
    assert language == "zh"
    assert segments
    assert seen[-1] == 1.0
    assert seen == sorted(seen)
    assert all(0.0 <= f <= 1.0 for f in seen)


def test_stream_prints_timed_commits(
    aishell: tuple[Path, str], cli_engine: list[dict[str, Any]]
) -> None:
    audio, reference = aishell
    lines = run("stream", audio, "--language", "zh").splitlines()
    assert lines
    stamps = []
    for line in lines:
        match = re.fullmatch(r"\[(\d{2}):(\d{2}\.\d)\] (\S.*)", line)
        assert match, line
        stamps.append(int(match[1]) * 60 + float(match[2]))
    assert stamps == sorted(stamps)
    text = "".join(line.split("] ", 1)[1] for line in lines)
    errors = score(reference, text, "zh")
    assert errors.rate is not None and errors.rate <= 0.35, (text, errors)
