"""Timestamped HMAC requests between services and from providers: the one place where such a
request is signed and checked.

The signature is the hex HMAC-SHA256, under the key the two sides share, of

    <domain><timestamp>.<body>

``domain`` names what is signed (``"party-links."``, ``"caller."``; ``""`` for the providers'
callbacks, whose keys sign nothing else), so that a signature made for one purpose is worth
nothing for another under the same key; ``timestamp`` is the sender's clock in Unix seconds (a
decimal string, as it travels in a header); ``body`` the bytes as sent. The receiver believes a
request whose signature matches and whose timestamp is within ``window_s`` of its own clock
(either way: a sender's clock may be ahead). Anything else raises :class:`SignatureError`,
whatever was wrong, and each caller maps it to its own refusal (401, a fallback). A leaf: the
standard library only.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

__all__ = ["SignatureError", "check", "sign", "timestamp_of"]

_MAX_TIMESTAMP_DIGITS = 12


class SignatureError(Exception):
    """A signed request whose signature or time is not to be believed."""


def timestamp_of(now: datetime) -> str:
    """``now`` as a request's timestamp (whole Unix seconds)."""
    return str(int(now.timestamp()))


def sign(key: bytes, domain: str, timestamp: str, body: bytes) -> str:
    """The hex signature of ``body`` sent at ``timestamp`` for ``domain``."""
    message = domain.encode() + timestamp.encode() + b"." + body
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def check(
    key: bytes,
    domain: str,
    timestamp: str,
    signature: str,
    body: bytes,
    now: datetime,
    window_s: int,
) -> None:
    """Return if ``signature`` signs ``body`` at ``timestamp`` for ``domain`` and ``timestamp``
    is within ``window_s`` seconds of ``now``; raise :class:`SignatureError` otherwise."""
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > _MAX_TIMESTAMP_DIGITS:
        raise SignatureError("the timestamp is missing or not a number")
    expected = sign(key, domain, timestamp, body).encode()
    # As bytes: a header may carry any character, and compare_digest refuses non-ASCII text.
    if not hmac.compare_digest(expected, signature.lower().encode("utf-8", "replace")):
        raise SignatureError("the signature does not match")
    sent = datetime.fromtimestamp(int(timestamp), UTC)
    moment = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    if abs((moment - sent).total_seconds()) > window_s:
        raise SignatureError("the timestamp is outside the allowed window")
