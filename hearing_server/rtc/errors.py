"""Errors of the media core.

    RtcError                 base of everything this package raises on purpose
    └── BadOfferError        the client's SDP offer is malformed or unusable (HTTP 400)

The HTTP layer maps these to status codes in one place; nothing here knows about HTTP.
"""

from __future__ import annotations

__all__ = ["BadOfferError", "RtcError"]


class RtcError(Exception):
    """Base class of the media core's errors."""


class BadOfferError(RtcError):
    """The SDP offer could not be parsed or applied; the client should fix its request."""
