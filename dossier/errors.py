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
    # --- filing (立案)
    "dossier_case_type_unknown": "no such case type: {type_code}",
    "dossier_cause_unknown": "no such cause in the civil cause catalogue: {code}",
    "dossier_cause_needed": "name the cause of action",
    "dossier_procedure_type": "the {procedure} procedure does not apply to {type_code} cases",
    "dossier_claim_amount_needed": "the small-claims procedure needs the claim amount",
    "dossier_small_claims_ceiling": (
        "the claim is over the small-claims ceiling ({ceiling_fen} fen)"
    ),
    "dossier_assignee_role": "user {user_id} is not an active {role} of this court",
    "dossier_court_code_unset": (
        "the court has no case-number code yet (its administrator sets it)"
    ),
    "dossier_court_code_invalid": "not a court code (province abbreviation and digits): {code}",
    "dossier_court_code_taken": "another court has the code {code}",
    "dossier_party_field": "party {party}: a {kind} has no {field}",
    "dossier_party_id_needed": "party {party}: {field} is needed",
    "dossier_id_number_invalid": "party {party}: not a valid resident ID number ({problem})",
    "dossier_credit_code_invalid": (
        "party {party}: not a valid unified social credit code ({problem})"
    ),
    "dossier_licence_number_invalid": "party {party}: a lawyer's licence number has 17 digits",
    "dossier_phone_invalid": "party {party}: not a phone number",
    "dossier_email_invalid": "party {party}: not an e-mail address",
    "dossier_represents_invalid": (
        "party {party}: an agent acts for one party of this filing (and only an agent does)"
    ),
    "dossier_plaintiff_needed": "a case needs a plaintiff (or applicant)",
    "dossier_party_duplicate": "party {party} appears twice",
    # -- materials: uploads, conversion, search (dossier/materials, dossier/api/materials.py)
    "dossier_material_not_found": "no such material",
    "dossier_material_type_unknown": "unknown material type {code}",
    "dossier_volume_unknown": "unknown volume {volume} (main or secondary)",
    "dossier_case_archived": "the case is archived: its dossier takes no new materials",
    "dossier_filename_empty": "the file has no usable name",
    "dossier_upload_too_large": "the file is larger than {limit_bytes} bytes",
    "dossier_upload_empty": "the file is empty",
    "dossier_file_type": "this type of file is not taken (PDF, JPEG/PNG/TIFF scans, Word, Excel, "
    "OpenDocument, RTF)",
    "dossier_macro_refused": "documents with macros are refused: save it without macros "
    "(docx, xlsx) or as PDF",
    "dossier_pdf_corrupt": "the PDF is damaged or incomplete",
    "dossier_pdf_encrypted": "the PDF is encrypted: upload it without a password",
    "dossier_image_corrupt": "the image is damaged",
    "dossier_image_too_large": "the image has more than {max_pixels} pixels",
    "dossier_office_corrupt": "the Office document is damaged",
    "dossier_search_query": "search for at least one word",
    "dossier_pdf_pending": "the PDF of this version is still being made",
    # --- publishing, grants, review (d15-publish)
    "dossier_publish_unknown_material": "there is no material {material_id} in this case",
    "dossier_publish_secondary": (
        "material {material_id} is in the secondary volume, which is never published"
    ),
    "dossier_publish_unknown_party": "there is no party {party_ref} in this case",
    "dossier_publication_not_found": "no such publication",
    "dossier_publication_withdrawn": "this publication has already been withdrawn",
    "dossier_grant_not_staff": "user {user_id} is not an active staff member of this court",
    "dossier_grant_review_body": "only a review grant names a review body",
    "dossier_grant_ends_past": "the end date {ends_on} is before today ({today})",
    "dossier_grant_too_long": "a grant ends at most {days} days from today",
    "dossier_grant_not_found": "no such grant",
    "dossier_grant_revoked": "this grant has already been revoked",
    "dossier_comment_page": "page {page} is beyond the material's {pages} pages",
    "dossier_comment_corrects": (
        "comment {corrects_id} is not an earlier comment of yours on this material"
    ),
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
