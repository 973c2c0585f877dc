"""``/api/portal/cases``, ``/documents``, ``/representations``: what the logged-in party sees."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path
from fastapi.responses import Response

from portal.api.deps import AccountDep, ContextDep
from portal.documents import document_view, my_cases, my_documents, open_document, sign_document
from portal.representations import request_representation
from portal.schemas import RepresentationIn

router = APIRouter(prefix="/api/portal", tags=["portal"])

RecordId = Annotated[int, Path(gt=0, le=2**31 - 1)]


@router.get("/cases")
def cases(ctx: ContextDep, account: AccountDep) -> list[dict[str, Any]]:
    with ctx.session_factory() as session:
        return my_cases(session, account)


@router.get("/documents")
def documents(ctx: ContextDep, account: AccountDep) -> list[dict[str, Any]]:
    with ctx.session_factory() as session:
        return my_documents(session, account)


@router.get("/documents/{document_id}/file")
def document_file(account: AccountDep, ctx: ContextDep, document_id: RecordId) -> Response:
    with ctx.session_factory() as session:
        doc, data = open_document(session, ctx, account, document_id)
        name = quote(f"{doc.title}.pdf")
        return Response(
            data, media_type=doc.media_type,
            headers={"Content-Disposition": f"inline; filename*=UTF-8''{name}",
                     "Cache-Control": "no-store"},
        )  # fmt: skip


@router.post("/documents/{document_id}/sign")
def document_sign(account: AccountDep, ctx: ContextDep, document_id: RecordId) -> dict[str, Any]:
    with ctx.session_factory() as session:
        return document_view(sign_document(session, ctx, account, document_id))


@router.post("/representations", status_code=201)
def representation(body: RepresentationIn, account: AccountDep, ctx: ContextDep) -> dict[str, Any]:
    with ctx.session_factory() as session:
        rep = request_representation(session, ctx, account, body)
        return {"id": rep.id, "status": rep.status}
