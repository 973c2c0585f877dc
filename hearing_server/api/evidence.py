"""Evidence on screen over HTTP (docs/protocol.md "Evidence on screen").

- ``POST /api/hearings/{id}/evidence?filename=NAME``: the file itself as the body, with its
  Content-Type (``application/pdf``, ``image/png``, ``image/jpeg``; at most 20 MB). 201.
- ``GET /api/hearings/{id}/evidence``: the materials the caller may see, and what is on screen.
- ``GET /api/hearings/{id}/evidence/{material}/pages/{n}``: page ``n`` as an image.
- ``POST /api/hearings/{id}/evidence/present {"material_id": M}``, ``…/page {"page": N}``,
  ``…/take-control``, ``…/stop``: the presentation; each answers like the GET.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from hearing_server.deps import (
    ContextDep,
    DocumentsDep,
    EvidenceDep,
    HearingCaller,
    LiveDep,
    SessionDep,
)
from hearing_server.errors import InvalidInputError, PayloadTooLargeError
from hearing_server.evidence.access import (
    Who,
    material_label,
    presentation,
    readable_material,
    visible_materials,
)
from hearing_server.evidence.actions import do_present, do_stop, do_take_control, do_turn
from hearing_server.evidence.files import MAX_BYTES
from hearing_server.evidence.upload import do_upload
from hearing_server.models import EvidenceMaterial
from hearing_server.schemas import file_answer
from tingshen_platform.bounded import Id, SingleLine

router = APIRouter(prefix="/api/hearings/{hearing_id}/evidence", tags=["evidence"])


class MaterialOut(BaseModel):
    id: int
    number: int
    source: str
    """``upload`` (a participant's file); ``dossier`` later (docs/protocol.md)."""
    label: str
    """``证据1《借条》.pdf``."""
    title: str
    filename: str
    media_type: str
    sha256: str
    size_bytes: int
    page_count: int
    uploader_key: str
    uploader_role: str
    uploader_name: str
    uploaded_at: datetime
    presented: bool


class PresentingOut(BaseModel):
    material_id: int
    page: int
    presenter_key: str
    presenter_role: str
    presenter_name: str


class EvidenceOut(BaseModel):
    materials: list[MaterialOut]
    presenting: PresentingOut | None
    version: int
    """Grows with every change of the presentation (0: never presented)."""


class PresentIn(BaseModel):
    material_id: Id


class PageIn(BaseModel):
    page: int = Field(ge=1, le=10_000)


def _material(m: EvidenceMaterial) -> MaterialOut:
    return MaterialOut(
        id=m.id,
        number=m.number,
        source=m.source,
        label=material_label(m),
        title=m.title,
        filename=m.filename,
        media_type=m.media_type,
        sha256=m.sha256,
        size_bytes=m.size_bytes,
        page_count=m.page_count,
        uploader_key=m.uploader_key,
        uploader_role=m.uploader_role,
        uploader_name=m.uploader_name,
        uploaded_at=m.uploaded_at,
        presented=m.presented_at is not None,
    )


def _state(session: Session, who: Who) -> EvidenceOut:
    state = presentation(session, who.admitted.hearing.id)
    presenting = None
    if state is not None and state.material_id is not None:
        presenting = PresentingOut(
            material_id=state.material_id,
            page=state.page,
            presenter_key=state.presenter_key,
            presenter_role=state.presenter_role,
            presenter_name=state.presenter_name,
        )
    return EvidenceOut(
        materials=[_material(m) for m in visible_materials(session, who)],
        presenting=presenting,
        version=state.version if state is not None else 0,
    )


async def _body(request: Request) -> bytes:
    too_large = PayloadTooLargeError(f"evidence files are at most {MAX_BYTES // 2**20} MB")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BYTES:
            raise too_large
    return bytes(body)


@router.post("", status_code=201)
async def upload(
    hearing_id: int,
    request: Request,
    filename: Annotated[str, Query(min_length=1, max_length=255), SingleLine],
    session: SessionDep,
    ctx: ContextDep,
    store: EvidenceDep,
    who: HearingCaller,
) -> MaterialOut:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    data = await _body(request)
    material = await do_upload(
        session, ctx, store, who, filename=filename, media_type=media_type, data=data
    )
    return _material(material)


@router.get("")
def list_evidence(hearing_id: int, session: SessionDep, who: HearingCaller) -> EvidenceOut:
    return _state(session, who)


@router.get(
    "/{material_id}/pages/{page}", response_class=Response, responses=file_answer("image/*")
)
async def page_image(
    hearing_id: int,
    material_id: int,
    page: int,
    session: SessionDep,
    store: EvidenceDep,
    who: HearingCaller,
) -> Response:
    material = readable_material(session, who, material_id)
    if not 1 <= page <= material.page_count:
        raise InvalidInputError(f"page {page} is not in 1..{material.page_count}")
    data, media_type = await asyncio.to_thread(
        store.page, material.blob_key, material.media_type, page
    )
    return Response(data, media_type=media_type, headers={"Cache-Control": "private, max-age=3600"})


@router.post("/present")
async def present(
    hearing_id: int,
    body: PresentIn,
    session: SessionDep,
    ctx: ContextDep,
    rooms: DocumentsDep,
    registry: LiveDep,
    who: HearingCaller,
) -> EvidenceOut:
    await do_present(session, ctx, rooms, registry, who, material_id=body.material_id)
    return _state(session, who)


@router.post("/page")
async def turn_page(
    hearing_id: int,
    body: PageIn,
    session: SessionDep,
    ctx: ContextDep,
    rooms: DocumentsDep,
    registry: LiveDep,
    who: HearingCaller,
) -> EvidenceOut:
    await do_turn(session, ctx, rooms, registry, who, page=body.page)
    return _state(session, who)


@router.post("/take-control")
async def take_control(
    hearing_id: int,
    session: SessionDep,
    ctx: ContextDep,
    rooms: DocumentsDep,
    registry: LiveDep,
    who: HearingCaller,
) -> EvidenceOut:
    await do_take_control(session, ctx, rooms, registry, who)
    return _state(session, who)


@router.post("/stop")
async def stop(
    hearing_id: int,
    session: SessionDep,
    ctx: ContextDep,
    rooms: DocumentsDep,
    registry: LiveDep,
    who: HearingCaller,
) -> EvidenceOut:
    await do_stop(session, ctx, rooms, registry, who)
    return _state(session, who)
