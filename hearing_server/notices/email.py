"""E-mail delivery: ``SmtpEmailSender`` (real SMTP through the standard library) and
``FileEmailSender`` (``.eml`` files under the data dir when no SMTP server is configured).

``send`` is blocking; the dispatcher runs in a worker thread, never on the event loop.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import threading
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from hearing_server.notices.errors import DeliveryError

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    to: str
    subject: str
    body: str
    reference: str  # stable id of the notice, e.g. "notice-17" (dedupe key, Message-ID seed)


class EmailSender(Protocol):
    def send(self, email: OutgoingEmail) -> None:
        """Deliver ``email``; raise DeliveryError on failure."""


def build_message(email: OutgoingEmail, *, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=email.reference)
    message["X-Tingshen-Reference"] = email.reference
    # base64: safe through any relay (no 8BITMIME needed), and Chinese stays compact.
    message.set_content(email.body, charset="utf-8", cte="base64")
    return message


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


class SmtpEmailSender:
    """One SMTP connection per message (notices are few; no idle connection to go stale)."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout_seconds: float = 10.0,
    ) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._starttls, self._username, self._password = starttls, username, password
        self._timeout = timeout_seconds

    def send(self, email: OutgoingEmail) -> None:
        message = build_message(email, sender=self._sender)
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                if self._starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self._username is not None:
                    smtp.login(self._username, self._password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"recipient refused: {exc.recipients}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            # 5xx: the server says no for good; 4xx: try again later.
            raw = exc.smtp_error
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            permanent = 500 <= exc.smtp_code < 600
            raise DeliveryError(f"SMTP {exc.smtp_code}: {text}", permanent=permanent) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP {type(exc).__name__}: {exc}") from exc
        logger.info("e-mail %s sent to %s", email.reference, mask_email(email.to))


class FileEmailSender:
    """Writes each message as ``<dir>/<reference>-<uuid>.eml`` (mode 0600) for an operator."""

    def __init__(self, directory: Path, *, sender: str) -> None:
        self._directory = directory
        self._sender = sender
        self._lock = threading.Lock()

    def send(self, email: OutgoingEmail) -> None:
        data = build_message(email, sender=self._sender).as_bytes()
        path = self._directory / f"{email.reference}-{uuid.uuid4().hex[:8]}.eml"
        try:
            with self._lock:
                self._directory.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
        except OSError as exc:
            raise DeliveryError(f"cannot write {path}: {exc}") from exc
        logger.info("e-mail %s to %s written to %s", email.reference, mask_email(email.to), path)
