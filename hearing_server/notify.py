"""Sending one-time codes: the ``CodeSender`` protocol, ``SmsCodeSender`` (the real one, over the
configured :class:`~hearing_server.notices.sms.SmsProvider`) and ``RecordingCodeSender`` (in
memory, for tests). Codes are never logged above DEBUG.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from typing import Protocol

from hearing_server.errors import ServerError
from hearing_server.notices.errors import DeliveryError
from hearing_server.notices.render import Locale, render_code_sms
from hearing_server.notices.sms import OutgoingSms, SmsProvider

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


class CodeDeliveryError(ServerError):
    """The SMS provider could not take the code (HTTP 503 through ``install_handlers``)."""

    code = "code_delivery_failed"
    status_code = 503


class SmsCodeSender:
    """Sends the code as an SMS through ``provider``; a DeliveryError propagates to the caller.

    Codes are not queued in the outbox: they expire in minutes and the participant is waiting,
    so a failure is reported to them at once (they can ask for a new code).
    """

    def __init__(self, provider: SmsProvider, *, locale: Locale = "zh-CN") -> None:
        self._provider = provider
        self._locale = locale

    def send_code(self, *, participant_id: int, phone: str, code: str, hearing_label: str) -> None:
        reference = f"code-{participant_id}-{uuid.uuid4().hex[:12]}"
        text = render_code_sms(code, hearing_label=hearing_label, locale=self._locale)
        try:
            self._provider.send_sms(OutgoingSms(to=phone, text=text, reference=reference))
        except DeliveryError as exc:
            logger.warning(
                "one-time code to participant %s at %s failed: %s",
                participant_id,
                mask_phone(phone),
                exc.message,
            )
            raise CodeDeliveryError(
                "the code could not be sent just now; please try again in a minute"
            ) from exc
        logger.info(
            "one-time code sent to participant %s at %s for %s",
            participant_id,
            mask_phone(phone),
            hearing_label,
        )


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
