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

Each route needs the court PKI (``app.state.pki``); a server with signing switched off answers 404.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from hearing_server.closing import records
from hearing_server.closing.service import ClosingService
from hearing_server.court_pki import CourtPki
from hearing_server.deps import OptionalParticipant, OptionalStaff, SessionDep
from hearing_server.errors import (
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitedError,
    UnsupportedMediaTypeError,
)
from hearing_server.live.admission import admit
from hearing_server.recording_archive import recording_digests
from hearing_server.security import LoginRateLimiter
from hearing_server.verification import VerificationPool

router = APIRouter(tags=["verification"])

MAX_PDF_BYTES = 50 * 1024 * 1024
#: A TimeStampReq is about a hundred bytes; anything near this limit is not one.
MAX_TIMESTAMP_QUERY_BYTES = 16 * 1024
#: Where the header must appear (PDF readers accept leading junk up to 1 KB; so does pyHanko).
PDF_HEADER_WINDOW = 1024
#: Where ``startxref`` and ``%%EOF`` must appear. pyHanko searches for them byte by byte from
#: the end: on 50 MB without them that took 18-30 s of a worker, for a file that cannot verify.
PDF_TRAILER_WINDOW = 1024
#: Uploads per client address: a crafted file can hold a worker for the whole time limit.
UPLOADS_PER_WINDOW = 20
UPLOAD_WINDOW = timedelta(minutes=10)
NO_STORE = {"Cache-Control": "no-store"}


class NotPdfError(InvalidInputError):
    code = "not_pdf"


def _pki(request: Request) -> CourtPki:
    pki = getattr(request.app.state, "pki", None)
    if not isinstance(pki, CourtPki):
        raise NotFoundError("signing is switched off on this server")
    return pki


_POOL_LOCK = threading.Lock()  # the hearing route asks from worker threads


def verification_pool(app: FastAPI) -> VerificationPool:
    """The app's worker pool, made on first use (so a server that never verifies starts none)."""
    with _POOL_LOCK:
        pool = getattr(app.state, "verification", None)
        if not isinstance(pool, VerificationPool):
            pool = VerificationPool()
            app.state.verification = pool
        return pool


def close_verification(app: FastAPI) -> None:
    """At shutdown: stop the verification workers, if any were started."""
    pool = getattr(app.state, "verification", None)
    if isinstance(pool, VerificationPool):
        pool.close()


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


def _limiter(request: Request) -> LoginRateLimiter:
    limiter = getattr(request.app.state, "verify_limiter", None)
    if not isinstance(limiter, LoginRateLimiter):
        clock = request.app.state.context.clock
        limiter = LoginRateLimiter(limit=UPLOADS_PER_WINDOW, window=UPLOAD_WINDOW, clock=clock)
        request.app.state.verify_limiter = limiter
    return limiter


@router.post("/api/verify")
async def verify_upload(request: Request) -> JSONResponse:
    pki = _pki(request)
    client = request.client.host if request.client is not None else "unknown"
    if not _limiter(request).hit(client):
        raise RateLimitedError("too many verifications from this address; try again later")
    if _media_type(request) != "application/pdf":
        raise UnsupportedMediaTypeError("send the PDF itself with Content-Type application/pdf")
    pdf = await _read_body(request, MAX_PDF_BYTES, "the PDF")
    if b"%PDF-" not in pdf[:PDF_HEADER_WINDOW]:
        raise NotPdfError("this file is not a PDF")
    trailer = pdf[-PDF_TRAILER_WINDOW:]
    if b"startxref" not in trailer or b"%%EOF" not in trailer:
        raise NotPdfError("this file does not end like a PDF: it is incomplete or not a PDF")
    report = await verification_pool(request.app).verify(pdf, pki.root_pem)
    return JSONResponse(_with_root(report, pki), headers=NO_STORE)


def _with_root(report: dict[str, Any], pki: CourtPki) -> dict[str, Any]:
    """Say which root the verdict is relative to (the page shows the court's name)."""
    root = pki.ca.root
    return {**report, "trust_root": {"subject": root.subject.rfc4514_string()}}


@router.get("/api/court/root.pem")
def court_root(request: Request) -> Response:
    return Response(
        _pki(request).root_pem,
        media_type="application/x-pem-file",
        headers={"Content-Disposition": 'inline; filename="court-root.pem"'},
    )


@router.post("/tsa")
async def timestamp(request: Request) -> Response:
    pki = _pki(request)
    if _media_type(request) != "application/timestamp-query":
        raise UnsupportedMediaTypeError("send a DER TimeStampReq as application/timestamp-query")
    query = await _read_body(request, MAX_TIMESTAMP_QUERY_BYTES, "the timestamp query")
    reply = await asyncio.to_thread(pki.tsa.respond, query)  # the serial source fsyncs
    return Response(reply, media_type="application/timestamp-reply", headers=NO_STORE)


@router.get("/api/hearings/{hearing_id}/closing/verification")
def hearing_verification(
    hearing_id: int,
    request: Request,
    session: SessionDep,
    staff: OptionalStaff,
    participant: OptionalParticipant,
) -> JSONResponse:
    """The current document (the final one once complete), as anyone would verify it, with the
    recordings checked against the digests the server stored when it finalised them.

    A plain ``def``: FastAPI runs it in a worker thread, where the database calls and the wait for
    the verification worker block nothing else.
    """
    pki = _pki(request)
    admit(session, staff, participant, hearing_id)
    service = request.app.state.closing
    if not isinstance(service, ClosingService):
        raise NotFoundError("signing is switched off on this server")
    closure = records.frozen_closure(session, hearing_id)
    pdf = service.store.read_revision(hearing_id, closure.revision)
    recordings = {r.name: r.sha256 for r in recording_digests(session, hearing_id)}
    state = {"complete": closure.completed_at is not None, "revision": closure.revision}
    session.close()  # hold no connection while the worker verifies
    report = verification_pool(request.app).verify_blocking(pdf, pki.root_pem, recordings)
    body = {**_with_root(report, pki), "recordings_checked": True, **state}
    return JSONResponse(body, headers=NO_STORE)
