"""Tingshen's streaming speech recognition library (faster-whisper on CPU, no network).

Public entry points: ``Engine`` (one loaded model), ``StreamingSession`` with an
``InferenceScheduler`` (live streams), ``SyncStream`` (one stream inline), ``StreamConfig``,
the event types ``Partial``, ``Commit``, ``Revision``, ``Gap`` and ``UtteranceEnd``, and
``resolve_model``.
Imports are lazy so that ``import asr`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asr.engine import Engine
    from asr.models import resolve_model
    from asr.runner import SyncStream
    from asr.scheduler import InferenceScheduler
    from asr.session import StreamingSession
    from asr.stream_config import StreamConfig
    from asr.types import Commit, Gap, Partial, Revision, UtteranceEnd, Word

__all__ = [
    "Commit",
    "Engine",
    "Gap",
    "InferenceScheduler",
    "Partial",
    "Revision",
    "StreamConfig",
    "StreamingSession",
    "SyncStream",
    "UtteranceEnd",
    "Word",
    "resolve_model",
]

_HOMES = {
    "Engine": "asr.engine",
    "resolve_model": "asr.models",
    "SyncStream": "asr.runner",
    "InferenceScheduler": "asr.scheduler",
    "StreamingSession": "asr.session",
    "StreamConfig": "asr.stream_config",
    "Commit": "asr.types",
    "Gap": "asr.types",
    "Partial": "asr.types",
    "Revision": "asr.types",
    "UtteranceEnd": "asr.types",
    "Word": "asr.types",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'asr' has no attribute {name!r}")
