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
    # --- the archive (dossier/archive/)
    "dossier_archived": "the case is archived: nothing of it can change",
    "archive_case_not_closed": "only a closed case is arranged for the archive",
    "archive_order_mismatch": "the order must name each of the main volume's {expected} "
    "materials exactly once",
    "archive_empty": "the main volume has no materials to archive",
    "archive_pdf_pending": "material {material_id} has no PDF yet",
    "archive_not_arranged": "arrange the closed case's volume first",
    "archive_arrangement_stale": "the main volume changed since it was arranged: arrange it again",
    "archive_seal_unavailable": "the court seal is not available on this server (signing is off)",
    "archive_not_archived": "the case is not archived",
    "archive_busy": "the case is being submitted right now: try again in a moment",
    "archive_package_missing": "the archival package is missing: tell the court's administrator",
    "archive_borrowing_not_found": "no such borrowing request",
    "archive_borrowing_decided": "the request was already answered ({status})",
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
