"""The ``tingshen`` command line without a model: errors, help, output wiring (asr.cli).

Where a command needs an engine, ``load_engine``/``transcribe_file`` are replaced by fakes; the
real model runs are in tests/integration/test_offline_cli.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from asr import cli
from asr.audio import write_wav_pcm16
from asr.errors import ModelError
from asr.formats import segments_from_json
from asr.models import ModelSpec
from asr.types import Segment, Word

runner = CliRunner()


def invoke(args: Sequence[str | Path], env: dict[str, str | None] | None = None) -> Result:
    return runner.invoke(cli.app, [str(a) for a in args], env=env)


def assert_clean_error(result: Result, *fragments: str) -> None:
    """Exit code 2, one line on stderr naming the problem, no traceback."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tingshen: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


@pytest.fixture
def silence_wav(tmp_path: Path) -> Path:
    return write_wav_pcm16(tmp_path / "silence.wav", np.zeros(1600, dtype=np.float32))


class FakeEngine:
    def __init__(self, multilingual: bool = True) -> None:
        self.multilingual = multilingual
        self.model_path = Path("/models/fake")


def fake_loader(
    engine: FakeEngine, calls: list[dict[str, Any]] | None = None
) -> Any:  # the signature of asr.offline.load_engine
    def load_engine(model: str, **kwargs: Any) -> tuple[ModelSpec, FakeEngine]:
        if calls is not None:
            calls.append({"model": model, **kwargs})
        return ModelSpec(model, Path("/models/fake"), engine.multilingual, "local"), engine

    return load_engine


SEGMENTS = [
    Segment(
        0,
        1_500,
        "The court is in session.",
        (
            Word(" The", 0, 300, 0.9),
            Word(" court", 300, 700, 0.9),
            Word(" is", 700, 900, 0.9),
            Word(" in", 900, 1_100, 0.9),
            Word(" session.", 1_100, 1_500, 0.9),
        ),
    )
]


