"""HTTP API of the closing workflow: freeze, sign, seal (``/api/hearings/{id}/closing``).

Everyone admitted to the hearing (:func:`~hearing_server.live.admission.admit`: its court's
staff, its participants) may read the status, the frozen transcript and the current PDF; what
each may *do* is decided in :mod:`hearing_server.closing` (judge freezes, signers sign in the
order of :mod:`hearing_server.closing.plan`, the clerk resolves and reminds). The browser keeps
its signing key: it asks for a certificate for its public key, then signs the bytes ``prepare``
returns and sends the value to ``finish``. Errors are the usual ``{"error": {...}}`` bodies.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field, StringConstraints

from hearing_server.closing import clerk, corrections, errata, freeze, records, seal, signatures
from hearing_server.closing.plan import SignerStatus
from hearing_server.closing.records import Caller
from hearing_server.closing.service import ClosingService
from hearing_server.closing.status import (
    ClosingStatus,
    ErratumOut,
    ObjectionOut,
    closing_status,
    erratum_out,
    objection_out,
)
from hearing_server.deps import (
    ClosingDep,
    ContextDep,
    CurrentStaff,
    OptionalStaff,
    RecordParticipant,
    SessionDep,
)
from hearing_server.errors import ConflictError, InvalidInputError
from hearing_server.live.admission import Admitted, admit
from hearing_server.models import Participant, StaffUser
from hearing_server.schemas import file_answer
from tingshen_platform.bounded import MultiLine, Note, SingleLine, Text

router = APIRouter(prefix="/api/hearings/{hearing_id}/closing", tags=["closing"])

# base64 of a 512 KB PNG is ~700 KB; of a SubjectPublicKeyInfo well under 1 KB.
B64Png = Annotated[str, StringConstraints(min_length=1, max_length=700_000)]
B64Small = Annotated[str, StringConstraints(min_length=1, max_length=2_000)]


class ObjectionIn(BaseModel):
    kind: Literal["objection", "correction"]
    segment_id: Annotated[str, Field(max_length=64), SingleLine] | None = None
    text: Text


class CertificateIn(BaseModel):
    spki: B64Small


class CertificateOut(BaseModel):
    certificate_pem: str


class PrepareIn(BaseModel):
    handwriting_png: B64Png
    confirm: bool


class PrepareOut(BaseModel):
    request_id: str
    to_be_signed: str


class FinishIn(BaseModel):
    request_id: Annotated[str, Field(min_length=1, max_length=32), SingleLine]
    signature: B64Small


class ErratumIn(BaseModel):
    segment_id: Annotated[str, Field(min_length=1, max_length=64), SingleLine]
    before: Annotated[str, StringConstraints(max_length=5000), MultiLine]
    after: Annotated[str, StringConstraints(max_length=5000), MultiLine]
    reason: Text


class AnswerIn(BaseModel):
    decision: Literal["accepted", "rejected"]
    reason: Note


class ResolveIn(BaseModel):
    status: Literal["refused", "excused"]
    note: Note


def _service(service: ClosingService | None) -> ClosingService:
    if service is None:
        raise ConflictError("signing is switched off on this server")
    return service


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInputError(f"{what} is not valid base64") from None


def _caller(
    session: SessionDep,
    hearing_id: int,
    staff: StaffUser | None,
    participant: Participant | None,
) -> tuple[Admitted, Caller]:
    admitted = admit(session, staff, participant, hearing_id)
    return admitted, records.caller_of(session, hearing_id, staff, participant)


def _status(session: SessionDep, hearing_id: int, staff: OptionalStaff,
            participant: RecordParticipant) -> ClosingStatus:  # fmt: skip
    session.expire_all()  # the action committed in its own session
    admitted, caller = _caller(session, hearing_id, staff, participant)
    return closing_status(session, admitted.hearing, caller)


@router.get("")
def get_status(
    hearing_id: int, session: SessionDep, staff: OptionalStaff, participant: RecordParticipant
) -> ClosingStatus:
    return _status(session, hearing_id, staff, participant)


@router.post("/freeze")
async def post_freeze(
    hearing_id: int, closing: ClosingDep, session: SessionDep, staff: CurrentStaff
) -> ClosingStatus:
    await freeze.freeze(_service(closing), staff=staff, hearing_id=hearing_id)
    return _status(session, hearing_id, staff, None)


@router.get("/document.pdf", response_class=Response, responses=file_answer("application/pdf"))
def get_document(
    hearing_id: int,
    closing: ClosingDep,
    session: SessionDep,
    staff: OptionalStaff,
    participant: RecordParticipant,
) -> Response:
    admit(session, staff, participant, hearing_id)
    closure = records.frozen_closure(session, hearing_id)
    pdf = _service(closing).store.read_revision(hearing_id, closure.revision)
    final = "-signed" if closure.completed_at is not None else f"-rev{closure.revision}"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="transcript-{hearing_id}{final}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/transcript.json")
def get_frozen_transcript(
    hearing_id: int,
    closing: ClosingDep,
    session: SessionDep,
    staff: OptionalStaff,
    participant: RecordParticipant,
) -> Response:
    admit(session, staff, participant, hearing_id)
    records.frozen_closure(session, hearing_id)
    body = _service(closing).store.read_transcript(hearing_id)
    return Response(body, media_type="application/json")


@router.post("/objections", status_code=201)
def post_objection(
    hearing_id: int,
    body: ObjectionIn,
    session: SessionDep,
    ctx: ContextDep,
    staff: OptionalStaff,
    participant: RecordParticipant,
) -> ObjectionOut:
    admitted, caller = _caller(session, hearing_id, staff, participant)
    objection = clerk.add_objection(
        session, ctx, hearing=admitted.hearing, caller=caller, kind=body.kind,
        segment_id=body.segment_id, text=body.text,
    )  # fmt: skip
    return objection_out(objection)


@router.post("/objections/{request_id}/answer")
def post_answer(
    hearing_id: int, request_id: int, body: AnswerIn, session: SessionDep, ctx: ContextDep,
    staff: CurrentStaff,
) -> ObjectionOut:  # fmt: skip
    """The clerk or a judge answers a party's correction request (issue 13)."""
    admitted, caller = _caller(session, hearing_id, staff, None)
    answered = corrections.answer_correction(
        session, ctx, staff=staff, hearing=admitted.hearing, request_id=request_id,
        decision=body.decision, reason=body.reason, answerer_role=caller.role,
    )  # fmt: skip
    return objection_out(answered)


