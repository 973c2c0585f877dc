"""The one mapping of the address service's errors (:mod:`addresses.errors`) to HTTP.

Body: ``{"error": {"code", "reason", "message", "message_zh", "params"}}`` as the other side
services answer; pages show ``message_zh`` in Chinese and ``message`` in English.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from addresses.errors import AddressesError, RateLimitedError

__all__ = ["install_handlers"]


async def _addresses_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AddressesError)
    body = {
        "error": {
            "code": exc.code,
            "reason": exc.reason,
            "message": exc.en,
            "message_zh": exc.zh,
            "params": exc.params,
        }
    }
    headers = {"Retry-After": str(exc.params.get("retry_after_s", 60))}
    if not isinstance(exc, RateLimitedError):
        headers = {}
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AddressesError, _addresses_error)
