"""What the delivery service asks of a courier, and the courier's signed tracking callbacks.

A callback is a JSON body ``{"event_id", "waybill", "status", "at", "note"}`` with the headers
``X-Courier-Timestamp`` (Unix seconds) and ``X-Courier-Signature`` (hex HMAC-SHA256 of
``"<timestamp>.<body>"`` under the shared key). :func:`parse_callback` raises
:class:`CallbackError` for a wrong signature, a stale timestamp or a body that is not a tracking
event, before anything is read from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, Field

from delivery.signed_callbacks import SignatureError, signed, verified_model

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


def sign_callback(key: bytes, event: TrackingEvent, now: datetime) -> tuple[bytes, dict[str, str]]:
    body = event.model_dump_json().encode()
    timestamp, signature = signed(key, body, now)
    return body, {
        "content-type": "application/json",
        "x-courier-timestamp": timestamp,
        "x-courier-signature": signature,
    }


def parse_callback(
    key: bytes, body: bytes, timestamp: str, signature: str, *, now: datetime, window_s: int
) -> TrackingEvent:
    try:
        return verified_model(
            TrackingEvent, key, body, timestamp, signature, now=now, window_s=window_s
        )
    except SignatureError as exc:
        raise CallbackError(str(exc)) from exc
    except ValueError as exc:  # not JSON, or not the shape (pydantic's ValidationError)
        raise CallbackError(f"not a tracking event: {exc}") from exc
