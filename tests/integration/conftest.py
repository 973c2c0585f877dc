"""Fixtures for the integration tests that run a real Whisper model.

- ``base_model_spec`` (session): the multilingual base model, assembled from the ``[model]`` extra's
  data packages into the per-user model directory (:func:`asr.models.default_model_dir`), where it
  is verified once and re-used by later sessions; skips where the data packages are missing.
- ``engine`` (session): one loaded :class:`asr.engine.Engine` of that model shared by every
  integration test, so the model is loaded once per session.
- ``cli_engine``: makes ``asr.cli`` use that shared engine instead of loading the model again for
  every in-process ``CliRunner`` call (the model name and options still go through the CLI).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from asr import cli
from asr.engine import Engine
from asr.errors import ModelNotFoundError
from asr.models import ModelSpec, default_model_dir, resolve_model


@pytest.fixture(scope="session")
def base_model_spec() -> ModelSpec:
    try:
        return resolve_model("base", model_dir=default_model_dir())
    except ModelNotFoundError as exc:
        pytest.skip(f"Whisper base model not available: {exc}")


@pytest.fixture(scope="session")
def engine(base_model_spec: ModelSpec) -> Engine:
    return Engine(base_model_spec.path, cpu_threads=os.cpu_count() or 0)


@pytest.fixture
def cli_engine(
    monkeypatch: pytest.MonkeyPatch, base_model_spec: ModelSpec, engine: Engine
) -> list[dict[str, Any]]:
    """Route the CLI's model loading to the shared engine; returns the recorded load calls."""
    calls: list[dict[str, Any]] = []

    def load_engine(model: str, **kwargs: Any) -> tuple[ModelSpec, Engine]:
        assert model == "base", f"the shared engine is the base model, not {model!r}"
        calls.append({"model": model, **kwargs})
        return base_model_spec, engine

    monkeypatch.setattr(cli, "load_engine", load_engine)
    return calls