@pytest.fixture
def fake_transcription(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(cli, "load_engine", fake_loader(FakeEngine(), calls))

    def transcribe_file(engine: Any, path: Path, **kwargs: Any) -> tuple[str, list[Segment]]:
        calls.append({"path": path, **kwargs})
        return "en", SEGMENTS

    monkeypatch.setattr(cli, "transcribe_file", transcribe_file)
    return calls


class TestErrors:
    def test_unknown_model(self, silence_wav: Path) -> None:
        result = invoke(["transcribe", silence_wav, "--model", "no-such-model"])
        assert_clean_error(result, "unknown model 'no-such-model'")

    def test_missing_model_directory(self, silence_wav: Path, tmp_path: Path) -> None:
        result = invoke(["transcribe", silence_wav, "--model", tmp_path / "nowhere"])
        assert_clean_error(result, "does not exist")

    def test_hub_model_without_download_permission(self, silence_wav: Path) -> None:
        result = invoke(
            ["transcribe", silence_wav, "--model", "small"],
            env={cli.ALLOW_DOWNLOAD_ENV: None},
        )
        assert_clean_error(result, "--allow-download", cli.ALLOW_DOWNLOAD_ENV)

    @pytest.mark.parametrize(
        ("flag", "env", "expected"),
        [([], None, False), (["--allow-download"], None, True), ([], "1", True), ([], "0", False)],
    )
    def test_download_permission_reaches_the_resolver(
        self,
        silence_wav: Path,
        monkeypatch: pytest.MonkeyPatch,
        flag: list[str],
        env: str | None,
        expected: bool,
    ) -> None:
        calls: list[dict[str, Any]] = []

        def load_engine(model: str, **kwargs: Any) -> Any:
            calls.append(kwargs)
            raise ModelError("stop here")

        monkeypatch.setattr(cli, "load_engine", load_engine)
        result = invoke(
            ["transcribe", silence_wav, "--model", "small", *flag],
            env={cli.ALLOW_DOWNLOAD_ENV: env},
        )
        assert_clean_error(result, "stop here")
        assert calls[0]["allow_download"] is expected

    def test_missing_audio_file(self, tmp_path: Path) -> None:
        result = invoke(["transcribe", tmp_path / "absent.wav"])
        assert_clean_error(result, "absent.wav", "no such file")

    def test_file_that_is_not_audio(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.wav"
        path.write_text("not audio at all")
        assert_clean_error(invoke(["transcribe", path]), "notes.wav")

    def test_stream_missing_audio_file(self, tmp_path: Path) -> None:
        result = invoke(["stream", tmp_path / "absent.wav", "--language", "zh"])
        assert_clean_error(result, "no such file")

    def test_mandarin_on_an_english_only_model(
        self, silence_wav: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(cli, "load_engine", fake_loader(FakeEngine(multilingual=False)))
        result = invoke(["transcribe", silence_wav, "--model", "tiny.en", "--language", "zh"])
        assert_clean_error(result, "English-only", "'zh'")

    def test_bad_manifest_names_the_line(self, tmp_path: Path, silence_wav: Path) -> None:
        manifest = tmp_path / "manifest.jsonl"
        good = {"audio": silence_wav.name, "text": "x", "language": "en", "seconds": 0.1}
        bad = {**good, "language": "fr"}
        manifest.write_text(f"{json.dumps(good)}\n{json.dumps(bad)}\n", encoding="utf-8")
        result = invoke(["asr", "eval", manifest])
        assert_clean_error(result, "manifest.jsonl:2:", "unknown language 'fr'")

    def test_missing_manifest(self, tmp_path: Path) -> None:
        result = invoke(["asr", "eval", tmp_path / "absent.jsonl"])
        assert_clean_error(result, "absent.jsonl", "cannot read manifest")

    def test_filters_that_keep_nothing(self, tmp_path: Path, silence_wav: Path) -> None:
        manifest = tmp_path / "manifest.jsonl"
        item = {"audio": silence_wav.name, "text": "x", "language": "en", "seconds": 0.1}
        manifest.write_text(json.dumps(item) + "\n", encoding="utf-8")
        result = invoke(["asr", "eval", manifest, "--kind", "long_concat"])
        assert_clean_error(result, "no items match")

    def test_unwritable_output(
        self, silence_wav: Path, tmp_path: Path, fake_transcription: list[dict[str, Any]]
    ) -> None:
        target = tmp_path / "no" / "such" / "dir" / "out.txt"
        result = invoke(["transcribe", silence_wav, "--output", target])
        assert_clean_error(result, "cannot write", "out.txt")

    def test_bad_option_value_is_a_usage_error(self, silence_wav: Path) -> None:
        result = invoke(["transcribe", silence_wav, "--format", "docx"])
        assert result.exit_code == 2
        assert "Traceback" not in result.output


class TestHelp:
    @pytest.mark.parametrize(
        "args",
        [[], ["transcribe"], ["stream"], ["models"], ["asr"], ["asr", "eval"]],
        ids=lambda a: " ".join(a) or "tingshen",
    )
    def test_help(self, args: list[str]) -> None:
        result = invoke([*args, "--help"])
        assert result.exit_code == 0, result.output
        assert "Usage" in result.stdout

    def test_eval_help_lists_its_options(self) -> None:
        text = invoke(["asr", "eval", "--help"]).stdout
        for option in ("--mode", "--chunk-ms", "--json", "--kind", "--language", "--beam-size"):
            assert option in text


class TestModels:
    def test_lists_base_and_tiny_en(self, tmp_path: Path) -> None:
        result = invoke(["models", "--model-dir", tmp_path])
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        base = next(line for line in lines if line.startswith("base "))
        assert str(tmp_path / "whisper-base") in base
        assert "assembled on first use" in base
        assert any(line.startswith("tiny.en ") for line in lines)
        assert "large-v3" in result.stdout  # hub names, with downloads

    def test_default_directory_follows_the_environment(self, tmp_path: Path) -> None:
        result = invoke(["models"], env={"TINGSHEN_MODEL_DIR": str(tmp_path)})
        assert str(tmp_path / "whisper-base") in result.stdout


class TestTranscribeWiring:
    def test_txt_to_stdout(
        self, silence_wav: Path, fake_transcription: list[dict[str, Any]]
    ) -> None:
        result = invoke(["transcribe", silence_wav, "--language", "en", "--beam-size", "2"])
        assert result.exit_code == 0, result.output
        assert result.stdout == "The court is in session.\n"
        load, run = fake_transcription
        assert (load["model"], load["compute_type"], load["allow_download"]) == (
            "base",
            "int8",
            False,
        )
        assert load["cpu_threads"] >= 1
        assert (run["language"], run["beam_size"]) == ("en", 2)

    def test_auto_language_is_none(
        self, silence_wav: Path, fake_transcription: list[dict[str, Any]]
    ) -> None:
        assert invoke(["transcribe", silence_wav]).exit_code == 0
        assert fake_transcription[1]["language"] is None

    def test_json_to_file(
        self, silence_wav: Path, tmp_path: Path, fake_transcription: list[dict[str, Any]]
    ) -> None:
        out = tmp_path / "out.json"
        result = invoke(["transcribe", silence_wav, "--format", "json", "--output", out])
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
        document = json.loads(out.read_text(encoding="utf-8"))
        assert (document["language"], document["model"]) == ("en", "base")
        assert document["duration_s"] == pytest.approx(0.1)
        assert segments_from_json(out.read_text(encoding="utf-8")) == SEGMENTS

    @pytest.mark.parametrize(("fmt", "head"), [("srt", "1\n00:00:00,000 --> "), ("vtt", "WEBVTT")])
    def test_subtitles(
        self,
        silence_wav: Path,
        fake_transcription: list[dict[str, Any]],
        fmt: str,
        head: str,
    ) -> None:
        result = invoke(["transcribe", silence_wav, "--format", fmt])
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(head)
        assert "The court is in session." in result.stdout


@pytest.mark.parametrize(
    ("ms", "text"),
    [(0, "00:00.0"), (1_249, "00:01.2"), (61_250, "01:01.2"), (3_600_000, "60:00.0")],
)
def test_clock(ms: int, text: str) -> None:
    assert cli._clock(ms) == text
