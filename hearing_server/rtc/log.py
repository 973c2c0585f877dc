"""Per-connection logging context: every record names its participant.

``participant_logger(logger, "plaintiff-1").info("connected")`` logs ``[plaintiff-1] connected``
and puts ``participant_id`` on the record (``extra``) for structured handlers.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

__all__ = ["ParticipantLogger", "participant_logger"]


class ParticipantLogger(logging.LoggerAdapter[logging.Logger]):
    def process(
        self, msg: Any, kwargs: MutableMapping[str, Any]
    ) -> tuple[Any, MutableMapping[str, Any]]:
        extra = dict(self.extra or {})
        kwargs["extra"] = {**extra, **kwargs.get("extra", {})}
        return f"[{extra.get('participant_id', '?')}] {msg}", kwargs


def participant_logger(logger: logging.Logger, participant_id: str) -> ParticipantLogger:
    return ParticipantLogger(logger, {"participant_id": participant_id})