@router.post("/certificate")
def post_certificate(
    hearing_id: int,
    body: CertificateIn,
    closing: ClosingDep,
    session: SessionDep,
    staff: OptionalStaff,
    participant: RecordParticipant,
) -> CertificateOut:
    admitted, caller = _caller(session, hearing_id, staff, participant)
    pem = signatures.issue_certificate(
        session, _service(closing), admitted.hearing, caller, _b64(body.spki, "spki")
    )
    return CertificateOut(certificate_pem=pem)


@router.post("/prepare")
async def post_prepare(
    hearing_id: int,
    body: PrepareIn,
    closing: ClosingDep,
    session: SessionDep,
    staff: OptionalStaff,
    participant: RecordParticipant,
) -> PrepareOut:
    if not body.confirm:
        raise InvalidInputError("confirm that you have read the record (我已阅读笔录，确认无误)")
    _, caller = _caller(session, hearing_id, staff, participant)
    png = _b64(body.handwriting_png, "handwriting_png")
    request_id, tbs = await signatures.prepare(_service(closing), hearing_id, caller, png)
    return PrepareOut(request_id=request_id, to_be_signed=base64.b64encode(tbs).decode("ascii"))


@router.post("/finish")
async def post_finish(
    hearing_id: int,
    body: FinishIn,
    closing: ClosingDep,
    session: SessionDep,
    staff: OptionalStaff,
    participant: RecordParticipant,
) -> ClosingStatus:
    _, caller = _caller(session, hearing_id, staff, participant)
    value = _b64(body.signature, "signature")
    await signatures.finish(_service(closing), hearing_id, caller, body.request_id, value)
    return _status(session, hearing_id, staff, participant)


@router.post("/slots/{key}/resolve")
async def post_resolve(
    hearing_id: int, key: str, body: ResolveIn, closing: ClosingDep, session: SessionDep,
    staff: CurrentStaff,
) -> ClosingStatus:  # fmt: skip
    admit(session, staff, None, hearing_id)
    await seal.resolve_slot(
        _service(closing), staff=staff, hearing_id=hearing_id, key=key,
        status=SignerStatus(body.status), note=body.note,
    )  # fmt: skip
    return _status(session, hearing_id, staff, None)


@router.post("/slots/{key}/remind", status_code=202)
def post_remind(
    hearing_id: int, key: str, session: SessionDep, ctx: ContextDep, staff: CurrentStaff
) -> dict[str, int]:
    admitted = admit(session, staff, None, hearing_id)
    queued = clerk.remind(session, ctx, staff=staff, hearing=admitted.hearing, key=key)
    return {"queued": queued}


@router.post("/errata", status_code=201)
def post_erratum(
    hearing_id: int, body: ErratumIn, closing: ClosingDep, session: SessionDep, ctx: ContextDep,
    staff: CurrentStaff,
) -> ErratumOut:  # fmt: skip
    admitted = admit(session, staff, None, hearing_id)
    erratum = errata.add_erratum(
        session, ctx, _service(closing).pki, staff=staff, hearing=admitted.hearing,
        segment_id=body.segment_id, before=body.before, after=body.after, reason=body.reason,
    )  # fmt: skip
    return erratum_out(erratum)
