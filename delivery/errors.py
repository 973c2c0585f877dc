"""Errors of the delivery service, each with an English and a Chinese message, and their one
mapping to HTTP.

::

    DeliveryError                 base; ``status_code`` and ``code`` per subclass
    ├── NotAuthenticatedError 401 no staff session; a courier callback without a valid signature
    ├── ForbiddenError        403 a role that may not do this
    ├── NotFoundError         404 no such case or service, or one of another court
    ├── ConflictError         409 the state does not allow it (already collected, no consent)
    └── InvalidInputError     422 well-formed but against a rule (no address for the channel)

Body: ``{"error": {"code", "reason", "message", "message_zh", "params"}}``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

__all__ = [
    "ConflictError",
    "DeliveryError",
    "ForbiddenError",
    "InvalidInputError",
    "NotAuthenticatedError",
    "NotFoundError",
    "install_handlers",
]


class DeliveryError(Exception):
    code: ClassVar[str] = "delivery_error"
    status_code: ClassVar[int] = 500

    def __init__(self, en: str, zh: str, *, reason: str | None = None, **params: Any) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh
        self.reason = reason or self.code
        self.params = params


class NotAuthenticatedError(DeliveryError):
    code = "not_authenticated"
    status_code = 401


class ForbiddenError(DeliveryError):
    code = "forbidden"
    status_code = 403


class NotFoundError(DeliveryError):
    code = "not_found"
    status_code = 404


class ConflictError(DeliveryError):
    code = "conflict"
    status_code = 409


class InvalidInputError(DeliveryError):
    code = "invalid_input"
    status_code = 422


async def _handle(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DeliveryError)
    body = {
        "error": {
            "code": exc.code,
            "reason": exc.reason,
            "message": exc.en,
            "message_zh": exc.zh,
            "params": exc.params,
        }
    }
    return JSONResponse(body, status_code=exc.status_code)


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DeliveryError, _handle)
