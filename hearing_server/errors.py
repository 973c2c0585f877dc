"""Errors of the hearing server and their single mapping to HTTP.

::

    ServerError                      base; never raised itself
    ├── ConfigurationError           refuses to start (not an HTTP error)
    ├── NotAuthenticatedError  401   no or expired staff/participant session
    │   └── InvalidTokenError  401   invitation link or code that does not verify
    ├── ForbiddenError         403   authenticated, but not allowed (role, court, hearing)
    │   └── RemovedError       403   removed from the hearing by the judge (until readmitted)
    ├── NotFoundError          404
    ├── ConflictError          409   state does not allow it (closed hearing, stale version)
    │   ├── StaleSuggestionError 409 a re-transcription suggestion whose segment changed since
    │   ├── MayNotSignError    409   not this signer's turn (or not a signer, or already signed)
    │   ├── DocumentChangedError 409 another signature landed since this one was prepared
    │   └── SeatTakenError     409   a newer page of the same person took this page's seat
    ├── GoneError              410   expired or revoked invitation, used-up one-time code
    ├── InvalidInputError      422   well-formed request that breaks a domain rule
    │   └── InvalidSignatureError 422 a signature value that does not verify with the certificate
    ├── PayloadTooLargeError   413   request body over its limit (uploaded PDF, timestamp query)
    │   └── BodyTooLargeError  413   over the server-wide body limit (hearing_server.body_limit)
    ├── UnsupportedMediaTypeError 415 body of the wrong Content-Type
    ├── ServiceUnavailableError 503  verification workers or the TSA busy (try again; Retry-After)
    ├── OwnedElsewhereError    409   a live hearing another process runs (``owner``: go there)
    └── RateLimitedError       429   (``params.seconds``: the Retry-After header)

    hearing_server.rtc.errors.BadOfferError   400   malformed or unusable SDP offer
    hearing_server.rtc.errors.RtcError        409   any other media-core refusal (e.g. shut down)

Business code raises these; only :func:`install_handlers` knows about HTTP. Every error body is
``{"error": {"code": ..., "message": ...}}``, plus ``"reason": ..., "params": {...}`` when the
error has a more precise stable key than its class ``code`` (one of :data:`REASONS`, or
``field_<problem>``) and its values (numbers, field names); ``message`` is English for API
users. Pages translate ``reason`` (else ``code``) + ``params`` (``web/static/i18n/errors.js``); a
request that fails validation answers reason ``field_<problem>`` with params ``field`` (the body
field) — see :func:`field_problem`.

WebSocket close codes (docs/protocol.md) are defined here too; :func:`websocket_close` maps a
refusal to one: ``RemovedError`` 4411, ``ConflictError`` 4409 (hearing not open), any other
``ServerError`` 4403, ``OwnedElsewhereError`` 4421 (the reason is the owner's node name: reconnect
with ``?node=``), ``SeatTakenError`` 4412 (a newer page of the same person took the seat).
The live session's own endings: 4408 too slow, 4410 hearing closed, 1012 server restarting.
Per-socket limits (:mod:`hearing_server.socket_limits`): 4400 binary frame, 4413 message too
large, 4429 too many messages, 4422 edits refused (no reconnect). Revocation
(:mod:`hearing_server.revocation`): 4401 session ended (logout, expiry, links withdrawn), 4411
removed.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from hearing_server.rtc.errors import BadOfferError, RtcError

# Precise reasons a page shows its own text for (reason -> English message template). A raise
# site names one with ``SomeError.because(reason, **params)``; the page's dictionary has
# ``err_<reason>`` in every language (tests/server/test_error_codes.py checks both).
REASONS: dict[str, str] = {
    "too_many_requests": "too many requests; try again in {seconds} s",
    "evidence_full": "this hearing already has {most} materials of evidence, the most it takes",
    "code_cooldown": "a code was sent just now; request another in {seconds} s",
    "code_rate_limited": "too many codes requested; wait a few minutes and try again",
    "no_phone": "no phone number is on record for you; please contact the clerk",
    "no_code_pending": "no code is pending; request a new code",
    "code_expired": "the code has expired; request a new code",
    "code_attempts_used": "too many wrong codes; request a new code",
    "code_wrong": "wrong code; {left} attempt(s) left",
    "link_invalid": "this invitation link is not valid",
    "link_expired": "this invitation link has expired; ask the court for a new one",
    "link_revoked": "this invitation link has been withdrawn; ask the court for a new one",
    "hearing_ended": "this hearing is {status}; the link no longer works",
    "login_rate_limited": "too many login attempts; wait a minute and try again",
    "login_failed": "wrong username or password",
    "scheduled_in_past": "scheduled_at must be in the future",
    "hearing_changed": "hearing {hearing_id} changed meanwhile (version {version}); reload it",
    "hearing_status": "cannot {action} a hearing that is {status}",
    "notices_need_scheduled": "notices go out for a scheduled hearing only; it is {status}",
    "notice_already_sent": "notice {notice_id} was already sent",
    "preview_kind": "notices of kind {kind} cannot be previewed here",
    "preview_needs_time": "a preview of a rescheduling needs the new scheduled_at",
    "cross_origin": "this request came from a page of another site and is refused",
    "body_too_large": "the request body is larger than {limit_bytes} bytes",
    "bad_cursor": "this cursor is not one the server gave for this list; start again without it",
    "not_a_case_party": "the chosen party is not a party of this hearing's case",
    "participant_needs_name": "a participant needs a name and a role, or a party of the case",
}

# Pydantic error types -> the problem a person is told about (anything else: "invalid").
_PROBLEMS: dict[str, str] = {
    "missing": "required",
    "string_too_short": "required",
    "string_pattern_mismatch": "format",
    "string_too_long": "too_long",
    "greater_than": "out_of_range",
    "greater_than_equal": "out_of_range",
    "less_than": "out_of_range",
    "less_than_equal": "out_of_range",
    "int_parsing": "number",
    "int_type": "number",
    "datetime_parsing": "datetime",
    "datetime_from_date_parsing": "datetime",
    "timezone_aware": "datetime",
    "datetime_out_of_range": "out_of_range",
    "control_characters": "control_characters",
    "datetime_type": "datetime",
    "literal_error": "choice",
    "enum": "choice",
    "extra_forbidden": "unknown",
    "json_invalid": "body",
    "model_attributes_type": "body",
    "model_type": "body",
}
FIELD_PROBLEMS: frozenset[str] = frozenset({*_PROBLEMS.values(), "invalid"})

# Codes the handlers below answer besides the ServerError classes'.
HANDLER_CODES: tuple[str, ...] = (
    "invalid_request",
    "not_found",
    "method_not_allowed",
    "http_error",
    "bad_offer",
    "media_unavailable",
)


class ServerError(Exception):
    code: ClassVar[str] = "server_error"
    status_code: ClassVar[int] = 500

    def __init__(self, message: str, *, reason: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.code
        self.params = params

    @classmethod
    def because(cls, reason: str, **params: Any) -> Self:
        """The error of a known ``reason`` (:data:`REASONS`), its English text filled in."""
        return cls(REASONS[reason].format(**params), reason=reason, **params)

    def extra(self) -> dict[str, Any]:
        """More fields of the error body, for a client that acts on them."""
        return {}


class ConfigurationError(ServerError):
    code = "configuration"


class NotAuthenticatedError(ServerError):
    code = "not_authenticated"
    status_code = 401


class InvalidTokenError(NotAuthenticatedError):
    code = "invalid_token"


class ForbiddenError(ServerError):
    code = "forbidden"
    status_code = 403


class RemovedError(ForbiddenError):
    code = "removed"


class RecordScopeError(ForbiddenError):
    """A session from a signing link used for anything but reading and signing the record."""

    code = "record_only"


class NotFoundError(ServerError):
    code = "not_found"
    status_code = 404


class ConflictError(ServerError):
    code = "conflict"
    status_code = 409


class StaleSuggestionError(ConflictError):
    code = "suggestion_stale"


class MayNotSignError(ConflictError):
    code = "may_not_sign"


class DocumentChangedError(ConflictError):
    code = "document_changed"


class SeatTakenError(ConflictError):
    """The same person opened the room in another tab or browser, which took their seat over:
    this page stops (it may take the seat back by reloading)."""

    code = "seat_taken"


class GoneError(ServerError):
    code = "gone"
    status_code = 410


class InvalidInputError(ServerError):
    code = "invalid_input"
    status_code = 422


class InvalidSignatureError(InvalidInputError):
    code = "invalid_signature"


class RateLimitedError(ServerError):
    code = "rate_limited"
    status_code = 429


class PayloadTooLargeError(ServerError):
    code = "too_large"
    status_code = 413


class BodyTooLargeError(PayloadTooLargeError, StarletteHTTPException):
    """A body over :mod:`hearing_server.body_limit`'s limit, found while a route reads it.

    Also a Starlette ``HTTPException`` only so that FastAPI's body parser re-raises it as it is
    (it turns any other exception into a 400); it is answered by the ``ServerError`` handler."""

    def __init__(self, limit_bytes: int) -> None:
        message = REASONS["body_too_large"].format(limit_bytes=limit_bytes)
        Exception.__init__(self, message)  # not HTTPException's: its first argument is a status
        self.message = message
        self.reason = "body_too_large"
        self.params = {"limit_bytes": limit_bytes}
        self.detail = message
        self.headers = None


class UnsupportedMediaTypeError(ServerError):
    code = "unsupported_media_type"
    status_code = 415


class ServiceUnavailableError(ServerError):
    code = "unavailable"
    status_code = 503


class OwnedElsewhereError(ServerError):
    """Another server process runs this hearing's media and recognition: the client asks again
    with ``?node=<owner>``, which the proxy routes to that process."""

    code = "owned_elsewhere"
    status_code = 409

    def __init__(self, owner: str) -> None:
        super().__init__("this hearing runs on another server process; ask it there")
        self.owner = owner

    def extra(self) -> dict[str, Any]:
        return {"owner": self.owner}


WS_CLOSE_MALFORMED = 4400
"""A binary frame (both sockets speak JSON text): the client is broken; it does not reconnect."""
WS_CLOSE_SESSION_ENDED = 4401
"""The socket's session ended: logout, expiry, or the person's links were withdrawn."""
WS_CLOSE_FORBIDDEN = 4403
WS_CLOSE_OVERFLOW = 4408
"""Only for real slowness: the client fell behind; it reconnects with ``since``."""
WS_CLOSE_NOT_OPEN = 4409
WS_CLOSE_HEARING_CLOSED = 4410
WS_CLOSE_REMOVED = 4411
WS_CLOSE_SEAT_TAKEN = 4412
WS_CLOSE_TOO_LARGE = 4413
"""A message over the socket's size limit: do not send it again."""
WS_CLOSE_OWNED_ELSEWHERE = 4421
WS_CLOSE_REFUSED = 4422
"""Edits kept being refused: the client is broken or hostile; it must NOT reconnect."""
WS_CLOSE_RATE_LIMITED = 4429
"""More messages than the socket's rate limit: the client may come back after a pause."""
WS_CLOSE_SERVER_SHUTDOWN = 1012


