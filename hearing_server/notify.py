"""Sending one-time codes: the ``CodeSender`` protocol and the in-memory development sender.

The SMS gateway provider comes later; it implements the same protocol. Codes are never logged
above DEBUG.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SentCode:
    participant_id: int
    phone: str
    code: str


class CodeSender(Protocol):
    def send_code(self, *, participant_id: int, phone: str, code: str, hearing_label: str) -> None:
        """Deliver ``code`` to ``phone``; raise on failure."""


def mask_phone(phone: str) -> str:
    return phone if len(phone) <= 4 else "*" * (len(phone) - 4) + phone[-4:]


class RecordingCodeSender:
    """Keeps sent codes in memory (tests, development) and logs that a code went out."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: list[SentCode] = []

    def send_code(self, *, participant_id: int, phone: str, code: str, hearing_label: str) -> None:
        with self._lock:
            self._sent.append(SentCode(participant_id, phone, code))
        logger.info(
            "one-time code sent to participant %s at %s for %s",
            participant_id,
            mask_phone(phone),
            hearing_label,
        )
        logger.debug("one-time code for participant %s: %s", participant_id, code)

    @property
    def sent(self) -> list[SentCode]:
        with self._lock:
            return list(self._sent)

    def last_code_for(self, participant_id: int) -> str:
        for item in reversed(self.sent):
            if item.participant_id == participant_id:
                return item.code
        raise LookupError(f"no code sent to participant {participant_id}")
