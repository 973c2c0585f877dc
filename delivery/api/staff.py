"""The clerk's routes (``/api/delivery``): cases and their services, address confirmations,
serving a document, hand-over at the court, serving again after a failure, the proof of
service, and the list of services that need the clerk's attention."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from fastapi.responses import Response
from pydantic import StringConstraints
from sqlalchemy import or_, select

from delivery.api.deps import (
    ContextDep,
    SessionDep,
    StaffDep,
    WritableCase,
    WritableService,
    case_of,
    service_of,
)
from delivery.api.schemas import AddressesIn, AgainIn
from delivery.api.views import case_view, service_view, trace_view
from delivery.audit import staff_actor
from delivery.consent import Addresses, confirm_addresses
from delivery.errors import ConflictError, InvalidInputError, NotFoundError
from delivery.serving import (
    NewDocument,
    hand_over,
    serve,
    serve_again,
)
from delivery.tables import DeliveryCase, Service, Trace
from delivery.traces import attach_trace

router = APIRouter(prefix="/api/delivery", tags=["delivery"])

PartyRef = Annotated[str, Form(pattern=r"^p-\d{1,12}$")]
FILE_SCHEMA = {"maxLength": 50 * 1024**2}
"""The upload's bound in the API schema (the routes enforce the settings)."""
Short = Annotated[str, StringConstraints(max_length=16)]
KINDS = frozenset({"judgment", "ruling", "notice", "summons", "fee_notice", "material", "other"})


@router.get("/cases")
def list_cases(staff: StaffDep, session: SessionDep) -> dict[str, Any]:
    cases = session.scalars(
        select(DeliveryCase)
        .where(DeliveryCase.court_id == staff.court_id)
        .order_by(DeliveryCase.filed_at.desc())
        .limit(200)
    ).all()
    return {
        "items": [
            {
                "dossier_case_id": c.dossier_case_id,
                "case_number": c.case_number,
                "cause_name": c.cause_name,
            }
            for c in cases
        ]
    }


@router.get("/attention")
def attention(staff: StaffDep, session: SessionDep) -> dict[str, Any]:
    """Failed and returned services the clerk has not acted on yet, of the caller's court."""
    rows = session.execute(
        select(Service, DeliveryCase)
        .join(DeliveryCase, DeliveryCase.id == Service.case_id)
        .where(DeliveryCase.court_id == staff.court_id, Service.needs_attention.is_(True))
        .order_by(Service.ended_at.desc())
        .limit(200)
    ).all()
    return {
        "items": [
            {
                **service_view(session, s),
                "case_number": c.case_number,
                "dossier_case_id": c.dossier_case_id,
            }
            for s, c in rows
        ]
    }


@router.get("/cases/{dossier_case_id}")
def get_case(dossier_case_id: int, staff: StaffDep, session: SessionDep) -> dict[str, Any]:
    return case_view(session, case_of(session, staff, dossier_case_id))


@router.put("/cases/{dossier_case_id}/parties/{party_ref}/addresses")
def put_addresses(
    case: WritableCase,
    party_ref: Annotated[str, Path(pattern=r"^p-\d{1,12}$")],
    body: AddressesIn,
    staff: StaffDep,
    session: SessionDep,
    ctx: ContextDep,
) -> dict[str, Any]:
    confirm_addresses(
        session, ctx, case, party_ref, Addresses(**body.model_dump()), staff_actor(staff)
    )
    session.commit()
    return case_view(session, case)


@router.post("/cases/{dossier_case_id}/services", status_code=201)
async def post_services(
    case: WritableCase,
    staff: StaffDep,
    session: SessionDep,
    ctx: ContextDep,
    file: Annotated[UploadFile, File(json_schema_extra=FILE_SCHEMA)],
    title: Annotated[str, Form(min_length=1, max_length=300)],
    kind: Annotated[str, Form(max_length=32, pattern=r"^[a-z_]{1,32}$")],
    recipients: Annotated[list[Short], Form(min_length=1, max_length=50)],
    channels: Annotated[list[Short], Form(min_length=1, max_length=4)],
) -> dict[str, Any]:
    if kind not in KINDS:
        raise InvalidInputError("unknown document kind", "文书种类不正确", reason="kind")
    data = await file.read(ctx.settings.max_document_bytes + 1)
    if len(data) > ctx.settings.max_document_bytes or not data.startswith(b"%PDF-"):
        raise InvalidInputError(
            "the document must be a PDF within the size limit",
            "送达文书须为PDF文件，且不超过大小上限",
            reason="document",
        )
    new = NewDocument(title.strip(), kind, data, "application/pdf")
    services = serve(session, ctx, case, new, recipients, channels, staff_actor(staff))
    session.commit()
    return {"items": [service_view(session, s) for s in services]}