def websocket_close(exc: ServerError) -> tuple[int, str]:
    """``(close code, reason)`` for a transcript socket refused with ``exc``."""
    if isinstance(exc, OwnedElsewhereError):
        return WS_CLOSE_OWNED_ELSEWHERE, exc.owner
    if isinstance(exc, RemovedError):
        code = WS_CLOSE_REMOVED
    elif isinstance(exc, SeatTakenError):
        code = WS_CLOSE_SEAT_TAKEN
    elif isinstance(exc, ConflictError):
        code = WS_CLOSE_NOT_OPEN
    else:
        code = WS_CLOSE_FORBIDDEN
    return code, f"{exc.code}: {exc.message}"[:120]  # a close reason is at most 123 bytes


class ErrorDetailOut(BaseModel):
    """The ``error`` of an error answer (more fields may follow: ``details``, ``owner``)."""

    model_config = ConfigDict(extra="allow")
    code: str
    message: str
    reason: str | None = None
    params: dict[str, Any] | None = None


class ErrorOut(BaseModel):
    error: ErrorDetailOut


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorOut, "description": "Refused: the error's code, reason and params"},
    "5XX": {"model": ErrorOut, "description": "Not available now (or a server error)"},
}
"""Every route's error answers, declared in the API schema (``FastAPI(responses=...)``); they
replace FastAPI's default 422 ``HTTPValidationError``, which this server never answers."""


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def field_problem(error: dict[str, Any]) -> tuple[str, str]:
    """``(field, problem)`` of one pydantic error: the body field (dotted, without ``body``) and
    one of :data:`FIELD_PROBLEMS`."""
    loc = [str(item) for item in error.get("loc", ()) if item not in ("body", "query", "path")]
    field = ".".join(loc)
    return field, _PROBLEMS.get(str(error.get("type", "")), "invalid")


