"""What the delivery service asks of a courier, and the courier's signed tracking callbacks.

A callback is a JSON body ``{"event_id", "waybill", "status", "at", "note"}`` with the headers
``X-Courier-Timestamp`` (Unix seconds) and ``X-Courier-Signature`` (hex HMAC-SHA256 of
``"<timestamp>.<body>"`` under the shared key). :func:`parse_callback` raises
:class:`CallbackError` for a wrong signature, a stale timestamp or a body that is not a tracking
event, before anything is read from it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from pydantic import BaseModel, Field, ValidationError

__all__ = [
    "TRACKING_STATUSES",
    "CallbackError",
    "Courier",
    "CourierUnavailableError",
    "Letter",
    "TrackingEvent",
    "parse_callback",
    "sign_callback",
]

TRACKING_STATUSES = {
    "in_transit": None,
    "delivered": "arrived",
    "signed": "collected",
    "returned": "returned",
}
"""A courier's status → the service's step (``None``: kept in the history only)."""


@dataclass(frozen=True, slots=True)
class Letter:
    reference: str
    """Ours, stable per attempt: the courier answers the same waybill for a repeated request."""
    recipient: str
    address: str
    phone: str | None
    contents: str


class CourierUnavailableError(Exception):
    """The courier did not answer or refused for now: the job tries again later."""


class Courier(Protocol):
    name: str

    def post(self, letter: Letter) -> str:
        """Hand the letter to the courier; its waybill number."""
        ...


class TrackingEvent(BaseModel):
    event_id: str = Field(min_length=1, max_length=100)
    waybill: str = Field(min_length=1, max_length=64)
    status: str = Field(pattern=r"^(in_transit|delivered|signed|returned)$")
    at: datetime
    note: str = Field(default="", max_length=300)


class CallbackError(Exception):
    """A callback not to be believed (signature, time, shape)."""


def _mac(key: bytes, timestamp: str, body: bytes) -> str:
    return hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def sign_callback(key: bytes, event: TrackingEvent, now: datetime) -> tuple[bytes, dict[str, str]]:
    body = event.model_dump_json().encode()
    timestamp = str(int(now.timestamp()))
    return body, {
        "content-type": "application/json",
        "x-courier-timestamp": timestamp,
        "x-courier-signature": _mac(key, timestamp, body),
    }


def parse_callback(
    key: bytes, body: bytes, timestamp: str, signature: str, *, now: datetime, window_s: int
) -> TrackingEvent:
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise CallbackError("the timestamp is missing or not a number")
    if not hmac.compare_digest(_mac(key, timestamp, body), signature.lower()):
        raise CallbackError("the signature does not match")
    sent = datetime.fromtimestamp(int(timestamp), UTC)
    if abs((now - sent).total_seconds()) > window_s:
        raise CallbackError("the timestamp is outside the allowed window")
    try:
        return TrackingEvent.model_validate(json.loads(body))
    except (ValueError, ValidationError) as exc:
        raise CallbackError(f"not a tracking event: {exc}") from exc
