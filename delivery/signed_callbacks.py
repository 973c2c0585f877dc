"""Providers' signed callbacks (the courier's tracking events, the SMS provider's receipts): a
JSON body with a timestamp header (Unix seconds) and a signature header, the hex HMAC-SHA256 of
``"<timestamp>.<body>"`` under the key shared with that provider. Signing and checking are done
here once; each provider's module names its headers and the shape of its body."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

__all__ = ["SignatureError", "signed", "verified_json"]


class SignatureError(Exception):
    """A callback whose signature or time is not to be believed."""


def _mac(key: bytes, timestamp: str, body: bytes) -> str:
    return hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signed(key: bytes, body: bytes, now: datetime) -> tuple[str, str]:
    """``(timestamp, signature)`` for ``body`` sent at ``now``."""
    timestamp = str(int(now.timestamp()))
    return timestamp, _mac(key, timestamp, body)


def verified_json(
    key: bytes, body: bytes, timestamp: str, signature: str, *, now: datetime, window_s: int
) -> Any:
    """The body's JSON, once its signature and timestamp hold (``SignatureError`` otherwise;
    ``ValueError`` for a signed body that is not JSON)."""
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureError("the timestamp is missing or not a number")
    if not hmac.compare_digest(_mac(key, timestamp, body), signature.lower()):
        raise SignatureError("the signature does not match")
    sent = datetime.fromtimestamp(int(timestamp), UTC)
    if abs((now - sent).total_seconds()) > window_s:
        raise SignatureError("the timestamp is outside the allowed window")
    return json.loads(body)
