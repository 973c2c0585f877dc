"""Providers' signed callbacks (the courier's tracking events, the SMS provider's receipts): a
JSON body with a timestamp header (Unix seconds) and a signature header, the hex HMAC-SHA256 of
``"<timestamp>.<body>"`` under the key shared with that provider (the empty domain of
:mod:`tingshen_platform.signed_requests`, which signs and checks). Each provider's module names
its headers and the shape of its body."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from tingshen_platform import signed_requests
from tingshen_platform.signed_requests import SignatureError

__all__ = ["SignatureError", "signed", "verified_json", "verified_model"]

_DOMAIN = ""  # a provider's key signs nothing else
M = TypeVar("M", bound=BaseModel)


def signed(key: bytes, body: bytes, now: datetime) -> tuple[str, str]:
    """``(timestamp, signature)`` for ``body`` sent at ``now``."""
    timestamp = signed_requests.timestamp_of(now)
    return timestamp, signed_requests.sign(key, _DOMAIN, timestamp, body)


def verified_json(
    key: bytes, body: bytes, timestamp: str, signature: str, *, now: datetime, window_s: int
) -> Any:
    """The body's JSON, once its signature and timestamp hold (``SignatureError`` otherwise;
    ``ValueError`` for a signed body that is not JSON)."""
    signed_requests.check(key, _DOMAIN, timestamp, signature, body, now, window_s)
    return json.loads(body)


def verified_model(
    model: type[M],
    key: bytes,
    body: bytes,
    timestamp: str,
    signature: str,
    *,
    now: datetime,
    window_s: int,
) -> M:
    """The body as ``model``, once its signature and timestamp hold (``SignatureError``
    otherwise; ``ValueError``, pydantic's ``ValidationError`` among them, for a signed body that
    is not JSON or not that shape)."""
    data = verified_json(key, body, timestamp, signature, now=now, window_s=window_s)
    return model.model_validate(data)
