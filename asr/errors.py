"""Errors raised by the ``asr`` package.

Hierarchy::

    AsrError
    ├── ModelError            a model name or directory cannot be turned into a loadable model
    │   ├── ModelNotFoundError     nothing known by that name, or the directory is not a model
    │   └── ModelDownloadNotAllowedError  a hub name was given but downloads are off
    ├── AudioDecodeError      a file could not be decoded into 16 kHz mono audio
    ├── ManifestError         an evaluation manifest is malformed
    └── StreamClosedError     audio was fed to a stream after ``finish()``

Callers (the CLI, the hearing server) map these to exit codes or HTTP statuses in one place.
"""

from __future__ import annotations


class AsrError(Exception):
    """Base class of every error the asr package raises on purpose."""


class ModelError(AsrError):
    """A model cannot be resolved or loaded."""


class ModelNotFoundError(ModelError):
    """No model is known by that name, or a directory does not hold a faster-whisper model."""


class ModelDownloadNotAllowedError(ModelError):
    """A hub model name was given while downloads are not allowed."""


class AudioDecodeError(AsrError):
    """An audio or video file could not be decoded."""


class ManifestError(AsrError):
    """An evaluation manifest line is malformed."""


class StreamClosedError(AsrError):
    """Audio was fed to a stream that has finished."""
