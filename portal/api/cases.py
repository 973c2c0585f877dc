"""``/api/portal/home``, ``/cases``, ``/documents``, ``/representations``: what the logged-in
party sees. ``/home`` is the home page's one request (who, cases, documents, file reviews);
the others remain for the pages that need one of them."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from portal.accounts import me_view
from portal.api.deps import ContextDep, as_party
from portal.documents import (
    document_view,
    my_case_numbers,
    my_cases,
    my_documents,
    open_document,
    sign_document,
)
from portal.hearing_links import PartyIdentity
from portal.paging import Page, PageDep, by_id, by_time
from portal.representations import request_representation
from portal.review import my_reviews
from portal.schemas import RepresentationIn
from portal.tables import PortalAccount

router = APIRouter(prefix="/api/portal", tags=["portal"])

RecordId = Annotated[int, Path(gt=0, le=2**31 - 1)]


CASES, DOCUMENTS, REVIEWS = "/api/portal/cases", "/api/portal/documents", "/api/portal/reviews"


def _home(session: Session, account: PortalAccount) -> dict[str, Any]:
    """Who, and the first page of each list; ``next`` the URL of each list's second page (null
    when the first is all), which the page follows on "more"."""
    cases = Page.first(CASES)
    documents = Page.first(DOCUMENTS)
    reviews = Page.first(REVIEWS)
    lists = {
        "cases": (cases, my_cases(session, account, cases), by_time("filed_at", "dossier_case_id")),
        "documents": (documents, my_documents(session, account, documents), by_time("sent_at")),
        "reviews": (reviews, my_reviews(session, account, reviews), by_id),
    }
    out: dict[str, Any] = {"me": me_view(account), "next": {}}
    for name, (page, rows, key) in lists.items():
        out[name] = rows[: page.limit]
        out["next"][name] = page.next_link(rows, key)
    return out


@router.get("/home")
async def home(request: Request, ctx: ContextDep) -> dict[str, Any]:
    return await as_party(request, ctx, _home)


@router.get("/hearing-links")
async def hearing_links(request: Request, ctx: ContextDep) -> dict[str, Any]:
    """The party's hearings of their cases with the join and signing links, asked of the hearing
    server (``portal.hearing_links``) with the account's verified identity only; ``configured``
    false without the key, ``available`` false when it could not be asked."""

    def mine(session: Session, account: PortalAccount) -> tuple[PartyIdentity, list[str]]:
        numbers = my_case_numbers(session, account)
        return PartyIdentity(account.name, account.phone, account.id_number), numbers

    who, numbers = await as_party(request, ctx, mine)
    if ctx.hearing_links is None:
        return {"configured": False, "available": False, "hearings": []}
    found = await ctx.hearing_links.of(numbers, who, ctx.now())
    return {"configured": True, "available": found is not None, "hearings": found or []}


@router.get("/cases")
async def cases(
    request: Request, response: Response, ctx: ContextDep, page: PageDep
) -> list[dict[str, Any]]:
    """The party's cases, newest filed first, a page at a time (``portal.paging``)."""
    rows = await as_party(request, ctx, lambda session, account: my_cases(session, account, page))
    return page.answer(response, rows, by_time("filed_at", "dossier_case_id"))


@router.get("/documents")
async def documents(
    request: Request, response: Response, ctx: ContextDep, page: PageDep
) -> list[dict[str, Any]]:
    """The party's documents, newest sent first, a page at a time."""
    rows = await as_party(
        request, ctx, lambda session, account: my_documents(session, account, page)
    )
    return page.answer(response, rows, by_time("sent_at"))


@router.get("/documents/{document_id}/file")
async def document_file(request: Request, ctx: ContextDep, document_id: RecordId) -> Response:
    def work(session: Session, account: PortalAccount) -> tuple[str, str, bytes]:
        doc, data = open_document(session, ctx, account, document_id)
        return doc.title, doc.media_type, data

    title, media_type, data = await as_party(request, ctx, work)
    name = quote(f"{title}.pdf")
    return Response(
        data, media_type=media_type,
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{name}",
                 "Cache-Control": "no-store"},
    )  # fmt: skip


@router.post("/documents/{document_id}/sign")
async def document_sign(request: Request, ctx: ContextDep, document_id: RecordId) -> dict[str, Any]:
    return await as_party(
        request, ctx,
        lambda session, account: document_view(sign_document(session, ctx, account, document_id)),
    )  # fmt: skip


@router.post("/representations", status_code=201)
async def representation(
    body: RepresentationIn, request: Request, ctx: ContextDep
) -> dict[str, Any]:
    def work(session: Session, account: PortalAccount) -> dict[str, Any]:
        rep = request_representation(session, ctx, account, body)
        return {"id": rep.id, "status": rep.status}

    return await as_party(request, ctx, work)