@router.get("/services/{service_id}")
def get_service(service_id: int, staff: StaffDep, session: SessionDep) -> dict[str, Any]:
    service = service_of(session, staff, service_id)
    case = session.get(DeliveryCase, service.case_id)
    assert case is not None
    return {
        **service_view(session, service, steps=True),
        "case_number": case.case_number,
        "dossier_case_id": case.dossier_case_id,
    }


@router.post("/services/{service_id}/handover")
def post_handover(
    service: WritableService, staff: StaffDep, session: SessionDep, ctx: ContextDep
) -> dict[str, Any]:
    hand_over(session, ctx, service, staff_actor(staff))
    session.commit()
    return service_view(session, service, steps=True)


@router.post("/services/{service_id}/again", status_code=201)
def post_again(
    service: WritableService, body: AgainIn, staff: StaffDep, session: SessionDep, ctx: ContextDep
) -> dict[str, Any]:
    again = serve_again(
        session, ctx, service, body.channel, staff_actor(staff), body.postal_address
    )
    session.commit()
    return service_view(session, again, steps=True)


@router.get("/services/{service_id}/proof")
def get_proof(service_id: int, staff: StaffDep, session: SessionDep, ctx: ContextDep) -> Response:
    service = service_of(session, staff, service_id)
    if service.proof_blob_key is None:
        if service.state in ("opened", "collected"):
            raise ConflictError(
                "the proof of service is being issued",
                "送达回证正在生成，请稍候",
                reason="proof_pending",
            )
        raise NotFoundError(
            "no proof of service yet", "尚未送达成功，没有送达回证", reason="no_proof"
        )
    pdf = ctx.files.get(service.proof_blob_key)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="proof-{service.id}.pdf"'},
    )


@router.post("/services/{service_id}/traces", status_code=201)
async def post_trace(
    service: WritableService,
    staff: StaffDep,
    session: SessionDep,
    ctx: ContextDep,
    file: Annotated[UploadFile, File(json_schema_extra=FILE_SCHEMA)],
    note: Annotated[str, Form(min_length=1, max_length=2000)],
    attempt_id: Annotated[int | None, Form(ge=1, le=2**53)] = None,
) -> dict[str, Any]:
    """留痕: a call recording with the clerk's note, transcribed offline afterwards."""
    data = await file.read(ctx.settings.max_recording_bytes + 1)
    if len(data) > ctx.settings.max_recording_bytes:
        raise InvalidInputError("the recording is too large", "录音文件过大", reason="recording")
    media_type = (file.content_type or "").split(";")[0].strip().lower()
    trace = attach_trace(session, ctx, service, attempt_id, note.strip(), data, media_type,
                         staff_actor(staff))  # fmt: skip
    session.commit()
    return trace_view(trace)


@router.get("/traces")
def search_traces(
    staff: StaffDep,
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=100)],
) -> dict[str, Any]:
    """Traces of the caller's court whose note or transcript contains ``q``."""
    pattern = "%" + q.replace("\\", "").replace("%", "").replace("_", "") + "%"
    rows = session.execute(
        select(Trace, DeliveryCase)
        .join(Service, Service.id == Trace.service_id)
        .join(DeliveryCase, DeliveryCase.id == Service.case_id)
        .where(
            DeliveryCase.court_id == staff.court_id,
            or_(Trace.note.ilike(pattern), Trace.transcript.ilike(pattern)),
        )
        .order_by(Trace.uploaded_at.desc())
        .limit(100)
    ).all()
    return {
        "items": [
            {**trace_view(t), "case_number": c.case_number, "dossier_case_id": c.dossier_case_id}
            for t, c in rows
        ]
    }
