"""Verification anyone can run: the court's root certificate, its timestamp authority, and checking
a signed transcript (issue 6).

- ``POST /api/verify`` (body: the PDF, ``application/pdf``, at most 50 MB): the verification
  report against the court's root. No login: it tells the uploader nothing they do not already
  hold (the file names its signers), and a lawyer or a higher court must be able to check a
  transcript they were sent. The body limit is enforced while reading, the verification runs in a
  killable worker process with a time limit (:mod:`hearing_server.verification`), uploads are
  rate-limited per client address, and nothing of the file is logged.
- ``GET /api/court/root.pem``: the trust anchor, for ``tingshen verify --root`` and any PDF
  reader that should trust the court's signatures.
- ``POST /tsa``: the court TSA over HTTP (RFC 3161 section 3.4: ``application/timestamp-query``
  in, ``application/timestamp-reply`` out), the same code the server's own signing calls
  in-process. A bad query is answered with a ``rejection`` status, as the RFC wants, not an HTTP
  error.
- ``GET /api/hearings/{id}/closing/verification``: the report of a hearing's current signed
  document, its recordings checked against the digests stored with the hearing. For everyone
  admitted to the hearing.

Each route needs the court PKI (:data:`~hearing_server.deps.PkiDep`); a server with signing
switched off answers 404.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from hearing_server.closing.verify_record import verify_hearing_record
from hearing_server.court_pki import CourtPki
from hearing_server.deps import (
    ClosingDep,
    OptionalStaff,
    PkiDep,
    RecordParticipant,
    SessionDep,
    TsaLimitsDep,
    VerificationDep,
    VerifyLimiterDep,
    client_ip,
)
from hearing_server.errors import (
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitedError,
    ServiceUnavailableError,
    UnsupportedMediaTypeError,
)
from hearing_server.live.admission import admit
from hearing_server.schemas import file_answer

router = APIRouter(tags=["verification"])

MAX_PDF_BYTES = 50 * 1024 * 1024
#: A TimeStampReq is about a hundred bytes; anything near this limit is not one.
MAX_TIMESTAMP_QUERY_BYTES = 16 * 1024
#: Where the header must appear (PDF readers accept leading junk up to 1 KB; so does pyHanko).
PDF_HEADER_WINDOW = 1024
#: Where ``startxref`` and ``%%EOF`` must appear. pyHanko searches for them byte by byte from
#: the end: on 50 MB without them that took 18-30 s of a worker, for a file that cannot verify.
PDF_TRAILER_WINDOW = 1024
NO_STORE = {"Cache-Control": "no-store"}


class NotPdfError(InvalidInputError):
    code = "not_pdf"


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _read_body(request: Request, limit: int, what: str) -> bytes:
    """The body, refused as soon as it exceeds ``limit`` (declared or actually sent)."""
    too_large = PayloadTooLargeError(f"{what} is larger than {limit // 1024} KiB")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


@router.post("/api/verify")
async def verify_upload(
    request: Request, pki: PkiDep, pool: VerificationDep, limiter: VerifyLimiterDep
) -> JSONResponse:
    if not limiter.hit(client_ip(request)):
        raise RateLimitedError("too many verifications from this address; try again later")
    if _media_type(request) != "application/pdf":
        raise UnsupportedMediaTypeError("send the PDF itself with Content-Type application/pdf")
    pdf = await _read_body(request, MAX_PDF_BYTES, "the PDF")
    if b"%PDF-" not in pdf[:PDF_HEADER_WINDOW]:
        raise NotPdfError("this file is not a PDF")
    trailer = pdf[-PDF_TRAILER_WINDOW:]
    if b"startxref" not in trailer or b"%%EOF" not in trailer:
        raise NotPdfError("this file does not end like a PDF: it is incomplete or not a PDF")
    report = await pool.verify(pdf, pki.root_pem)
    return JSONResponse(_with_root(report, pki), headers=NO_STORE)


def _with_root(report: dict[str, Any], pki: CourtPki) -> dict[str, Any]:
    """Say which root the verdict is relative to (the page shows the court's name)."""
    root = pki.ca.root
    return {**report, "trust_root": {"subject": root.subject.rfc4514_string()}}


@router.get(
    "/api/court/root.pem",
    response_class=Response,
    responses=file_answer("application/x-pem-file"),
)
def court_root(pki: PkiDep) -> Response:
    return Response(
        pki.root_pem,
        media_type="application/x-pem-file",
        headers={"Content-Disposition": 'inline; filename="court-root.pem"'},
    )


@router.post("/tsa", response_class=Response, responses=file_answer("application/timestamp-reply"))
async def timestamp(request: Request, pki: PkiDep, limits: TsaLimitsDep) -> Response:
    """Limited per client address (token bucket: 429 with ``Retry-After``) and in all (at most
    ``tsa_max_concurrent`` at once: 503 with ``Retry-After``), both checked before the body is
    read (:mod:`hearing_server.rate_limit`)."""
    wait_s = limits.per_client.take(client_ip(request))
    if wait_s > 0:
        raise RateLimitedError(
            "too many timestamp requests from this address; try again later",
            seconds=limits.per_client.retry_after_s(wait_s),
        )
    with limits.concurrency.enter() as admitted:
        if not admitted:
            raise ServiceUnavailableError(
                "the timestamp authority is busy; try again in a moment", seconds=1
            )
        if _media_type(request) != "application/timestamp-query":
            raise UnsupportedMediaTypeError(
                "send a DER TimeStampReq as application/timestamp-query"
            )
        query = await _read_body(request, MAX_TIMESTAMP_QUERY_BYTES, "the timestamp query")
        reply = await asyncio.to_thread(pki.tsa.respond, query)  # the serial source fsyncs
    return Response(reply, media_type="application/timestamp-reply", headers=NO_STORE)


@router.get("/api/hearings/{hearing_id}/closing/verification")
def hearing_verification(
    hearing_id: int,
    pki: PkiDep,
    session: SessionDep,
    staff: OptionalStaff,
    participant: RecordParticipant,
    service: ClosingDep,
    pool: VerificationDep,
) -> JSONResponse:
    """The current document (the final one once complete), as anyone would verify it, with the
    recordings checked against the digests the server stored when it finalised them.

    A plain ``def``: FastAPI runs it in a worker thread, where the database calls and the wait for
    the verification worker block nothing else.
    """
    admit(session, staff, participant, hearing_id)
    if service is None:
        raise NotFoundError("signing is switched off on this server")
    report, state = verify_hearing_record(
        session, service, pool, root_pem=pki.root_pem, hearing_id=hearing_id
    )
    body = {**_with_root(report, pki), "recordings_checked": True, **state}
    return JSONResponse(body, headers=NO_STORE)
