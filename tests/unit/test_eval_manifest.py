"""Loading and validating evaluation manifests (asr.eval.manifest)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from asr.errors import AsrError, ManifestError
from asr.eval.manifest import ManifestItem, load_manifest
from asr.eval.metrics import score
from asr.eval.normalise import tokens

DEFAULT_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "asr-dev"


def speech_corpus() -> Path:
    """The shared speech corpus folder (setting ``TINGSHEN_SPEECH_CORPUS``)."""
    return Path(os.environ.get("TINGSHEN_SPEECH_CORPUS", str(DEFAULT_CORPUS)))


def record(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "audio": "a.wav",
        "text": "Hello there.",
        "language": "en",
        "seconds": 1.5,
    }
    base.update(overrides)
    return base


def write_manifest(folder: Path, *lines: object, name: str = "manifest.jsonl") -> Path:
    """Write one line per argument (dicts as JSON, strings verbatim); create the audio it names."""
    folder.mkdir(parents=True, exist_ok=True)
    text_lines = []
    for line in lines:
        if isinstance(line, dict):
            audio = line.get("audio")
            if isinstance(audio, str) and audio:
                (folder / audio).write_bytes(b"RIFF")
            text_lines.append(json.dumps(line, ensure_ascii=False))
        else:
            text_lines.append(str(line))
    path = folder / name
    path.write_text("\n".join(text_lines) + "\n", encoding="utf-8")
    return path


class TestLoading:
    def test_fields_and_defaults(self, tmp_path: Path) -> None:
        path = write_manifest(tmp_path, record())
        assert load_manifest(path) == [
            ManifestItem(
                audio=tmp_path.resolve() / "a.wav",
                text="Hello there.",
                language="en",
                seconds=1.5,
                speakers=1,
                kind="real",
                source="",
                licence="",
            )
        ]

    def test_optional_fields(self, tmp_path: Path) -> None:
        line = record(speakers=3, kind="synthetic", source="espeak-ng", licence="MIT", extra=1)
        (item,) = load_manifest(write_manifest(tmp_path, line))
        assert (item.speakers, item.kind, item.source, item.licence) == (
            3,
            "synthetic",
            "espeak-ng",
            "MIT",
        )

    def test_audio_is_relative_to_the_manifest_folder(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        (tmp_path / "corpus" / "sub").mkdir(parents=True)
        write_manifest(tmp_path / "corpus", record(audio="sub/b.wav"), record())
        monkeypatch.chdir(tmp_path)
        items = load_manifest(Path("corpus") / "manifest.jsonl")
        assert [i.audio for i in items] == [
            (tmp_path / "corpus" / "sub" / "b.wav").resolve(),
            (tmp_path / "corpus" / "a.wav").resolve(),
        ]

    def test_absolute_audio_path(self, tmp_path: Path) -> None:
        audio = tmp_path / "elsewhere.wav"
        audio.write_bytes(b"RIFF")
        path = write_manifest(tmp_path / "m", record(audio=str(audio)))
        assert load_manifest(path)[0].audio == audio

    def test_blank_lines_bom_and_crlf(self, tmp_path: Path) -> None:
        (tmp_path / "a.wav").write_bytes(b"RIFF")
        line = json.dumps(record(text="你好\u2028世界"), ensure_ascii=False)
        path = tmp_path / "manifest.jsonl"
        path.write_bytes(("\ufeff\r\n" + line + "\r\n   \r\n" + line + "\r\n").encode())
        items = load_manifest(path)
        assert [i.text for i in items] == ["你好\u2028世界", "你好\u2028世界"]

    def test_empty_manifest(self, tmp_path: Path) -> None:
        assert load_manifest(write_manifest(tmp_path, "")) == []


class TestFilters:
    def test_languages_and_kinds(self, tmp_path: Path) -> None:
        path = write_manifest(
            tmp_path,
            record(audio="en.wav"),
            record(audio="zh.wav", language="zh", text="你好"),
            record(audio="zh_syn.wav", language="zh", text="你好", kind="synthetic"),
        )
        assert [i.audio.name for i in load_manifest(path, languages={"zh"})] == [
            "zh.wav",
            "zh_syn.wav",
        ]
        assert [i.audio.name for i in load_manifest(path, kinds={"real"})] == ["en.wav", "zh.wav"]
        assert load_manifest(path, languages={"en"}, kinds={"synthetic"}) == []

    def test_audio_of_filtered_out_items_need_not_exist(self, tmp_path: Path) -> None:
        path = write_manifest(tmp_path, record(), record(audio="zh.wav", language="zh"))
        (tmp_path / "zh.wav").unlink()
        assert len(load_manifest(path, languages={"en"})) == 1
        with pytest.raises(ManifestError, match="audio file not found"):
            load_manifest(path)


class TestErrors:
    def error(self, tmp_path: Path, *lines: object) -> str:
        path = write_manifest(tmp_path, *lines)
        with pytest.raises(ManifestError) as info:
            load_manifest(path)
        message = str(info.value)
        assert message.startswith(f"{path}:")
        return message

    def test_is_an_asr_error(self) -> None:
        assert issubclass(ManifestError, AsrError)

    def test_bad_json_names_file_and_line(self, tmp_path: Path) -> None:
        message = self.error(tmp_path, record(), "", "{not json")
        assert message.startswith(f"{tmp_path / 'manifest.jsonl'}:3: bad JSON")

    def test_not_an_object(self, tmp_path: Path) -> None:
        assert ":1: expected a JSON object, got list" in self.error(tmp_path, "[1, 2]")

    def test_missing_field(self, tmp_path: Path) -> None:
        line = record()
        del line["text"]
        assert self.error(tmp_path, record(), line).endswith(":2: missing field 'text'")

    def test_several_missing_fields(self, tmp_path: Path) -> None:
        assert "missing field 'audio', 'seconds'" in self.error(
            tmp_path, {"text": "", "language": "en"}
        )

    def test_unknown_language(self, tmp_path: Path) -> None:
        message = self.error(tmp_path, record(language="fr"))
        assert message.endswith(":1: unknown language 'fr' (allowed: en, zh)")

    def test_audio_missing(self, tmp_path: Path) -> None:
        path = write_manifest(tmp_path, record(audio="gone.wav"))
        (tmp_path / "gone.wav").unlink()
        with pytest.raises(ManifestError, match=r":1: audio file not found: .*gone\.wav"):
            load_manifest(path)

    @pytest.mark.parametrize(
        ("overrides", "problem"),
        [
            ({"audio": ""}, "field 'audio' is empty"),
            ({"audio": 3}, "field 'audio' must be a string, got 3"),
            ({"text": None}, "field 'text' must be a string, got null"),
            ({"seconds": "2"}, "field 'seconds' must be a number >= 0"),
            ({"seconds": -1}, "field 'seconds' must be a number >= 0"),
            ({"seconds": True}, "field 'seconds' must be a number >= 0"),
            ({"speakers": 0}, "field 'speakers' must be an integer >= 1"),
            ({"speakers": 1.5}, "field 'speakers' must be an integer >= 1"),
            ({"kind": ""}, "field 'kind' is empty"),
            ({"licence": 1}, "field 'licence' must be a string"),
        ],
    )
    def test_bad_field(self, tmp_path: Path, overrides: dict[str, object], problem: str) -> None:
        assert f":1: {problem}" in self.error(tmp_path, record(**overrides))

    def test_non_finite_seconds(self, tmp_path: Path) -> None:
        line = '{"audio": "a.wav", "text": "", "language": "en", "seconds": NaN}'
        assert "field 'seconds' must be a number >= 0" in self.error(tmp_path, line)

    def test_unreadable_manifest(self, tmp_path: Path) -> None:
        with pytest.raises(ManifestError, match="cannot read manifest"):
            load_manifest(tmp_path / "absent.jsonl")


@pytest.mark.corpus
def test_real_corpus_manifest() -> None:
    corpus = speech_corpus()
    manifest = corpus / "manifest.jsonl"
    if not manifest.is_file():
        pytest.skip(f"speech corpus not found at {corpus} (set TINGSHEN_SPEECH_CORPUS)")
    items = load_manifest(manifest)
    assert items
    assert {i.language for i in items} == {"zh", "en"}
    for item in items:
        assert item.audio.is_file()
        assert item.audio.parent == corpus.resolve()
        assert item.seconds > 0
        assert tokens(item.text, item.language), item.audio.name
        assert score(item.text, item.text, item.language).rate == 0.0
    english = load_manifest(manifest, languages={"en"})
    assert english == [i for i in items if i.language == "en"]