def _describe(errors: list[dict[str, Any]]) -> str:
    parts = []
    for error in errors:
        location = ".".join(str(item) for item in error.get("loc", ()) if item != "body")
        parts.append(f"{location}: {error.get('msg', 'invalid')}" if location else error["msg"])
    return "; ".join(parts) or "invalid request"


async def _server_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServerError)
    precise = {"reason": exc.reason, "params": exc.params} if exc.reason != exc.code else {}
    body = error_body(exc.code, exc.message, **precise, **exc.extra())
    headers = None
    retry = isinstance(exc, RateLimitedError | ServiceUnavailableError)
    if retry and isinstance(exc.params.get("seconds"), int):
        headers = {"Retry-After": str(exc.params["seconds"])}
    if isinstance(exc, BodyTooLargeError):
        # The rest of the body is not read: on a kept-alive connection the server would still
        # take in (and parse) every byte the sender goes on sending before the next request.
        headers = {"Connection": "close"}
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    field, problem = field_problem(details[0]) if details else ("", "body")
    body = error_body(
        "invalid_request",
        _describe(details),
        reason=f"field_{problem}",
        params={"field": field},
        details=details,
    )
    return JSONResponse(body, status_code=422)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)


async def _rtc_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RtcError)
    if isinstance(exc, BadOfferError):
        return JSONResponse(error_body("bad_offer", str(exc)), status_code=400)
    return JSONResponse(error_body("media_unavailable", str(exc)), status_code=409)


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServerError, _server_error)
    app.add_exception_handler(RtcError, _rtc_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
