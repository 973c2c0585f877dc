"""Fixtures for the integration tests that run a real Whisper model.

- ``base_model_spec`` and ``engine`` live in ``tests/conftest.py``: one loaded model for the
  whole session, shared with tests/rtc and tests/server.
- ``cli_engine``: makes ``asr.cli`` use that shared engine instead of loading the model again for
  every in-process ``CliRunner`` call (the model name and options still go through the CLI).
"""

from __future__ import annotations

from typing import Any

import pytest

from asr import cli
from asr.engine import Engine
from asr.models import ModelSpec


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
