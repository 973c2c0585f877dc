"""SMS delivery through an ``SmsProvider``.

- ``HttpGatewaySmsProvider`` POSTs JSON to the court's SMS gateway, signed with HMAC-SHA256 over
  the exact body bytes (header ``X-Tingshen-Signature: sha256=<hex>``). 2xx is success; 4xx is a
  permanent failure (the gateway refused this message: retrying sends the same thing again);
  5xx, other statuses, timeouts and connection errors are retryable. ``reference`` is sent as
  ``message_id`` so the gateway can drop duplicates of a retried message.
- ``LocalSmsProvider`` appends each message to ``<data_dir>/sms/messages.jsonl`` (mode 0600),
  where an operator can read it; it logs that a message went out, never its text above DEBUG
  (the text may carry a one-time code).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

import httpx

from hearing_server.notices.errors import DeliveryError

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Tingshen-Signature"


@dataclass(frozen=True, slots=True)
class OutgoingSms:
    to: str
    text: str
    reference: str  # stable id, e.g. "notice-17" or "code-5": the gateway's dedupe key


class SmsProvider(Protocol):
    def send_sms(self, sms: OutgoingSms) -> None:
        """Deliver ``sms``; raise DeliveryError on failure."""


def mask_phone(phone: str) -> str:
    return phone if len(phone) <= 4 else "*" * (len(phone) - 4) + phone[-4:]


def sign_body(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify_signature(secret: bytes, body: bytes, header: str) -> bool:
    """For gateways and tests: constant-time check of ``header`` against ``body``."""
    return hmac.compare_digest(sign_body(secret, body), header)


class HttpGatewaySmsProvider:
    def __init__(
        self,
        *,
        url: str,
        secret: bytes,
        timeout_seconds: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = url
        self._secret = secret
        self._client = httpx.Client(timeout=timeout_seconds, transport=transport)

    def close(self) -> None:
        self._client.close()

    def send_sms(self, sms: OutgoingSms) -> None:
        body = json.dumps(
            {"message_id": sms.reference, "to": sms.to, "text": sms.text},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: sign_body(self._secret, body),
        }
        try:
            response = self._client.post(self._url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise DeliveryError(f"SMS gateway timed out: {type(exc).__name__}") from exc
        except httpx.HTTPError as exc:
            raise DeliveryError(f"SMS gateway unreachable: {type(exc).__name__}: {exc}") from exc
        if response.is_success:
            logger.info("SMS %s sent to %s through the gateway", sms.reference, mask_phone(sms.to))
            return
        # The body may echo the message (join link, code): kept out of errors, DEBUG only.
        logger.debug("SMS gateway answer to %s: %s", sms.reference, response.text[:500])
        permanent = 400 <= response.status_code < 500
        raise DeliveryError(
            f"SMS gateway answered {response.status_code} {response.reason_phrase}",
            permanent=permanent,
        )


class LocalSmsProvider:
    def __init__(self, directory: Path, *, clock: Callable[[], datetime] | None = None) -> None:
        self.path = directory / "messages.jsonl"
        self._clock = clock
        self._lock = threading.Lock()

    def send_sms(self, sms: OutgoingSms) -> None:
        at = self._clock() if self._clock is not None else datetime.now().astimezone()
        line = json.dumps(
            {"at": at.isoformat(), "to": sms.to, "reference": sms.reference, "text": sms.text},
            ensure_ascii=False,
        )
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                with os.fdopen(fd, "a", encoding="utf-8") as handle:
                    handle.write(line + "\n")
                    handle.flush()
                    os.fsync(handle.fileno())
        except OSError as exc:
            raise DeliveryError(f"cannot record SMS in {self.path}: {exc}") from exc
        logger.info("SMS %s to %s recorded in %s", sms.reference, mask_phone(sms.to), self.path)
        logger.debug("SMS %s text: %s", sms.reference, sms.text)

    def messages(self) -> list[dict[str, str]]:
        """Everything recorded so far (operator tooling, tests)."""
        if not self.path.exists():
            return []
        with self._lock:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
