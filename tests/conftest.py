"""Fixtures shared by the whole suite: real speech from the corpus, and speech made with espeak-ng.

- ``speech_corpus``: the ``asr-dev`` folder (``TINGSHEN_SPEECH_CORPUS``, default
  ``../shared/asr-dev`` beside the repository). Tests that use it skip where it is absent and are
  marked ``corpus`` automatically.
- ``espeak_wav``: a factory ``make_speech(text, voice="en-us") -> Path`` rendering a 16 kHz mono
  16-bit WAV with espeak-ng at ``speed_wpm`` (default 160, a little slower than espeak's 175),
  cached for the session; skips where espeak-ng is not installed. English synthetic speech is
  recognised well; Mandarin (voice ``cmn``) is not an accuracy signal.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Protocol

import pytest

from asr.engine import Engine
from asr.errors import ModelNotFoundError
from asr.models import ModelSpec, default_model_dir, resolve_model
from tests.server.db_templates import DatabaseTemplates
from tingshen_platform.bus import Bus, InProcessBus, RedisBus

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEECH_CORPUS = REPO_ROOT.parent / "shared" / "asr-dev"


class MakeSpeech(Protocol):
    def __call__(self, text: str, voice: str = "en-us", *, speed_wpm: int = 160) -> Path: ...


def speech_corpus_path() -> Path:
    """Where the speech corpus should be, whether or not it is there."""
    configured = os.environ.get("TINGSHEN_SPEECH_CORPUS")
    return Path(configured).expanduser() if configured else DEFAULT_SPEECH_CORPUS


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "speech_corpus" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.corpus)


@pytest.fixture(scope="session")
def speech_corpus() -> Path:
    path = speech_corpus_path()
    if not (path / "manifest.jsonl").is_file():
        pytest.skip(f"speech corpus not found at {path}; set TINGSHEN_SPEECH_CORPUS")
    return path


@pytest.fixture(scope="session")
def espeak_wav(tmp_path_factory: pytest.TempPathFactory) -> MakeSpeech:
    espeak = shutil.which("espeak-ng")
    out_dir = tmp_path_factory.mktemp("espeak")
    made: dict[tuple[str, str, int], Path] = {}

    def make_speech(text: str, voice: str = "en-us", *, speed_wpm: int = 160) -> Path:
        if espeak is None:
            pytest.skip("espeak-ng is not installed (apt-get install espeak-ng; .ci/run does it)")
        from asr.audio import decode_file, write_wav_pcm16  # here: only these tests need PyAV

        key = (text, voice, speed_wpm)
        if key not in made:
            digest = hashlib.sha256(repr(key).encode()).hexdigest()[:16]
            raw = out_dir / f"{digest}.raw.wav"
            # Text on stdin, so that text starting with "-" is never read as an option.
            subprocess.run(
                [espeak, "-v", voice, "-s", str(speed_wpm), "-w", str(raw), "--stdin"],
                input=text.encode(),
                check=True,
                capture_output=True,
                timeout=60,
            )
            made[key] = write_wav_pcm16(out_dir / f"{digest}.wav", decode_file(raw))
            raw.unlink()
        return made[key]

    return make_speech


@pytest.fixture(scope="session")
def base_model_spec() -> ModelSpec:
    """The multilingual base model, assembled once into the per-user model directory."""
    try:
        return resolve_model("base", model_dir=default_model_dir())
    except ModelNotFoundError as exc:
        pytest.skip(f"Whisper base model not available: {exc}")


@pytest.fixture(scope="session")
def engine(base_model_spec: ModelSpec) -> Engine:
    """One loaded model for the whole test session (every folder shares it)."""
    return Engine(base_model_spec.path, cpu_threads=os.cpu_count() or 0)


REDIS_URL = os.environ.get("TINGSHEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1.0):
            return True
    except OSError:
        return False


@pytest.fixture(params=["memory", "redis"])
async def make_bus(request: pytest.FixtureRequest) -> AsyncIterator[Callable[[], Bus]]:
    """Buses sharing one medium: the same object in one process, or one Redis for several
    processes (each call a new connection, as another server process would have)."""
    prefix = f"test-{uuid.uuid4().hex[:12]}:"
    made: list[Bus] = []
    if request.param == "memory":
        shared = InProcessBus()
        made.append(shared)

        def make() -> Bus:
            return shared
    else:
        if not _redis_reachable():
            pytest.skip("Redis is not running on 127.0.0.1:6379 (this machine kind starts it)")

        def make() -> Bus:
            bus = RedisBus(REDIS_URL, prefix=prefix)
            made.append(bus)
            return bus

    yield make
    for bus in made:
        await bus.aclose()


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseTemplates]:
    """Migrated databases the app tests start from (tests/server/db_templates.py)."""
    url = os.environ.get("TINGSHEN_TEST_DATABASE_URL")
    templates = DatabaseTemplates(tmp_path_factory.mktemp("db-templates"), url)
    yield templates
    templates.drop()
