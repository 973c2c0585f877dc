"""The one error a delivery channel raises.

``permanent=True`` means retrying cannot help (a 4xx from the gateway, an address the SMTP server
refuses); anything else (timeouts, 5xx, connection refused) is retried with backoff.
"""

from __future__ import annotations


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
