"""The recordings package's base error."""

from __future__ import annotations

__all__ = ["RecordingError", "RecordingNotFoundError"]


class RecordingError(Exception):
    """Base error of :mod:`recordings`."""


class RecordingNotFoundError(RecordingError):
    """A key, track or hearing that the store does not hold."""
