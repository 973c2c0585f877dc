"""Errors of the dossier service and their one mapping to HTTP.

::

    DossierError                 base; never raised itself
    ├── NotAuthenticatedError 401   no staff or party session
    ├── ForbiddenError       403   a role that may not do this (on a case it may see)
    ├── NotFoundError        404   no such record, *or one the caller may not know of*: another
    │                              court's case, a dossier without a grant, an unpublished
    │                              material, an expired grant or borrowing all answer this
    ├── ConflictError        409   the state does not allow it (a closed case, an archived one)
    ├── InvalidInputError    422   well-formed but against a rule (a bad ID number, a corrupt PDF)
    ├── TooLargeError        413   an upload over its limit
    └── UnsupportedMediaError 415  a file type the dossier does not take (or a macro document)

Bodies are the project's: ``{"error": {"code", "message", "reason", "params"}}``; ``reason`` is
one of :data:`REASONS` (pages translate ``err_<reason>``, ``web/static/i18n/dossier-errors.js``).
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

__all__ = [
    "REASONS",
    "ConflictError",
    "DossierError",
    "ForbiddenError",
    "InvalidInputError",
    "NotAuthenticatedError",
    "NotFoundError",
    "TooLargeError",
    "UnsupportedMediaError",
    "install_handlers",
]

# reason -> English message template (every one has zh and en text in the pages' dictionary).
REASONS: dict[str, str] = {
    "dossier_login_needed": "please log in (staff) or open your invitation link (parties)",
    "dossier_case_not_found": "no such case",
    "dossier_role": "your role ({role}) may not do this",
    # --- the register: list, closing, time limits, statistics
    "dossier_staff_only": "only the court's staff may do this",
    "dossier_bad_cursor": "this page link is not valid; start from the first page",
    "dossier_case_closed": "the case is {status}: it takes no more changes",
    "dossier_outcome_unknown": "no such way of closing a case: {outcome}",
    "dossier_close_date": (
        "the closing date must be between the filing date ({filed_on}) and today ({today})"
    ),
    "dossier_time_limit_unknown": "the case's procedure has no time limit on record",
    "dossier_time_limit_fields": "this {kind} lacks a field it needs, or has a date out of order",
    "dossier_extension_exhausted": "no further extension is allowed for this procedure",
    "dossier_extension_approver": "this extension needs another approver",
    "dossier_extension_too_long": "this extension is longer than the law allows",
    "dossier_suspension_open": "a suspension is still open: record its end first",
    "dossier_no_open_suspension": "there is no open suspension to end",
    "dossier_stats_range": "the range must run forwards and span at most {months} months",
}


class DossierError(Exception):
    code: ClassVar[str] = "dossier_error"
    status_code: ClassVar[int] = 500

    def __init__(self, message: str, *, reason: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.code
        self.params = params

    @classmethod
    def because(cls, reason: str, **params: Any) -> Self:
        return cls(REASONS[reason].format(**params), reason=reason, **params)


class NotAuthenticatedError(DossierError):
    code = "not_authenticated"
    status_code = 401


class ForbiddenError(DossierError):
    code = "forbidden"
    status_code = 403


class NotFoundError(DossierError):
    code = "not_found"
    status_code = 404


class ConflictError(DossierError):
    code = "conflict"
    status_code = 409


class InvalidInputError(DossierError):
    code = "invalid_input"
    status_code = 422


class TooLargeError(DossierError):
    code = "too_large"
    status_code = 413


class UnsupportedMediaError(DossierError):
    code = "unsupported_media_type"
    status_code = 415


async def _dossier_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DossierError)
    body = {
        "error": {
            "code": exc.code,
            "message": exc.message,
            "reason": exc.reason,
            "params": exc.params,
        }
    }
    return JSONResponse(body, status_code=exc.status_code)


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DossierError, _dossier_error)
