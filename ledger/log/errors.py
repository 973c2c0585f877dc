"""The log core's errors. Each carries a ``reason``, a short stable code that names what failed
(``inclusion.root_mismatch``, ``consistency.fork``, ``note.bad_signature``, …) so that callers,
tests and the people reading a verification report can tell one failure from another."""

from __future__ import annotations

__all__ = ["CheckpointError", "LogError", "NoteError", "ProofError"]


class LogError(Exception):
    """A failure of the log core; ``reason`` is its stable code, ``detail`` a sentence."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class ProofError(LogError):
    """An inclusion or consistency proof does not hold (or is malformed)."""


class NoteError(LogError):
    """A signed note is malformed, or none of its signatures verify with the keys given."""


class CheckpointError(LogError):
    """A checkpoint is malformed, or it contradicts an earlier checkpoint of the same log."""
