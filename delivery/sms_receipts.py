"""The SMS (and e-mail) provider's signed delivery receipts (状态报告): a message handed to the
provider has reached the phone (``delivered`` → the attempt ``arrived``), or cannot (a dead or
unknown number: ``undeliverable`` → ``failed``, which tells the clerk with the next channel).

A receipt is a JSON body ``{"receipt_id", "reference", "status", "at", "error"}``, ``reference``
being what the delivery service gave the message (``delivery-<attempt id>``), with the headers
``X-Sms-Timestamp`` (Unix seconds) and ``X-Sms-Signature`` (hex HMAC-SHA256 of
``"<timestamp>.<body>"`` under the provider's shared key) — the courier's scheme
(:mod:`delivery.courier.api`) under a key of its own. :func:`parse_receipt` raises
:class:`ReceiptError` before anything of the body is believed; :func:`sign_receipt` is the
provider's side (the local simulator, tests).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from delivery.signed_callbacks import SignatureError, signed, verified_model

__all__ = [
    "RECEIPT_STEPS",
    "ReceiptError",
    "SmsReceipt",
    "attempt_id_of",
    "parse_receipt",
    "sign_receipt",
]

RECEIPT_STEPS = {"delivered": "arrived", "undeliverable": "failed"}
"""A receipt's status → the service's step."""
PREFIX = "delivery-"


class SmsReceipt(BaseModel):
    receipt_id: str = Field(min_length=1, max_length=100)
    reference: str = Field(min_length=1, max_length=64)
    status: str = Field(pattern=r"^(delivered|undeliverable)$")
    at: datetime
    error: str = Field(default="", max_length=300)
    """The provider's reason for an undeliverable message (空号, 停机 …)."""


class ReceiptError(Exception):
    """A receipt not to be believed (signature, time, shape)."""


def sign_receipt(key: bytes, receipt: SmsReceipt, now: datetime) -> tuple[bytes, dict[str, str]]:
    body = receipt.model_dump_json().encode()
    timestamp, signature = signed(key, body, now)
    return body, {
        "content-type": "application/json",
        "x-sms-timestamp": timestamp,
        "x-sms-signature": signature,
    }


def parse_receipt(
    key: bytes, body: bytes, timestamp: str, signature: str, *, now: datetime, window_s: int
) -> SmsReceipt:
    try:
        return verified_model(
            SmsReceipt, key, body, timestamp, signature, now=now, window_s=window_s
        )
    except SignatureError as exc:
        raise ReceiptError(str(exc)) from exc
    except ValueError as exc:  # not JSON, or not the shape (pydantic's ValidationError)
        raise ReceiptError(f"not a delivery receipt: {exc}") from exc


def attempt_id_of(reference: str) -> int | None:
    """``delivery-12`` → 12; anything else → ``None``."""
    tail = reference.removeprefix(PREFIX)
    if tail == reference or not tail.isdigit() or len(tail) > 12:
        return None
    return int(tail)
