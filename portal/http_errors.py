"""The one mapping of :mod:`portal.errors` to HTTP. Body:
``{"error": {"code", "reason", "message", "message_zh", "params"}}``; pages show
``message_zh`` in Chinese and ``message`` in English."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from portal.errors import PortalError

__all__ = ["install_handlers"]


async def _portal_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PortalError)
    body = {
        "error": {
            "code": exc.code,
            "reason": exc.reason,
            "message": exc.en,
            "message_zh": exc.zh,
            "params": exc.params,
        }
    }
    headers = {"Retry-After": str(exc.params["retry_s"])} if "retry_s" in exc.params else None
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PortalError, _portal_error)
