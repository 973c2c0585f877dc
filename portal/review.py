"""Online file review (网上阅卷): a party of the case asks, with a reason; a judge or clerk of
the court approves (for some hours, with or without downloads) or refuses; while approved the
party reads the case's documents page by page, watermarked; every page view is audited. An
unapproved, refused, expired or foreign review is answered as one that does not exist."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.access import case_ids, not_found
from portal.audit import record
from portal.context import PortalContext
from portal.errors import ConflictError
from portal.paging import Page
from portal.schemas import DecisionIn, ReviewIn
from portal.tables import PortalAccount, PortalCase, PortalDocument, PortalReview
from tingshen_platform.identity import StaffPrincipal

__all__ = [
    "DECIDERS",
    "ask",
    "decide",
    "live_review",
    "my_reviews",
    "review_documents",
    "review_view",
]

DECIDERS = frozenset({"judge", "clerk"})


def review_view(review: PortalReview, case: PortalCase | None = None) -> dict[str, Any]:
    return {
        "id": review.id,
        "dossier_case_id": review.dossier_case_id,
        "case_number": case.case_number if case else None,
        "reason": review.reason,
        "status": review.status,
        "requested_at": review.requested_at.isoformat(),
        "decided_by": review.decided_by,
        "valid_until": review.valid_until.isoformat() if review.valid_until else None,
        "allow_download": review.allow_download,
    }


def ask(
    session: Session, ctx: PortalContext, account: PortalAccount, body: ReviewIn
) -> PortalReview:
    if body.dossier_case_id not in case_ids(session, account):
        raise not_found()
    now = ctx.now()
    review = PortalReview(
        account_id=account.id, dossier_case_id=body.dossier_case_id, reason=body.reason.strip(),
        status="requested", requested_at=now, allow_download=False,
    )  # fmt: skip
    session.add(review)
    session.flush()
    record(session, ("party", account.name), "review.requested", at=now,
           case_id=body.dossier_case_id, review_id=review.id)  # fmt: skip
    session.commit()
    return review


def decide(
    session: Session, ctx: PortalContext, staff: StaffPrincipal, review_id: int, body: DecisionIn
) -> PortalReview:
    review = session.get(PortalReview, review_id)
    case = session.get(PortalCase, review.dossier_case_id) if review else None
    if review is None or case is None or case.court_id != staff.court_id:
        raise not_found()
    if review.status != "requested":
        raise ConflictError("this application is already decided", "该阅卷申请已处理",
                            reason="portal_review_decided")  # fmt: skip
    now = ctx.now()
    hours = min(body.hours, ctx.settings.review_hours_max)
    review.status = "approved" if body.approve else "refused"
    review.decided_at = now
    review.decided_by = staff.display_name
    review.valid_until = now + timedelta(hours=hours) if body.approve else None
    review.allow_download = body.approve and body.allow_download
    record(session, (staff.role, staff.display_name), f"review.{review.status}", at=now,
           case_id=review.dossier_case_id, review_id=review.id, hours=hours,
           allow_download=review.allow_download)  # fmt: skip
    session.commit()
    return review


def live_review(
    session: Session, ctx: PortalContext, account: PortalAccount, review_id: int
) -> PortalReview:
    review = session.get(PortalReview, review_id)
    if (
        review is None
        or review.account_id != account.id
        or review.status != "approved"
        or review.valid_until is None
        or review.valid_until <= ctx.now()
        or review.dossier_case_id not in case_ids(session, account)
    ):
        raise not_found()
    return review


def review_documents(session: Session, review: PortalReview) -> list[PortalDocument]:
    """The case's documents open to review: those the portal holds for the case."""
    return list(
        session.scalars(
            select(PortalDocument)
            .where(PortalDocument.dossier_case_id == review.dossier_case_id)
            .order_by(PortalDocument.sent_at)
        ).all()
    )


def my_reviews(session: Session, account: PortalAccount, page: Page) -> list[dict[str, Any]]:
    """A page of the party's file reviews, newest first (``limit + 1``: :class:`Page`)."""
    query = select(PortalReview).where(PortalReview.account_id == account.id)
    after = page.after_id()
    if after is not None:
        query = query.where(PortalReview.id < after)
    rows = session.scalars(query.order_by(PortalReview.id.desc()).limit(page.limit + 1)).all()
    return [review_view(r, session.get(PortalCase, r.dossier_case_id)) for r in rows]
