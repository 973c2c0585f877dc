"""``/api/portal/reviews``: online file review (网上阅卷) for the party; ``/api/portal/staff``:
the judge's or clerk's decisions (file reviews, lawyers' representations); ``/api/portal/lookup``:
the public look-up."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlalchemy import select, true
from sqlalchemy.orm import Session

from portal.access import not_found
from portal.api.deps import ContextDep, StaffDep, as_party, client_address
from portal.audit import record
from portal.context import COURT_TZ
from portal.documents import document_view
from portal.idnumber import tail
from portal.lookup import look_up
from portal.paging import PageDep, by_id
from portal.representations import decide_representation, representation_view
from portal.review import ask, decide, live_review, my_reviews, review_documents, review_view
from portal.schemas import DecisionIn, LookupIn, LookupOut, ReviewIn
from portal.tables import (
    PortalAccount,
    PortalCase,
    PortalDocument,
    PortalParty,
    PortalReview,
    Representation,
)
from portal.watermark import label_for, page_count, watermarked_page

router = APIRouter(prefix="/api/portal", tags=["portal"])

RecordId = Annotated[int, Path(gt=0, le=2**31 - 1)]
PageNo = Annotated[int, Path(ge=1, le=10_000)]


@router.post("/reviews", status_code=201)
async def review_ask(body: ReviewIn, request: Request, ctx: ContextDep) -> dict[str, Any]:
    return await as_party(
        request, ctx, lambda session, account: review_view(ask(session, ctx, account, body))
    )


@router.get("/reviews")
async def review_list(
    request: Request, response: Response, ctx: ContextDep, page: PageDep
) -> list[dict[str, Any]]:
    """The party's file reviews, newest first, a page at a time (``portal.paging``)."""
    rows = await as_party(request, ctx, lambda session, account: my_reviews(session, account, page))
    return page.answer(response, rows, by_id)


@router.get("/reviews/{review_id}/documents")
async def review_docs(request: Request, ctx: ContextDep, review_id: RecordId) -> dict[str, Any]:
    def work(session: Session, account: PortalAccount) -> dict[str, Any]:
        review = live_review(session, ctx, account, review_id)
        docs = []
        for doc in review_documents(session, review):
            view = document_view(doc)
            view["pages"] = page_count(ctx.host.exchange.get(doc.blob_key))
            docs.append(view)
        return {"review": review_view(review), "documents": docs}

    return await as_party(request, ctx, work)


def _review_doc(session: Session, review: PortalReview, document_id: int) -> PortalDocument:
    for doc in review_documents(session, review):
        if doc.id == document_id:
            return doc
    raise not_found()


@router.get("/reviews/{review_id}/documents/{document_id}/pages/{page}")
async def review_page(
    request: Request, ctx: ContextDep,
    review_id: RecordId, document_id: RecordId, page: PageNo,
) -> Response:  # fmt: skip
    def work(session: Session, account: PortalAccount) -> bytes:
        review = live_review(session, ctx, account, review_id)
        doc = _review_doc(session, review, document_id)
        pdf = ctx.host.exchange.get(doc.blob_key)
        now = ctx.now()
        try:
            label = label_for(account.name, tail(account.id_number), now.astimezone(COURT_TZ))
            png = watermarked_page(pdf, page - 1, label)
        except IndexError:
            raise not_found() from None
        record(session, ("party", account.name), "review.page_viewed", at=now,
               case_id=review.dossier_case_id, review_id=review.id, document_id=doc.id,
               page=page)  # fmt: skip
        session.commit()
        return png

    png = await as_party(request, ctx, work)
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/reviews/{review_id}/documents/{document_id}/download")
async def review_download(
    request: Request, ctx: ContextDep, review_id: RecordId, document_id: RecordId
) -> Response:
    def work(session: Session, account: PortalAccount) -> tuple[str, str, bytes]:
        review = live_review(session, ctx, account, review_id)
        doc = _review_doc(session, review, document_id)
        if not review.allow_download:
            raise not_found()
        record(session, ("party", account.name), "review.downloaded", at=ctx.now(),
               case_id=review.dossier_case_id, review_id=review.id, document_id=doc.id)  # fmt: skip
        session.commit()
        return doc.title, doc.media_type, ctx.host.exchange.get(doc.blob_key)

    title, media_type, data = await as_party(request, ctx, work)
    disposition = f"attachment; filename*=UTF-8''{quote(f'{title}.pdf')}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


@router.post("/lookup")
def lookup(body: LookupIn, request: Request, ctx: ContextDep) -> LookupOut:
    """The newest waiting documents and how many wait in all (``portal.lookup``)."""
    with ctx.session_factory() as session:
        return look_up(session, ctx, body, client_address(request))


@router.get("/staff/reviews")
def staff_reviews(
    ctx: ContextDep, staff: StaffDep, response: Response, page: PageDep
) -> list[dict[str, Any]]:
    """The court's file reviews, newest first, a page at a time (every one reachable)."""
    after = page.after_id()
    with ctx.session_factory() as session:
        rows = session.execute(
            select(PortalReview, PortalCase, PortalAccount)
            .join(PortalCase, PortalCase.dossier_case_id == PortalReview.dossier_case_id)
            .join(PortalAccount, PortalAccount.id == PortalReview.account_id)
            .where(PortalCase.court_id == staff.court_id,
                   true() if after is None else PortalReview.id < after)
            .order_by(PortalReview.id.desc()).limit(page.limit + 1)
        ).all()  # fmt: skip
        views = [review_view(r, c) | {"party_name": a.name} for r, c, a in rows]
        return page.answer(response, views, by_id)


@router.post("/staff/reviews/{review_id}/decision")
def staff_decide(
    body: DecisionIn, staff: StaffDep, ctx: ContextDep, review_id: RecordId
) -> dict[str, Any]:
    with ctx.session_factory() as session:
        return review_view(decide(session, ctx, staff, review_id, body))


@router.get("/staff/representations")
def staff_representations(
    ctx: ContextDep, staff: StaffDep, response: Response, page: PageDep
) -> list[dict[str, Any]]:
    """The lawyers' representations at the court, newest first, a page at a time."""
    after = page.after_id()
    with ctx.session_factory() as session:
        rows = session.execute(
            select(Representation, PortalCase, PortalAccount)
            .join(PortalCase, PortalCase.dossier_case_id == Representation.dossier_case_id)
            .join(PortalAccount, PortalAccount.id == Representation.account_id)
            .where(PortalCase.court_id == staff.court_id,
                   true() if after is None else Representation.id < after)
            .order_by(Representation.id.desc()).limit(page.limit + 1)
        ).all()  # fmt: skip
        out = []
        for rep, case, lawyer in page.answer(response, rows, lambda row: [row[0].id]):
            party = session.scalars(
                select(PortalParty).where(
                    PortalParty.dossier_case_id == rep.dossier_case_id,
                    PortalParty.party_ref == rep.party_ref,
                )
            ).first()
            out.append(representation_view(rep, case, party, lawyer))
        return out


@router.post("/staff/representations/{rep_id}/decision")
def staff_decide_representation(
    body: DecisionIn, staff: StaffDep, ctx: ContextDep, rep_id: RecordId
) -> dict[str, Any]:
    with ctx.session_factory() as session:
        rep = decide_representation(session, ctx, staff, rep_id, body.approve)
        return {"id": rep.id, "status": rep.status, "decided_by": rep.decided_by}
