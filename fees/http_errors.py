"""The one mapping of the fee service's errors (:mod:`fees.errors`) to HTTP.

::

    FeesError (fees.errors)          each with an English and a Chinese message
    ├── FeeInputError           422  the fee cannot be computed as asked
    ├── ScheduleDataError       500  broken data (a bug)
    ├── FeeSettingError         500  a court setting outside the law's range
    └── FeesServiceError             the service's own
        ├── NotAuthenticatedError 401  no staff session, no valid payment link
        ├── ForbiddenError     403  a role that may not do this
        ├── NotFoundError      404  no such account, or one the caller may not know of
        ├── ConflictError      409  the state does not allow it (paid, closed, already decided)
        ├── InvalidInputError  422  well-formed but against a rule (a wrong check digit)
        └── ProviderError      503  the payment provider did not answer (try again)

Body: ``{"error": {"code", "reason", "message", "message_zh", "params"}}``: pages show
``message_zh`` in Chinese and ``message`` in English.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from fees.errors import FeeInputError, FeesError, FeesServiceError

__all__ = ["install_handlers"]


def _status(exc: FeesError) -> tuple[int, str]:
    if isinstance(exc, FeesServiceError):
        return exc.status_code, exc.code
    if isinstance(exc, FeeInputError):
        return 422, "invalid_input"
    return 500, "fees_data_error"


async def _fees_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FeesError)
    status, code = _status(exc)
    body = {
        "error": {
            "code": code,
            "reason": getattr(exc, "reason", code),
            "message": exc.en,
            "message_zh": exc.zh,
            "params": getattr(exc, "params", {}),
        }
    }
    return JSONResponse(body, status_code=status)


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(FeesError, _fees_error)
