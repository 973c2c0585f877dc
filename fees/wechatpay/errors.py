"""Errors of the WeChat Pay v3 layer.

::

    WechatPayError              base; never raised itself
    ├── VerificationError       a signature, certificate serial, timestamp or ciphertext from the
    │   │                       provider (or from someone pretending to be it) did not check out;
    │   │                       ``reason`` is one of :data:`REASONS`, for the record and the flag
    │   └── NotificationError   the same, raised while decoding a notification (callback)
    └── ProviderError           an API call failed: ``status`` (0 when no HTTP answer came),
                                WeChat's ``code`` and ``message``, and whether a retry with the
                                same ``out_trade_no`` / ``out_refund_no`` may succeed

A response whose signature fails is a :class:`ProviderError` too (code ``BAD_RESPONSE_SIGNATURE``,
retryable: the answer may have been mangled on its way), its cause the :class:`VerificationError`.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "REASONS",
    "NotificationError",
    "ProviderError",
    "Reason",
    "VerificationError",
    "WechatPayError",
]

Reason = Literal[
    "bad_signature", "unknown_serial", "stale_timestamp", "bad_ciphertext", "malformed"
]
REASONS: tuple[Reason, ...] = (
    "bad_signature",
    "unknown_serial",
    "stale_timestamp",
    "bad_ciphertext",
    "malformed",
)


class WechatPayError(Exception):
    """Base of this package's errors."""


class VerificationError(WechatPayError):
    """``reason`` is machine-readable; ``str(error)`` says what exactly (never a key)."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: Reason = reason
        self.detail = detail


class NotificationError(VerificationError):
    """A notification that must not be acted on (the service records and flags it)."""


class ProviderError(WechatPayError):
    """An API call that did not succeed. ``retryable``: 5xx, timeouts, connection errors and
    unverifiable answers; a 4xx is the request's fault and is not retried."""

    def __init__(self, status: int, code: str, message: str, *, retryable: bool) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.retryable = retryable
